"""Exchange rates with guard rails: ISO codes only, big changes confirmed with a product's price,
removal refused while buyers use the currency, and messages that say what is wrong."""

from sqlmodel import select

from models import AuditEntry, ExchangeRate, User
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui.callbacks import ConfirmAction, ConfirmCb, CurrencyCb

NBSP = "\xa0"


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


async def admin_of(app: Harness, language: str = "en"):
    admin = app.user(user_id=ADMIN_ID, language_code=language)
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    return admin


async def rate_row(app: Harness, code: str) -> ExchangeRate | None:
    async with app.session_factory() as session:
        return await session.get(ExchangeRate, code)


async def test_only_iso_currencies_in_use_are_accepted(app: Harness):
    admin = await admin_of(app)
    for code in ("XYZ", "XAU", "DEM", "E1R", "€"):
        reply = await app.send(admin, f"/rate {code} 0.5")
        assert "not an ISO 4217 currency code" in reply.text, code
        assert await rate_row(app, code.upper()) is None
    base = await app.send(admin, "/rate CNY 1")
    assert "always 1" in base.text
    ok = await app.send(admin, "/rate gbp 0.11")
    assert "✅" in ok.text and "GBP" in ok.text
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await app.send(buyer, "/settings")
    await app.tap(buyer, "Currency")
    picker = app.button_texts(app.last(buyer))
    assert any("GBP" in b for b in picker) and not any("XYZ" in b for b in picker)


async def test_each_bad_number_gets_its_own_message(app: Harness):
    admin = await admin_of(app)
    cases = {
        "99999999": "too large",
        "0": "more than zero",
        "-3": "more than zero",
        "0.0000001": "too small",
        "abc": "not a number",
        "nan": "not a number",
        "1e400": "too large",
    }
    before = (await rate_row(app, "EUR")).per_cny_micro
    for value, words in cases.items():
        reply = await app.send(admin, f"/rate EUR {value}")
        assert words in reply.text, (value, reply.text)
        assert "not a positive number" not in reply.text
    assert (await rate_row(app, "EUR")).per_cny_micro == before
    usage = await app.send(admin, "/rate EUR")
    assert "Usage: /rate" in usage.text


async def test_a_big_change_is_confirmed_with_a_products_price(app: Harness):
    admin = await admin_of(app)
    before = (await rate_row(app, "EUR")).per_cny_micro
    small = before * 110 // 100  # +10 %: no question asked
    value = f"{small / 1_000_000:.6f}"
    reply = await app.send(admin, f"/rate EUR {value}")
    assert "✅" in reply.text
    assert (await rate_row(app, "EUR")).per_cny_micro == small
    prompt = await app.send(admin, "/rate EUR 0.5")
    text = plain(prompt.text)
    assert "⚠️" in text and "EUR changes by +" in text and "→" in text
    assert "€" in text  # a product's price before and after
    assert (await rate_row(app, "EUR")).per_cny_micro == small  # not yet
    await app.tap(admin, "Keep the old rate")
    assert (await rate_row(app, "EUR")).per_cny_micro == small
    prompt = await app.send(admin, "/rate EUR 0.5")
    yes = prompt.buttons[0][0][1]
    await app.tap(admin, "Set the new rate")
    assert (await rate_row(app, "EUR")).per_cny_micro == 500_000
    assert "✅" in app.last(admin).text
    async with app.session_factory() as session:
        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "rate.set"))
        ).all()
    assert [e.after["per_cny_micro"] for e in entries] == [small, 500_000]
    assert entries[-1].before["per_cny_micro"] == small and entries[-1].admin_id == ADMIN_ID
    # a second tap of the used Yes changes nothing
    answer = await app.press(admin, prompt, yes)
    assert answer.get("show_alert") is True


async def test_a_confirmation_drawn_before_another_change_is_refused(app: Harness):
    admin = await admin_of(app)
    prompt = await app.send(admin, "/rate EUR 0.5")
    yes = prompt.buttons[0][0][1]
    await app.send(admin, "/rate EUR 0.13")  # a small change meanwhile
    answer = await app.press(admin, prompt, yes)
    assert answer.get("show_alert") is True
    assert (await rate_row(app, "EUR")).per_cny_micro == 130_000


async def test_a_rate_in_use_is_not_removed(app: Harness):
    admin = await admin_of(app)
    refused = await app.send(admin, "/rate_remove EUR")
    async with app.session_factory() as session:
        users = len((await session.exec(select(User).where(User.currency == "EUR"))).all())
    assert users >= 1
    assert "can't be removed" in refused.text and "/settings" in refused.text
    assert await rate_row(app, "EUR") is not None
    await app.send(admin, "/rate GBP 0.11")
    prompt = await app.send(admin, "/rate_remove gbp")
    assert "Remove GBP" in prompt.text
    # someone chooses GBP before the admin confirms: the removal is refused after all
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await app.send(buyer, "/settings")
    await app.tap(buyer, "Currency")
    await app.press(buyer, app.last(buyer), CurrencyCb(code="GBP").pack())
    await app.tap(admin, "Remove GBP", prompt)
    assert "can't be removed: 1 person" in app.last(admin).text
    assert await rate_row(app, "GBP") is not None
    await app.press(buyer, app.last(buyer), CurrencyCb(code="EUR").pack())
    await app.send(admin, "/rate_remove GBP")
    await app.tap(admin, "Remove GBP")
    assert await rate_row(app, "GBP") is None
    assert "removed" in app.last(admin).text
    missing = await app.send(admin, "/rate_remove GBP")
    assert "There is no rate" in missing.text
    async with app.session_factory() as session:
        removed = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "rate.remove"))
        ).one()
    assert removed.object_id == "GBP" and removed.after is None


async def test_buyers_cannot_set_or_remove_rates(app: Harness):
    buyer = app.user(language_code="de")
    await app.onboard(buyer, language="de", country="Deutschland", city="Berlin")
    before = (await rate_row(app, "EUR")).per_cny_micro
    for command in ("/rate EUR 0.5", "/rate_remove EUR", "/rates"):
        reply = await app.send(buyer, command)
        assert reply.text == app.t(
            "I don't know that command. Send /help to see what I can do.", "de"
        )
    forged = ConfirmCb(a=ConfirmAction.RATE_REMOVE, t="x").pack()
    await app.press(buyer, app.last(buyer), forged)
    assert (await rate_row(app, "EUR")).per_cny_micro == before


async def test_huge_numbers_and_long_codes_are_refused_not_crashed_on(app: Harness):
    admin = await admin_of(app)
    for value in ("1e999999", "1e-999999", "9" * 4000):
        reply = await app.send(admin, f"/rate EUR {value}")
        assert "too large" in reply.text or "too small" in reply.text, value
    await app.send(admin, "/rate GBP 0.11")
    reply = await app.send(admin, "/rate_remove GBPXYZ")
    assert "There is no rate" in reply.text
    assert await rate_row(app, "GBP") is not None
