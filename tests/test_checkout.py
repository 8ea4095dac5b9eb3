"""Checkout details: Settings → Delivery (pickup point, or home or restaurant delivery with an
address and a phone number, a restaurant's business name and VAT number), asked once after a
first order, and a note on each line of an order. The rules unit-tested, the dialogs through the
emulator as buyers see them."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from aiogram.types import Update
from sqlmodel import select

from domain.checkout import (
    MAX_ADDRESS,
    MAX_NOTE,
    CheckoutError,
    contact_phone,
    has_chosen,
    parse_address,
    parse_business_name,
    parse_note,
    parse_phone,
    parse_vat,
)
from handlers import checkout as checkout_handlers
from models import GroupOffer, GroupOrder, Order, OrderLine, Product, User
from tests.harness import Harness
from tests.test_group_orders import open_group
from ui.callbacks import CheckoutAction, CheckoutCb, GroupCb, NoteCb, PickupCb, QtyCb

STALE = "This button is out of date. Please open the menu again with /start."
ADDRESS = "Via Paolo Sarpi 10\n20154 Milano"
ADDRESS_SAVED = "Via Paolo Sarpi 10, 20154 Milano"


# ── the rules ───────────────────────────────────────────────────────────────────────────


def codes(parse, text: str) -> str:
    with pytest.raises(CheckoutError) as caught:
        parse(text)
    return caught.value.code


def test_addresses_are_trimmed_and_their_lines_joined():
    assert parse_address("  Via Roma 1 \n\n 20121   Milano ") == "Via Roma 1, 20121 Milano"
    assert parse_address("Calle\tMayor 5") == "Calle Mayor 5"
    assert parse_address("x" * MAX_ADDRESS) == "x" * MAX_ADDRESS
    assert codes(parse_address, "x" * (MAX_ADDRESS + 1)) == "address_long"
    assert codes(parse_address, " \n ") == "address_empty"
    assert codes(parse_address, "Via\x00Roma") == "address_chars"
    assert codes(parse_address, "Via \x1b[31mRoma") == "address_chars"
    assert codes(parse_address, "Via \u202eRoma") == "address_chars"  # a direction override


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+39 333 123 4567", "+393331234567"),
        ("0039 333 123 4567", "+393331234567"),
        ("+49 (0)30 1234-5678", "+493012345678"),
        ("+34.91.123.45.67", "+34911234567"),
        (
            "＋３９ ３３３ １２３ ４５６７",
            "+393331234567",
        ),  # a Chinese keyboard's full-width digits
        ("333  123 4567", "333 123 4567"),  # no country code: kept as typed, spaces tidied
        ("(02) 1234-5678", "(02) 1234-5678"),
        ("123456", "123456"),
        ("+123456789012345", "+123456789012345"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    result = parse_phone(typed)
    assert result == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "phone_empty"),
        ("call me", "phone_chars"),
        ("39+333 1234567", "phone_chars"),  # + only in front
        ("+39 333\n1234567", "phone_chars"),
        ("333\x001234567", "phone_chars"),
        ("+39 12", "phone_short"),
        ("00 12345", "phone_short"),  # 00 is the international prefix, not part of the number
        ("+1234567890123456", "phone_long"),
    ],
)
def test_bad_phone_numbers_are_refused(typed, code):
    assert codes(parse_phone, typed) == code


def test_a_shared_contacts_number_has_its_country_code():
    assert contact_phone("393331234567") == "+393331234567"
    assert contact_phone("+86 138 0013 8000") == "+8613800138000"


def test_business_names_and_vat_numbers():
    assert parse_business_name("  Trattoria   Wang ") == "Trattoria Wang"
    assert codes(parse_business_name, "x" * 129) == "business_long"
    assert codes(parse_business_name, "Wang\x00") == "business_chars"
    assert codes(parse_business_name, "Wang\nSrl") == "business_chars"
    assert codes(parse_business_name, "   ") == "business_empty"
    assert parse_vat("it 123.456.789 01") == "IT12345678901"
    assert parse_vat("DE123456789") == "DE123456789"
    assert parse_vat("nl 8596.54.321.B01") == "NL859654321B01"
    assert parse_vat("ATU12345678") == "ATU12345678"
    for bad in ("12345678901", "I12345", "IT1", "IT-12345678", "IT" + "1" * 14, "ÎT123"):
        assert codes(parse_vat, bad) == "vat_format", bad
    assert codes(parse_vat, " . ") == "vat_empty"


def test_line_notes():
    assert parse_note("  王伟  ") == "王伟"
    assert parse_note("x" * MAX_NOTE) == "x" * MAX_NOTE
    assert codes(parse_note, "x" * (MAX_NOTE + 1)) == "note_long"
    assert codes(parse_note, "王\n伟") == "note_lines"
    assert codes(parse_note, "王\x00伟") == "note_chars"
    assert codes(parse_note, "王\u2028伟") == "note_chars"
    assert codes(parse_note, " ") == "note_empty"


def test_a_buyer_has_chosen_once_anything_differs_from_the_defaults():
    fresh = User(id=1, first_name="A")
    assert not has_chosen(fresh)
    assert has_chosen(User(id=2, first_name="B", pickup_point_id=3))
    assert has_chosen(User(id=3, first_name="C", delivery="home", address="x", phone="123456"))


def test_views_escape_what_buyers_typed(i18n):
    with i18n.context(), i18n.use_locale("en"):
        views_escape()


def views_escape() -> None:
    from ui.checkout import delivery_lines, note_text
    from ui.groups import note_buttons

    restaurant = User(
        id=1, first_name="A", delivery="restaurant", address="Via <b>1</b>", phone="+39123456",
        business_name="Wang & Figli", vat_number="IT12345678901",
    )  # fmt: skip
    lines = delivery_lines(restaurant)
    assert lines == [
        "🍽 Restaurant delivery: Via &lt;b&gt;1&lt;/b&gt; · ☎ +39123456",
        "🏢 Wang &amp; Figli · VAT IT12345678901",
    ]
    home = User(id=2, first_name="B", delivery="home", address="Via Roma 1", phone="0212345678")
    assert delivery_lines(home) == ["🏠 Home delivery: Via Roma 1 · ☎ 0212345678"]
    pickup = User(id=3, first_name="C", address="Via Roma 1", phone="0212345678")
    assert delivery_lines(pickup) == []
    line = OrderLine(order_id=1, offer_id=2, quantity=1, amount=1, note="<i>王</i> & 伟")
    assert note_text(line) == "📝 &lt;i&gt;王&lt;/i&gt; &amp; 伟"
    assert note_text(OrderLine(order_id=1, offer_id=2, quantity=1, amount=1)) is None
    offer = GroupOffer(id=7, group_id=5, product_id=1, prices=[100])
    product = Product(id=1, slug="stone-seal", names={"en": "Seal"}, category_id=1)
    long_note = OrderLine(order_id=1, offer_id=7, quantity=1, amount=1, note="A" * 60)
    bare = OrderLine(order_id=1, offer_id=7, quantity=1, amount=1)
    with_note, without = note_buttons(5, [(long_note, offer, product), (bare, offer, product)])
    assert without.text == "📝 Seal" and without.callback_data == NoteCb(g=5, o=7).pack()
    assert with_note.text.startswith("📝 Seal: AAA") and with_note.text.endswith("…")
    assert len(with_note.text) < 40


# ── through the bot ─────────────────────────────────────────────────────────────────────


@pytest.fixture
async def h(app: Harness) -> Harness:
    """The bot over the demo catalogue. Until bot.dispatcher includes the checkout router, it is
    put where it belongs (before the search router, after the other feature routers); once the
    dispatcher includes it, this does nothing."""
    names = [router.name for router in app.dp.sub_routers]
    if checkout_handlers.__name__ not in names:
        router = checkout_handlers.router.build()
        router.parent_router = app.dp  # appended last, after the catch-all: moved before search
        app.dp.sub_routers.remove(router)
        app.dp.sub_routers.insert(names.index("handlers.search"), router)
    return app


async def stored(h: Harness, user_id: int) -> User:
    async with h.session_factory() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def details(user: User) -> tuple:
    return (user.delivery, user.address, user.phone, user.business_name, user.vat_number)


def keyboard(message) -> dict:
    """The reply keyboard (or its removal) a bot message brought."""
    return message.reply_keyboard or {}


def share_button(message) -> dict:
    rows = keyboard(message).get("keyboard") or [[{}]]
    return rows[0][0]


async def buyer_in(h: Harness, *, language="en", country="Italy", city="Milan", name="Giulia"):
    buyer = h.user(language_code=language, first_name=name)
    await h.onboard(buyer, language=language, country=country, city=city)
    return buyer


async def open_delivery(h: Harness, buyer, locale: str = "en"):
    await h.send(buyer, "/settings")
    await h.tap(buyer, h.t("🚚 Delivery", locale))
    return h.last(buyer)


async def home_delivery(h: Harness, buyer, phone: str = "+39 333 123 4567") -> None:
    await open_delivery(h, buyer)
    await h.tap(buyer, "🏠 Home delivery")
    await h.send(buyer, ADDRESS)
    await h.send(buyer, phone)


_update_ids = itertools.count(900_000_000)


async def share_contact(h: Harness, buyer, phone: str, owner: int | None) -> None:
    """The buyer sends a contact (the emulator has no contact messages: the update goes to the
    dispatcher directly, the replies still travel over HTTP)."""
    contact = {"phone_number": phone, "first_name": buyer.first_name}
    if owner is not None:
        contact["user_id"] = owner
    update = Update.model_validate(
        {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_update_ids),
                "date": int(time.time()),
                "chat": {"id": buyer.id, "type": "private", "first_name": buyer.first_name},
                "from": buyer.to_dict(),
                "contact": contact,
            },
        },
        context={"bot": h.bot},
    )
    await h.dp.feed_update(h.bot, update)


async def test_home_delivery_from_settings(h: Harness):
    buyer = await buyer_in(h)
    settings = await h.send(buyer, "/settings")
    assert "📍 Pickup at the group's pickup point" in settings.text
    screen = await open_delivery(h, buyer)
    assert "How do you collect your orders?" in screen.text
    assert h.button_texts(screen)[:3] == [
        "📍 Pickup point",
        "🏠 Home delivery",
        "🍽 Restaurant delivery",
    ]
    await h.tap(buyer, "🏠 Home delivery")
    question = h.last(buyer)
    assert "Type the delivery address" in question.text
    assert not any("Keep" in t for t in h.button_texts(question))  # nothing to keep yet
    before = details(await stored(h, buyer.id))

    too_long = await h.send(buyer, "x" * (MAX_ADDRESS + 1))
    assert "too long" in too_long.text and "Type the delivery address" in too_long.text
    nul_only = await h.send(buyer, "\x00")  # NUL is stripped at the edge: nothing is left
    assert nul_only.text == "Please type it as text, or press Cancel."
    await h.send(buyer, ADDRESS)
    messages = h.emulator.bot_messages(buyer.id)
    phone_question, share = messages[-2], messages[-1]
    assert "What number can the courier call?" in phone_question.text
    assert "✖ Cancel" in h.button_texts(phone_question)
    assert share_button(share) == {"text": "📱 Share my phone number", "request_contact": True}

    for bad, words in (("call me", "is not a phone number"), ("+39 12", "too short")):
        reply = await h.send(buyer, bad)
        assert words in reply.text and "What number can the courier call?" in reply.text, bad
        assert "remove_keyboard" not in keyboard(reply)  # the share button stays meanwhile
    assert details(await stored(h, buyer.id)) == before  # nothing saved until valid

    done = await h.send(buyer, "+39 333 123 4567")
    assert keyboard(done) == {"remove_keyboard": True}
    assert "✅ Saved." in done.text and ADDRESS_SAVED in done.text and "+393331234567" in done.text
    row = await stored(h, buyer.id)
    assert details(row) == ("home", ADDRESS_SAVED, "+393331234567", None, None)
    again = await h.send(buyer, "/settings")
    assert f"🏠 Home delivery: {ADDRESS_SAVED} · ☎ +393331234567" in again.text
    search = await h.send(buyer, "+39 333 000 0000")  # the dialog is over: a search again
    assert details(await stored(h, buyer.id))[2] == "+393331234567" and search is not None


async def test_restaurant_keeps_skips_and_cancels(h: Harness):
    buyer = await buyer_in(h, name="Wang")
    await home_delivery(h, buyer)
    await open_delivery(h, buyer)
    await h.tap(buyer, "🍽 Restaurant delivery")
    first = h.last(buyer)
    assert "restaurant's address" in first.text
    assert "Keep: Via Paolo Sarpi 10" in " ".join(h.button_texts(first))
    again = await h.send(buyer, "x" * (MAX_ADDRESS + 1))  # asked again, in a new message
    # the first question's Keep no longer counts: only the question on screen does
    old = await h.press(buyer, first, CheckoutCb(a=CheckoutAction.KEEP).pack())
    assert old.get("show_alert") is True and old["text"] == STALE
    await h.tap(buyer, "Keep: Via Paolo Sarpi 10", again)
    phone_question = h.emulator.bot_messages(buyer.id)[-2]
    assert phone_question.message_id == again.message_id  # asked in its place
    assert "What number can the courier call?" in phone_question.text
    await h.tap(buyer, "Keep: +393331234567", phone_question)
    taken, business = h.emulator.bot_messages(buyer.id)[-2:]
    assert keyboard(taken) == {"remove_keyboard": True} and "+393331234567" in taken.text
    assert "business name" in business.text
    assert h.button_texts(business) == ["Skip", "✖ Cancel"]
    await h.tap(buyer, "✖ Cancel", business)
    cancelled = h.last(buyer)
    assert (
        "Cancelled. Nothing was changed." in cancelled.text and "🏠 Home delivery" in cancelled.text
    )
    assert details(await stored(h, buyer.id))[0] == "home"

    await h.tap(buyer, "🍽 Restaurant delivery")
    await h.tap(buyer, "Keep:")
    await h.tap(buyer, "Keep:")
    reply = await h.send(buyer, "Trattoria <Wang> & Figli")
    assert "VAT number" in reply.text
    bad = await h.send(buyer, "12345")
    assert "is not a VAT number" in bad.text and "“12345”" in bad.text
    await h.tap(buyer, "Skip")
    saved = h.last(buyer)
    assert "Trattoria &lt;Wang&gt; &amp; Figli" in saved.html and "VAT" not in saved.text
    assert details(await stored(h, buyer.id)) == (
        "restaurant",
        ADDRESS_SAVED,
        "+393331234567",
        "Trattoria <Wang> & Figli",
        None,
    )

    await open_delivery(h, buyer)
    await h.tap(buyer, "🍽 Restaurant delivery")
    await h.tap(buyer, "Keep:")
    await h.tap(buyer, "Keep:")
    await h.tap(buyer, "Keep: Trattoria <Wang>")
    await h.send(buyer, "it 123.456.789 01")
    final = h.last(buyer)
    assert "🏢 Trattoria &lt;Wang&gt; &amp; Figli · VAT IT12345678901" in final.html
    assert details(await stored(h, buyer.id))[3:] == ("Trattoria <Wang> & Figli", "IT12345678901")
    # a Keep or Skip outside the dialog is out of date
    stray = await h.press(buyer, final, CheckoutCb(a=CheckoutAction.KEEP).pack())
    assert stray.get("show_alert") is True


async def test_the_contact_button_shares_only_the_senders_own_number(h: Harness):
    buyer = await buyer_in(h)
    other = h.user(language_code="en", first_name="Someone")
    await open_delivery(h, buyer)
    await h.tap(buyer, "🏠 Home delivery")
    await h.send(buyer, ADDRESS)
    for owner in (other.id, None):  # someone else's card, or a number not on Telegram
        await share_contact(h, buyer, "393330000000", owner)
        refused = h.last(buyer)
        assert "someone else's contact" in refused.text, owner
        assert "What number can the courier call?" in refused.text
    assert details(await stored(h, buyer.id))[:3] == ("pickup", None, None)
    await share_contact(h, buyer, "393331112222", buyer.id)
    done = h.last(buyer)
    assert keyboard(done) == {"remove_keyboard": True} and "+393331112222" in done.text
    assert details(await stored(h, buyer.id))[:3] == ("home", ADDRESS_SAVED, "+393331112222")
    # a contact after the dialog: nothing changes, and the share button goes
    await share_contact(h, buyer, "393339999999", buyer.id)
    stray = h.last(buyer)
    assert keyboard(stray) == {"remove_keyboard": True} and "/settings" in stray.text
    assert (await stored(h, buyer.id)).phone == "+393331112222"


async def test_cancel_at_the_phone_step_typed_or_tapped(h: Harness):
    buyer = await buyer_in(h)
    await open_delivery(h, buyer)
    await h.tap(buyer, "🏠 Home delivery")
    typed = await h.send(buyer, "/cancel")  # at the address step
    assert typed.text == "Cancelled." and "remove_keyboard" not in keyboard(typed)
    await h.send(buyer, ADDRESS)  # a search now, not an address
    assert details(await stored(h, buyer.id))[:3] == ("pickup", None, None)

    await open_delivery(h, buyer)
    await h.tap(buyer, "🏠 Home delivery")
    await h.send(buyer, ADDRESS)
    typed = await h.send(buyer, "/cancel")
    assert typed.text == "Cancelled. Nothing was changed."
    assert keyboard(typed) == {"remove_keyboard": True}
    await h.send(buyer, "+39 333 123 4567")  # no longer a phone number: a search
    assert details(await stored(h, buyer.id))[:3] == ("pickup", None, None)

    await open_delivery(h, buyer)
    await h.tap(buyer, "🏠 Home delivery")
    await h.send(buyer, ADDRESS)
    question = h.emulator.bot_messages(buyer.id)[-2]
    await h.tap(buyer, "✖ Cancel", question)
    screen = h.emulator.message(buyer.id, question.message_id)
    assert "How do you collect your orders?" in screen.text  # back to Settings → Delivery
    removal = h.last(buyer)
    assert keyboard(removal) == {"remove_keyboard": True}
    assert removal.text == "Cancelled. Nothing was changed."
    assert details(await stored(h, buyer.id))[:3] == ("pickup", None, None)


async def test_pickup_points_and_a_city_without_any(h: Harness):
    buyer = await buyer_in(h)
    await home_delivery(h, buyer)
    await open_delivery(h, buyer)
    await h.tap(buyer, "📍 Pickup point")
    points = h.last(buyer)
    assert "Bazar Sarpi" in points.text
    await h.tap(buyer, "Bazar Sarpi")
    saved = h.last(buyer)
    assert "📍 Pickup at Bazar Sarpi" in saved.text
    row = await stored(h, buyer.id)
    assert row.delivery == "pickup" and row.pickup_point_id is not None
    assert (row.address, row.phone) == (ADDRESS_SAVED, "+393331234567")  # kept for next time
    settings = await h.send(buyer, "/settings")
    assert "📍 Pickup at Bazar Sarpi" in settings.text
    forged = await h.press(buyer, settings, PickupCb(id=99_999).pack())
    assert forged.get("show_alert") is True
    assert (await stored(h, buyer.id)).pickup_point_id == row.pickup_point_id

    madrid = await buyer_in(h, language="es", country="España", city="Madrid")
    await h.send(madrid, "/settings")
    await h.tap(madrid, h.t("🚚 Delivery", "es"))
    await h.tap(madrid, h.t("🏠 Home delivery", "es"))
    await h.send(madrid, "Calle Mayor 5, 28013 Madrid")
    await h.send(madrid, "+34 600 123 456")
    assert (await stored(h, madrid.id)).delivery == "home"
    await h.send(madrid, "/settings")
    await h.tap(madrid, h.t("🚚 Delivery", "es"))
    await h.tap(madrid, h.t("📍 Pickup point", "es"))  # Madrid has no pickup points: done
    assert h.t("✅ Saved.", "es") in h.last(madrid).text
    assert (await stored(h, madrid.id)).delivery == "pickup"


async def test_an_italian_buyer_goes_through_the_restaurant_dialog(h: Harness):
    """Structural checks: the labels tapped are the catalogue's Italian (the same as the English
    until the new messages are translated)."""
    it = "it"
    buyer = await buyer_in(h, language=it, country="Italia", city="Milano", name="Marco")
    await open_delivery(h, buyer, it)
    await h.tap(buyer, h.t("🍽 Restaurant delivery", it))
    await h.send(buyer, "Via Padova 3, Milano")
    share = h.last(buyer)
    assert share_button(share) == {
        "text": h.t("📱 Share my phone number", it),
        "request_contact": True,
    }
    await share_contact(h, buyer, "+393401234567", buyer.id)
    await h.send(buyer, "Ristorante Marco")
    await h.tap(buyer, h.t("Skip", it))
    saved = h.last(buyer)
    assert h.t("✅ Saved.", it) in saved.text and "Ristorante Marco" in saved.text
    assert details(await stored(h, buyer.id)) == (
        "restaurant",
        "Via Padova 3, Milano",
        "+393401234567",
        "Ristorante Marco",
        None,
    )
    assert h.unanswered_taps() == []


# ── notes on order lines ────────────────────────────────────────────────────────────────


async def seal_group(h: Harness) -> tuple[GroupOrder, int, int]:
    """An open Milan group with the carved seal and shiitake: (group, seal offer, shiitake)."""
    group = await open_group(
        h,
        "country=IT city=Milan method=air deadline=+2d min=10 "
        "offer=stone-seal:120 offer=dried-shiitake:38",
    )
    async with h.session_factory() as session:
        rows = (
            await session.exec(
                select(GroupOffer, Product)
                .join(Product, Product.id == GroupOffer.product_id)
                .where(GroupOffer.group_id == group.id)
            )
        ).all()
    by_slug = {product.slug: offer.id for offer, product in rows}
    return group, by_slug["stone-seal"], by_slug["dried-shiitake"]


async def join(h: Harness, buyer, group: GroupOrder, offer: int, quantity: int = 1) -> None:
    await h.send(buyer, "/groups")
    await h.press(buyer, h.last(buyer), QtyCb(g=group.id, o=offer, n=quantity, a="ok").pack())


async def note_of(h: Harness, group_id: int, user_id: int, offer: int) -> str | None:
    async with h.session_factory() as session:
        line = (
            await session.exec(
                select(OrderLine)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.group_id == group_id, Order.user_id == user_id)
                .where(OrderLine.offer_id == offer)
            )
        ).one()
    return line.note


async def test_a_note_on_a_line_set_changed_and_removed(h: Harness):
    group, seal, _shiitake = await seal_group(h)
    buyer = await buyer_in(h)
    await join(h, buyer, group, seal)
    await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    question = h.last(buyer)
    assert "Type the note for Qingtian stone seal" in question.text and "200" in question.text
    assert h.button_texts(question) == ["✖ Cancel"]  # nothing to remove yet

    too_long = await h.send(buyer, "x" * (MAX_NOTE + 1))
    assert "too long" in too_long.text and "Type the note for" in too_long.text
    two_lines = await h.send(buyer, "王\n伟")
    assert "one line" in two_lines.text
    nul_only = await h.send(buyer, "\x00")
    assert nul_only.text == "Please type it as text, or press Cancel."
    assert await note_of(h, group.id, buyer.id, seal) is None

    saved = await h.send(buyer, "<b>王伟</b> & Co")
    assert "&lt;b&gt;王伟&lt;/b&gt; &amp; Co" in saved.html and "<b>王伟</b>" not in saved.html
    assert saved.buttons == [[("⬅ Back to the group", GroupCb(id=group.id).pack())]]
    assert await note_of(h, group.id, buyer.id, seal) == "<b>王伟</b> & Co"

    await h.press(buyer, saved, NoteCb(g=group.id, o=seal).pack())
    await h.send(buyer, "Wang\x00Wei")  # NUL never gets past the edge
    assert await note_of(h, group.id, buyer.id, seal) == "WangWei"

    await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    question = h.last(buyer)
    assert "WangWei" in question.text
    await h.tap(buyer, "✖ Cancel", question)
    assert h.last(buyer).buttons == [[("⬅ Back to the group", GroupCb(id=group.id).pack())]]
    await h.send(buyer, "not a note")  # the dialog ended: a search
    assert await note_of(h, group.id, buyer.id, seal) == "WangWei"

    await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    await h.tap(buyer, "🗑 Remove the note")
    assert "removed" in h.last(buyer).text
    assert await note_of(h, group.id, buyer.id, seal) is None
    assert h.unanswered_taps() == []


async def test_forged_note_buttons_change_nothing(h: Harness):
    group, seal, shiitake = await seal_group(h)
    _other, other_seal, _ = await seal_group(h)
    buyer = await buyer_in(h)
    stranger = await buyer_in(h, name="Tom")
    await join(h, buyer, group, seal)
    await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    await h.send(buyer, "王伟")

    forged = {
        "You have no order in this group.": (stranger, NoteCb(g=group.id, o=seal)),
        "This product is not offered in this group.": (buyer, NoteCb(g=group.id, o=other_seal)),
        "This product is not in your order, so it can't have a note. Nothing was changed.": (
            buyer, NoteCb(g=group.id, o=shiitake)
        ),
        "This group order does not exist.": (buyer, NoteCb(g=987_654, o=seal)),
    }  # fmt: skip
    for text, (who, data) in forged.items():
        for clear in (False, True):
            answer = await h.press(
                who, h.last(who), data.model_copy(update={"clear": clear}).pack()
            )
            assert answer.get("show_alert") is True and answer["text"] == text, (text, clear)
    assert await note_of(h, group.id, buyer.id, seal) == "王伟"

    # the question asked before the deadline, the note typed after it
    await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    h.clock.advance(timedelta(days=2, seconds=1))
    late = await h.send(buyer, "李明")
    assert late.text == "This group order has closed: its deadline has passed. Nothing was changed."
    for clear in (False, True):
        answer = await h.press(buyer, late, NoteCb(g=group.id, o=seal, clear=clear).pack())
        assert answer.get("show_alert") is True and "closed" in answer["text"]
    await h.tick()  # the deadline pass: the group fails (below its minimum)
    closed = await h.press(buyer, h.last(buyer), NoteCb(g=group.id, o=seal).pack())
    assert closed.get("show_alert") is True
    assert closed["text"] == "This group order is no longer open. Nothing was changed."
    assert await note_of(h, group.id, buyer.id, seal) == "王伟"


# ── asked once, after a first order ─────────────────────────────────────────────────────


async def test_the_question_comes_with_a_first_order_only(h: Harness):
    from services import checkout, groups
    from ui.checkout import delivery_question

    group, seal, shiitake = await seal_group(h)
    second, second_seal, _ = await seal_group(h)
    buyer = await buyer_in(h)
    now = h.clock.now()

    async def change(group_id: int, offer: int, quantity: int):
        async with h.session_factory() as session:
            done = await groups.set_quantity(
                session, group_id=group_id, offer_id=offer, user_id=buyer.id,
                quantity=quantity, now=now,
            )  # fmt: skip
            user = await session.get(User, buyer.id)
            return await checkout.should_ask_delivery(session, user=user, change=done)

    assert await change(group.id, seal, 1) is True  # the first order, never chose
    assert await change(group.id, seal, 2) is False  # a change of it
    assert await change(group.id, shiitake, 1) is False  # another line of it
    assert await change(second.id, second_seal, 1) is False  # a second order: asked already

    # the question's buttons lead into the dialog
    user = await stored(h, buyer.id)
    with h.i18n.context(), h.i18n.use_locale("en"):
        text, markup = delivery_question(user)
    await h.bot.send_message(buyer.id, text, reply_markup=markup)
    await h.tap(buyer, "🏠 Home delivery")
    assert "Type the delivery address" in h.last(buyer).text
    await h.send(buyer, ADDRESS)
    await h.send(buyer, "+39 333 123 4567")
    chosen = await stored(h, buyer.id)
    assert has_chosen(chosen)
