"""Browsing the catalogue, product cards, search and bad input, end to end through the emulator."""

from sqlmodel import select

from models import Category, Product
from services.catalog import refresh_search_fields
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui.callbacks import CategoryCb, ProductCb, SearchPageCb

NBSP = "\xa0"
STALE = "This button is out of date. Please open the menu again with /start."


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


async def product_id(app: Harness, slug: str) -> int:
    async with app.session_factory() as session:
        product = (await session.exec(select(Product).where(Product.slug == slug))).one()
        return product.id


async def set_rate(app: Harness, currency: str, value: str) -> None:
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, f"/rate {currency} {value}")
    assert "✅" in reply.text


async def test_browse_pages_and_back_in_one_message(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    listing = await app.send(buyer, "/catalog")
    sent_before = len(app.emulator.bot_messages(buyer.id))
    await app.tap(buyer, "Dried goods")
    page1 = app.last(buyer)
    assert page1.message_id == listing.message_id  # edited in place
    assert "1/2" in app.button_texts(page1)
    first_page_products = [t for t in app.button_texts(page1) if "·" in t]
    assert len(first_page_products) == 5

    await app.tap(buyer, "»")
    page2 = app.last(buyer)
    assert "2/2" in app.button_texts(page2)
    second_page_products = [t for t in app.button_texts(page2) if "·" in t]
    assert second_page_products and not set(second_page_products) & set(first_page_products)
    assert "»" not in app.button_texts(page2)

    await app.tap(buyer, second_page_products[0].split(" · ")[0])
    card = app.last(buyer)
    assert "HS" in card.text and "Can be shipped to Italy" in card.text
    await app.tap(buyer, "⬅ Back")
    back = app.last(buyer)
    assert "2/2" in app.button_texts(back)  # back to the page it came from
    await app.tap(buyer, "⬅ Categories")
    await app.tap(buyer, "🏠")
    assert len(app.emulator.bot_messages(buyer.id)) == sent_before  # no flood: all edits


async def test_product_card_price_formatted_per_locale(app: Harness):
    await set_rate(app, "EUR", "0.127551")
    rice = await product_id(app, "rice-fish-rice-5kg")  # ¥98.00 a bag
    italian = app.user(language_code="it")
    english = app.user(language_code="en")
    await app.onboard(italian, language="it", country="Italia", city="Milano")
    await app.onboard(english, language="en", country="Italy", city="Rome")
    for user in (italian, english):
        await app.send(user, "/catalog")
        await app.press(user, app.last(user), ProductCb(id=rice, cat=1, page=0).pack())
    it_card = plain(app.last(italian).text)
    en_card = plain(app.last(english).text)
    assert "12,50 € (98,00 CN¥)" in it_card
    assert "€12.50 (CN¥98.00)" in en_card
    assert "5 kg" in en_card and "100630" in en_card


async def test_restricted_product_says_it_cannot_be_shipped(app: Harness):
    ham = await product_id(app, "iberian-ham-sliced")
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Spain", city="Madrid")
    await app.send(buyer, "/catalog")
    await app.press(buyer, app.last(buyer), ProductCb(id=ham, cat=0, page=0).pack())
    assert "Cannot be shipped to Spain" in app.last(buyer).text


async def test_product_with_photo_swaps_message_and_back(app: Harness):
    tea = await product_id(app, "qingtian-green-tea")
    async with app.session_factory() as session:
        product = await session.get(Product, tea)
        product.photo = "AgACAgQAAxkBAAIBtea-photo"
        session.add(product)
        await session.commit()
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="France", city="Paris")
    listing = await app.send(buyer, "/catalog")
    await app.press(buyer, listing, ProductCb(id=tea, cat=2, page=0).pack())
    card = app.last(buyer)
    assert card.photo is not None
    assert app.emulator.calls("sendPhoto")[-1].params["photo"] == "AgACAgQAAxkBAAIBtea-photo"
    assert "green tea" in card.caption
    assert app.emulator.message(buyer.id, listing.message_id).deleted
    await app.tap(buyer, "⬅ Back")
    back = app.last(buyer)
    assert back.photo is None and "Page 1 of 1" in back.text


async def test_html_in_product_name_is_escaped(app: Harness):
    async with app.session_factory() as session:
        category = (await session.exec(select(Category))).first()
        product = Product(
            slug="evil",
            category_id=category.id,
            names={"en": "Tea <b>& Co", "zh_Hans": "茶 <b>&"},
            descriptions={"en": "Best <i>tea</i> & <script>x</script>"},
            price_cny=1000,
            unit="bag",
            unit_weight_g=100,
        )
        refresh_search_fields(product)
        session.add(product)
        await session.commit()
        evil = product.id
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await app.send(buyer, "/catalog")
    await app.press(buyer, app.last(buyer), ProductCb(id=evil, cat=0, page=0).pack())
    card = app.last(buyer)
    assert "Tea <b>& Co" in card.text  # the user sees the characters
    assert "Tea &lt;b&gt;&amp; Co" in card.html  # sent escaped (the emulator rejects bad HTML)
    results = await app.send(buyer, "/search <b>&")
    assert "<b>&" in results.text


async def test_stale_and_forged_callbacks_answer_with_alert_and_change_nothing(app: Harness):
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    listing = await app.send(buyer, "/catalog")
    shown = app.emulator.message(buyer.id, listing.message_id)
    before = (shown.text, shown.edited, len(app.emulator.bot_messages(buyer.id)))
    async with app.session_factory() as session:
        category_id = (await session.exec(select(Category.id))).first()
    for data in (
        ProductCb(id=999_999, cat=0, page=0).pack(),  # unknown product
        CategoryCb(id=category_id, page=99).pack(),  # page out of range
        f"c:{category_id}:-1",  # forged: a negative page
        "c:3000000000:0",  # ids out of the database's range (2^31 and up)
        "p:9223372036854775808:0:0",
        "g:3000000000:show",
        "q:1:1:99999999999:p",
        CategoryCb(id=424_242, page=0).pack(),  # unknown category
        SearchPageCb(page=3).pack(),  # no search made
        "p:1:x:y",  # malformed
        "c:",  # malformed
        "zz:1",  # unknown prefix
    ):
        answer = await app.press(buyer, listing, data)
        assert answer.get("show_alert") is True, data
        assert answer.get("text") == app.t(STALE, "it"), data
    shown = app.emulator.message(buyer.id, listing.message_id)
    after = (shown.text, shown.edited, len(app.emulator.bot_messages(buyer.id)))
    assert after == before


async def test_search_in_chinese_and_italian(app: Harness):
    chinese = app.user(language_code="zh-CN")
    italian = app.user(language_code="it")
    await app.onboard(chinese, language="zh_Hans", country="意大利", city="米兰")
    await app.onboard(italian, language="it", country="Italia", city="Milano")
    found = await app.send(chinese, "/search 香菇")
    assert any("香菇" in t for t in app.button_texts(found))
    found_it = await app.send(italian, "te verde")  # plain text searches; accents optional
    labels = app.button_texts(found_it)
    assert any("Tè verde" in t for t in labels)
    assert not any("shiitake" in t.lower() for t in labels)
    await app.tap(italian, "Tè verde di montagna")
    card = app.last(italian)
    assert "Tè verde di montagna di Qingtian" in card.text
    await app.tap(italian, "⬅")  # back to the results, not to a category
    assert any("Tè verde" in t for t in app.button_texts(app.last(italian)))


async def test_search_nothing_found_offers_catalogue(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    reply = await app.send(buyer, "/search xylophone")
    assert "xylophone" in reply.text
    assert any("catalogue" in t.lower() for t in app.button_texts(reply))


async def test_search_of_5000_characters_is_refused(app: Harness):
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    reply = await app.send(buyer, "a" * 5000)
    expected = app.t("That is too long to search for: please use at most {limit} characters.", "it")
    assert reply.text == expected.format(limit=100)
    assert app.emulator.calls("sendMessage")[-1].params["text"] == reply.html


async def test_admin_rates_and_refusal_for_buyers(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    refused = await app.send(buyer, "/rate EUR 9")
    assert "I don't know that command" in refused.text
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    bad = await app.send(admin, "/rate EUR -1")
    assert "must be more than zero" in bad.text
    bad_code = await app.send(admin, "/rate E1R 0.1")
    assert "not an ISO 4217 currency code" in bad_code.text
    ok = await app.send(admin, "/rate EUR 0,125")
    assert "0.125" in ok.text
    rates = await app.send(admin, "/rates")
    assert "EUR: 0.125" in rates.text
    rice = await product_id(app, "rice-fish-rice-5kg")
    await app.send(buyer, "/catalog")
    await app.press(buyer, app.last(buyer), ProductCb(id=rice, cat=0, page=0).pack())
    assert "€12.25" in plain(app.last(buyer).text)  # 98.00 × 0.125


async def test_unknown_command_and_help(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    unknown = await app.send(buyer, "/frobnicate")
    assert "/help" in unknown.text
    helped = await app.send(buyer, "/help")
    assert "/catalog" in helped.text and "/rates" not in helped.text


def test_flood_protection_token_bucket():
    from bot.middlewares import ThrottlingMiddleware

    bucket = ThrottlingMiddleware(burst=3, per_second=1.0)
    first = [bucket.allow(1, 100.0) for _ in range(5)]
    assert first == [(True, False)] * 3 + [(False, True), (False, False)]  # told once
    assert bucket.allow(2, 100.0) == (True, False)  # other users are not affected
    assert bucket.allow(1, 101.1) == (True, False)  # refilled after a second


async def test_flooding_user_is_told_once_in_their_language(app: Harness):
    from bot.middlewares import ThrottlingMiddleware

    throttling = next(
        m for m in app.dp.message.outer_middleware if isinstance(m, ThrottlingMiddleware)
    )
    throttling.burst, throttling.per_second = 2, 0.001  # the tests' settings switch it off
    buyer = app.user(language_code="de")
    for _ in range(5):
        app.emulator.send_message(buyer, "/help")
    await app.process()
    texts = app.texts(buyer)
    warning = app.t("You are going too fast. Please wait a few seconds.", "de")
    assert texts.count(warning) == 1 and len(texts) == 3


async def _category(app: Harness, slug: str) -> int:
    async with app.session_factory() as session:
        return (await session.exec(select(Category.id).where(Category.slug == slug))).one()


async def test_products_that_can_reach_the_buyer_come_first(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Brazil", city="São Paulo")
    listing = await app.send(buyer, "/catalog")
    category = await _category(app, "dried-goods")
    names: list[str] = []
    for page in range(2):  # the category spans two pages
        await app.press(buyer, listing, CategoryCb(id=category, page=page).pack())
        names += [text for row in app.last(buyer).buttons for text, _d in row if "CN¥" in text]
    # the field carp may not enter Brazil: it is listed after every product that can (it is
    # the first of the category for everyone else)
    assert "carp" in names[-1].lower() and len(names) == 7
    assert "None of these products" not in app.last(buyer).text


async def test_a_category_that_cannot_reach_the_buyer_says_so_first(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Germany", city="Berlin")
    listing = await app.send(buyer, "/catalog")
    await app.press(buyer, listing, CategoryCb(id=await _category(app, "european-food")).pack())
    text = app.last(buyer).text
    assert "None of these products can be shipped to Germany" in text
    assert "3 products" in text
