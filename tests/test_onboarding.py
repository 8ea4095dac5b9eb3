"""/start → language → country → city, and /settings, as users see them."""

from sqlmodel import select

from core.locales import LANGUAGE_NAMES
from models import User
from tests.harness import Harness
from ui.callbacks import CityCb, CountryCb, LangCb

STALE = "This button is out of date. Please open the menu again with /start."


async def stored(app: Harness, user_id: int) -> User:
    async with app.session_factory() as session:
        row = (await session.exec(select(User).where(User.id == user_id))).one()
        return row


async def test_onboarding_in_simplified_chinese(app: Harness):
    buyer = app.user(language_code="zh-CN", first_name="王伟")
    first = await app.send(buyer, "/start")
    assert "青田" in first.text  # the welcome is already in Chinese, from Telegram's language code
    assert "✓ " + "🇨🇳 " + LANGUAGE_NAMES["zh_Hans"] in app.button_texts(first)

    await app.tap(buyer, "简体中文")
    asked = app.last(buyer)
    assert asked.message_id == first.message_id  # the same message, edited
    assert "意大利" in app.button_texts(asked)
    await app.tap(buyer, "意大利")
    cities = app.last(buyer)
    assert "米兰" in app.button_texts(cities)
    await app.tap(buyer, "米兰")
    done = app.last(buyer)
    assert "米兰" in done.text and "EUR" in done.text

    row = await stored(app, buyer.id)
    assert (row.locale, row.country, row.city, row.currency) == ("zh_Hans", "IT", "Milan", "EUR")
    assert row.timezone == "Europe/Rome"


async def test_onboarding_in_italian(app: Harness):
    buyer = app.user(language_code="it-IT", first_name="Giulia")
    done = await app.onboard(buyer, language="it", country="Italia", city="Prato")
    assert "Prato" in done.text and "Italia" in done.text
    row = await stored(app, buyer.id)
    assert (row.locale, row.country, row.city, row.currency) == ("it", "IT", "Prato", "EUR")


async def test_onboarding_in_portuguese_to_brazil_sets_real(app: Harness):
    buyer = app.user(language_code="pt-br")
    done = await app.onboard(buyer, language="pt", country="Brasil", city="São Paulo")
    assert "BRL" in done.text
    row = await stored(app, buyer.id)
    assert (row.country, row.currency, row.timezone) == ("BR", "BRL", "America/Sao_Paulo")


async def test_traditional_chinese_from_telegram_language_code(app: Harness):
    buyer = app.user(language_code="zh-TW")
    first = await app.send(buyer, "/start")
    assert "✓ 🇹🇼 繁體中文" in app.button_texts(first)
    assert "語" in first.text and "语" not in first.text  # Traditional characters (語言)


async def test_another_country_and_city_typed(app: Harness):
    buyer = app.user(language_code="es")
    await app.send(buyer, "/start")
    await app.tap(buyer, "Español")
    await app.tap(buyer, "🌍")
    wrong = await app.send(buyer, "Atlántida")
    assert "Atlántida" in wrong.text
    assert (await stored(app, buyer.id)).country is None
    asked = await app.send(buyer, "Hungría")  # no common cities there: typed straight away
    assert "Hungría" in asked.text
    done = await app.send(buyer, "<b>Szeged</b> & co")
    assert "<b>Szeged</b> & co" in done.text  # shown as typed: escaped, not bold
    assert "&lt;b&gt;Szeged&lt;/b&gt; &amp; co" in done.html
    row = await stored(app, buyer.id)
    assert (row.country, row.city, row.currency) == ("HU", "<b>Szeged</b> & co", "HUF")


async def test_typed_city_too_long_is_refused(app: Harness):
    buyer = app.user(language_code="en")
    await app.send(buyer, "/start")
    await app.tap(buyer, "English")
    await app.tap(buyer, "Italy")
    await app.tap(buyer, "Another city")
    reply = await app.send(buyer, "x" * 65)
    assert "64" in reply.text
    assert (await stored(app, buyer.id)).city is None


async def test_deep_link_payload_is_recorded(app: Harness):
    buyer = app.user()
    await app.send(buyer, "/start gb_12")
    row = await stored(app, buyer.id)
    assert row.start_payload == "gb_12"


async def test_commands_before_setup_lead_back_to_it(app: Harness):
    buyer = app.user(language_code="de")
    reply = await app.send(buyer, "/catalog")
    assert "Deutsch" in " ".join(app.button_texts(reply))
    assert (await stored(app, buyer.id)).country is None


async def test_forged_onboarding_callbacks_change_nothing(app: Harness):
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    before = await stored(app, buyer.id)
    message = app.last(buyer)
    for data in (
        LangCb(code="xx", ctx="o").pack(),
        CountryCb(code="ZZ", ctx="o").pack(),
        CityCb(country="ES", index=0, ctx="o").pack(),  # not the user's country
        CityCb(country="IT", index=99, ctx="o").pack(),
        "ci:IT:notanumber:o",
        "garbage",
    ):
        answer = await app.press(buyer, message, data)
        assert answer.get("show_alert") is True, data
        assert answer["text"] == app.t(STALE, "it"), data  # localised alert
        assert answer["text"] != STALE
    after = await stored(app, buyer.id)
    assert (after.locale, after.country, after.city) == (before.locale, before.country, before.city)


async def test_settings_changes_persist(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    settings = await app.send(buyer, "/settings")
    assert "Milan" in settings.text and "EUR" in settings.text

    await app.tap(buyer, "Language")
    await app.tap(buyer, "Deutsch")
    german = app.last(buyer)
    assert "Einstellungen" in german.text
    # the screen drawn right after the switch is wholly in the new language
    assert "Deutsch" in german.text and "Italien" in german.text
    assert "English" not in german.text and "Italy" not in german.text
    await app.tap(buyer, "Land")
    await app.tap(buyer, "Niederlande")
    await app.tap(buyer, "Rotterdam")
    await app.tap(buyer, "Währung")
    await app.tap(buyer, "USD")
    row = await stored(app, buyer.id)
    assert (row.locale, row.country, row.city, row.currency) == ("de", "NL", "Rotterdam", "USD")
    again = await app.send(buyer, "/settings")
    assert "Rotterdam" in again.text and "USD" in again.text and "Deutsch" in again.text


async def test_command_menu_per_language(app: Harness):
    from ui.commands import set_default_commands

    app.i18n.set_current(app.i18n)
    await set_default_commands(app.bot)
    italian = app.emulator.get_commands(language_code="it")
    default = app.emulator.get_commands(language_code="")
    assert [c["command"] for c in italian] == [c["command"] for c in default]
    assert italian != default  # descriptions translated
    buyer = app.user(language_code="en")
    await app.send(buyer, "/start")
    await app.tap(buyer, "繁體中文")
    chat_menu = app.emulator.get_commands(scope={"type": "chat", "chat_id": buyer.id})
    browse = app.t("Browse the catalogue", "zh_Hant")
    assert browse != "Browse the catalogue"
    assert browse in [c["description"] for c in chat_menu]
