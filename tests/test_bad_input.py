"""Bad input that used to get no answer: NUL bytes, `/ `, ids out of range, overlong cards."""

from datetime import timedelta

from sqlmodel import select

from models import GroupOrder, Product, User
from services import groups
from services.groups import GroupSpec, OfferSpec
from tests.harness import Harness
from tests.test_group_orders import open_group

STALE = "This button is out of date. Please open the menu again with /start."


async def test_nul_bytes_in_names_and_text_break_nothing(app: Harness):
    buyer = app.user(language_code="en", first_name="Wang\x00Wei")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    reply = await app.send(buyer, "tea\x00")
    assert reply is not None and "\x00" not in (reply.text or "")
    again = await app.send(buyer, "/help")
    assert again is not None and again.text
    async with app.session_factory() as session:
        assert (await session.get(User, buyer.id)).first_name == "WangWei"


async def test_a_slash_and_a_space_is_an_unknown_command(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    reply = await app.send(buyer, "/ ")
    assert reply is not None and reply.text


async def test_deep_links_with_ids_out_of_range_are_answered(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    for link in ("gb_999999999999999", "gb_3000000000", "gb_1_99999999999999999"):
        reply = await app.send(buyer, f"/start {link}")
        assert reply is not None and reply.text, link


async def test_a_group_card_with_everything_in_it_fits_one_message(app: Harness):
    await open_group(
        app, "country=IT city=Milan method=air deadline=+2d min=1 offer=dried-shiitake:38"
    )
    async with app.session_factory() as session:
        products = (await session.exec(select(Product).where(Product.unit_weight_g > 0))).all()
        for product in products:  # every product, so the card overflows: none restricted here
            product.restricted_countries = []
            session.add(product)
        await session.commit()
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT", city="Milan", method="rail",
                deadline=app.clock.now() + timedelta(days=3),
                measure="units", min_total=1000, tiers=[0],
                offers=[OfferSpec(product_id=p.id, prices=[12345]) for p in products],
            ),
            created_by=None, now=app.clock.now(),
        )  # fmt: skip
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        for offer, _product in await groups.offers(session, group.id):
            await groups.set_quantity(
                session, group_id=group.id, offer_id=offer.id, user_id=buyer.id, quantity=999,
                now=app.clock.now(),
            )  # fmt: skip
    from ui.callbacks import GroupCb

    await app.send(buyer, "/groups")
    answer = await app.press(buyer, app.last(buyer), GroupCb(id=group.id).pack())
    card = app.last(buyer)
    assert answer.get("show_alert") is not True
    assert len(card.text) <= 4096 and "more lines" in card.text
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).total == 999 * len(products)
