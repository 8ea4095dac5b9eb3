"""The quantity picker: a typed number sets the quantity while the picker is on screen, buttons
never move under the finger, and a full group says so instead of offering what can't succeed."""

import pytest

from tests.harness import Harness
from tests.test_group_orders import offer_id, open_group, order_of
from ui.callbacks import GroupCb, QtyCb

pytestmark = pytest.mark.clock

FULL = "🚫 This group is full: nothing more can be added."


async def open_picker(app: Harness, buyer, group, n: int = 1):  # noqa: ANN001, ANN201
    await app.send(buyer, "/groups")
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id).pack())
    offer = await offer_id(app, group.id)
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=n).pack())
    return app.last(buyer), offer


async def quantity(app: Harness, group, buyer) -> int | None:  # noqa: ANN001
    from services import groups

    async with app.session_factory() as session:
        view = await groups.order_of(session, group_id=group.id, user_id=buyer.id)
    if view is None or view.order.status != "placed":
        return None
    return sum(line.quantity for line, _o, _p in view.lines)


async def buyer_in_milan(app: Harness, language: str = "en", country: str = "Italy", city="Milan"):  # noqa: ANN001, ANN201
    buyer = app.user(language_code=language)
    await app.onboard(buyer, language=language, country=country, city=city)
    return buyer


async def test_a_number_typed_on_the_picker_sets_the_quantity(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    await open_picker(app, buyer, group)
    reply = await app.send(buyer, "4")
    assert await quantity(app, group, buyer) == 4
    assert "Your order" in reply.text  # back on the group card
    search = await app.send(buyer, "4")  # the picker is gone: a number is a search again
    assert await quantity(app, group, buyer) == 4 and "4" in search.text


async def test_words_typed_on_the_picker_still_search(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    await open_picker(app, buyer, group)
    reply = await app.send(buyer, "shiitake")
    assert "shiitake" in reply.text.lower() and await quantity(app, group, buyer) is None


async def test_a_number_after_leaving_the_picker_is_not_a_quantity(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    await open_picker(app, buyer, group)
    await app.tap(buyer, "⬅")  # back to the group card: the picker is no longer on screen
    await app.send(buyer, "7")
    assert await quantity(app, group, buyer) is None


@pytest.mark.parametrize(
    "language,country,city", [("pt", "Itália", "Milão"), ("en", "Italy", "Milan")]
)
async def test_picker_buttons_keep_their_places(app: Harness, language, country, city):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app, language, country, city)
    picker, offer = await open_picker(app, buyer, group)
    shapes = []
    for n in (1, 2, 11, 1):
        await app.press(buyer, picker, QtyCb(g=group.id, o=offer, n=n).pack())
        shapes.append([len(row) for row in picker.buttons])
        if n == 1:
            assert app.button_texts(picker)[:4] == ["·", "·", "+1", "+10"]
        if n == 11:
            assert app.button_texts(picker)[:4] == ["-10", "-1", "+1", "+10"]
        assert app.button_texts(picker)[4].startswith("✅")  # #5 is always the confirm
    assert len({tuple(shape) for shape in shapes}) == 1
    await app.press(buyer, picker, picker.buttons[0][2][1])  # #3: +1, at any quantity
    assert app.button_texts(picker)[4].endswith("2")


async def test_a_full_group_says_so_and_offers_no_confirm(app: Harness):
    group = await open_group(
        app,
        "country=IT city=Milan method=rail deadline=+3d min=2 cap=3 offer=dried-shiitake:38",
    )
    first = await buyer_in_milan(app)
    await open_picker(app, first, group)
    await app.send(first, "3")
    assert await quantity(app, group, first) == 3
    second = await buyer_in_milan(app, "fr", "Italie", "Milan")
    picker, _offer = await open_picker(app, second, group)
    assert app.t(FULL, "fr") in picker.text
    assert app.button_texts(picker)[:6] == ["·", "·", "·", "·", "·", "·"]
    reply = await app.send(second, "1")
    assert reply.text == app.t(FULL, "fr")
    assert "0" not in reply.text
    assert await quantity(app, group, second) is None


async def test_a_nearly_full_group_offers_what_fits(app: Harness):
    group = await open_group(
        app,
        "country=IT city=Milan method=rail deadline=+3d min=2 cap=5 offer=dried-shiitake:38",
    )
    first = await buyer_in_milan(app)
    await open_picker(app, first, group)
    await app.send(first, "3")
    second = await buyer_in_milan(app)
    picker, offer = await open_picker(app, second, group)
    assert "At most 2 fit in the group." in picker.text
    await app.press(second, picker, picker.buttons[0][3][1])  # +10 stops at what fits
    assert app.button_texts(picker)[:5] == ["-10", "-1", "·", "·", "✅ Confirm 2"]
    refused = await app.send(second, "4")
    assert refused.text == "Not enough room left in this group: only 2 more fit."
    await app.send(second, "2")  # still in the dialog: a smaller number goes through
    assert await quantity(app, group, second) == 2
    assert (await order_of(app, group.id, first.id)).status == "placed"


async def test_a_disabled_button_keeps_the_picker_on_screen(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    picker, _offer = await open_picker(app, buyer, group)
    await app.press(buyer, picker, picker.buttons[0][0][1])  # the "·" where −10 would be
    await app.send(buyer, "4")
    assert await quantity(app, group, buyer) == 4


async def test_a_huge_number_on_the_picker_is_not_a_quantity(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    await open_picker(app, buyer, group)
    reply = await app.send(buyer, "1234567890")
    assert "is not a quantity" in reply.text and await quantity(app, group, buyer) is None
    for text in ("²", "٤"):  # a superscript is no number; an Arabic-Indic four is
        await app.send(buyer, text)
    assert await quantity(app, group, buyer) == 4
