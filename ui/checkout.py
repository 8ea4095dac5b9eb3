"""Checkout details as buyers and agents read them: how a buyer collects their orders (a pickup
point, home or restaurant delivery), the questions of the dialog that asks for the address, the
phone number and a restaurant's business details, and the note on an order line."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from domain.catalog import localized
from domain.checkout import (
    MAX_ADDRESS,
    MAX_NOTE,
    CheckoutError,
    Delivery,
    has_chosen,
)
from domain.errors import GroupError
from models import OrderLine, PickupPoint, Product, User
from ui.callbacks import (
    CheckoutAction,
    CheckoutCb,
    GroupCb,
    MenuAction,
    MenuCb,
    NoteCb,
    SettingsAction,
    SettingsCb,
)
from ui.context import current
from ui.errors import error_text
from ui.groups import shorten
from ui.render import button, home_button, q

KEEP_LABEL = 40  # characters of a kept detail shown on its "Keep" button
NOTE_LABEL = 24  # characters of a note shown on its line's button


class CheckoutState(StatesGroup):
    """The delivery dialog (from /settings, or the question after a first order): what was
    typed so far is in the state's data, and saved only at the end."""

    address = State()
    phone = State()
    business = State()
    vat = State()


CHECKOUT_STATES = frozenset(state.state for state in CheckoutState.__states__)


class NoteState(StatesGroup):
    text = State()  # the next text is the note of the line (group, offer) in the state's data


# ── how a buyer collects ────────────────────────────────────────────────────────────────


def delivery_summary(user: User, points: Sequence[PickupPoint]) -> str:
    """The buyer's choice in one line (HTML): where they collect, or where orders are
    delivered. `points`: the open pickup points of their city (to name theirs)."""
    if user.delivery in (Delivery.HOME, Delivery.RESTAURANT) and user.address:
        return _delivered(user)
    chosen = next((p for p in points if p.id == user.pickup_point_id), None)
    if chosen is not None:
        return _("📍 Pickup at {point}").format(point=q(chosen.name))
    return _("📍 Pickup at the group's pickup point")


def _delivered(user: User) -> str:
    address, phone = q(user.address or "—"), q(user.phone or "—")
    if user.delivery == Delivery.RESTAURANT:
        return _("🍽 Restaurant delivery: {address} · ☎ {phone}").format(
            address=address, phone=phone
        )
    return _("🏠 Home delivery: {address} · ☎ {phone}").format(address=address, phone=phone)


def business_line(user: User) -> str | None:
    """A restaurant's business name and VAT number, when it gave either (HTML)."""
    name, vat = user.business_name, user.vat_number
    if name and vat:
        return _("🏢 {name} · VAT {number}").format(name=q(name), number=q(vat))
    if name:
        return "🏢 " + q(name)
    if vat:
        return _("🏢 VAT {number}").format(number=q(vat))
    return None


def delivery_lines(user: User) -> list[str]:
    """What an agent needs to deliver a buyer's order (HTML, escaped): the address and phone, a
    restaurant's business details. Nothing for a buyer who collects at a pickup point."""
    if user.delivery not in (Delivery.HOME, Delivery.RESTAURANT) or not user.address:
        return []
    lines = [_delivered(user)]
    business = business_line(user) if user.delivery == Delivery.RESTAURANT else None
    if business:
        lines.append(business)
    return lines


def choices_markup(user: User, *, new: bool = False) -> list[list[InlineKeyboardButton]]:
    """The three ways to collect, the buyer's own ticked once they chose."""
    mark = user.delivery if has_chosen(user) else None
    rows = []
    for delivery, action, label in (
        (Delivery.PICKUP, CheckoutAction.PICKUP, _("📍 Pickup point")),
        (Delivery.HOME, CheckoutAction.HOME, _("🏠 Home delivery")),
        (Delivery.RESTAURANT, CheckoutAction.RESTAURANT, _("🍽 Restaurant delivery")),
    ):
        tick = "✓ " if mark == delivery else ""
        rows.append([button(tick + label, CheckoutCb(a=action, new=new).pack())])
    return rows


def settings_buttons() -> list[InlineKeyboardButton]:
    return [button(_("⬅ Settings"), SettingsCb(action=SettingsAction.SHOW).pack()), home_button()]


def delivery_screen(
    user: User, points: Sequence[PickupPoint], *, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Settings → Delivery: the buyer's choice and the three ways to change it."""
    lines = [_("🚚 <b>Delivery</b>"), "", delivery_summary(user, points)]
    business = business_line(user) if user.delivery == Delivery.RESTAURANT else None
    if business:
        lines.append(business)
    lines += ["", _("How do you collect your orders?")]
    if note:
        lines = [note, "", *lines]
    rows = [*choices_markup(user), settings_buttons()]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def delivery_question(user: User) -> tuple[str, InlineKeyboardMarkup]:
    """Asked once, after a buyer's first order: how they collect (kept for the next ones)."""
    text = "\n".join(
        [
            _("🚚 How do you collect your orders?"),
            _("You choose once: it is kept for your next orders (change it in /settings)."),
        ]
    )
    return text, InlineKeyboardMarkup(inline_keyboard=choices_markup(user))


def with_delivery_question(
    text: str, markup: InlineKeyboardMarkup, user: User
) -> tuple[str, InlineKeyboardMarkup]:
    """A group card with the question under it and its three choices above the card's own
    buttons (each opens its dialog in a new message, so the card stays)."""
    question, _markup = delivery_question(user)
    rows = [*choices_markup(user, new=True), *markup.inline_keyboard]
    return f"{text}\n\n{question}", InlineKeyboardMarkup(inline_keyboard=rows)


async def send_delivery_question(target: Message | CallbackQuery, user: User) -> None:
    """The question, as a new message under what the buyer sees (a group card stays as it is).
    For handlers.groups, after a join that `services.checkout.should_ask_delivery` says needs
    it."""
    text, markup = delivery_question(user)
    await send_new(target, text, markup)


async def send_new(
    target: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
) -> Message | None:
    """A new message in the chat of a message or of a tapped button."""
    if isinstance(target, Message):
        return await target.answer(text, reply_markup=markup)
    message = target.message
    if message is not None and not isinstance(message, InaccessibleMessage):
        return await message.answer(text, reply_markup=markup)
    if target.bot is not None:
        return await target.bot.send_message(target.from_user.id, text, reply_markup=markup)
    return None


def saved_text(user: User, points: Sequence[PickupPoint]) -> str:
    """The end of the dialog: what was saved (HTML)."""
    lines = [_("✅ Saved."), delivery_summary(user, points)]
    business = business_line(user) if user.delivery == Delivery.RESTAURANT else None
    if business:
        lines.append(business)
    lines += ["", _("You can change it any time in /settings.")]
    return "\n".join(lines)


def saved_view(user: User, points: Sequence[PickupPoint]) -> tuple[str, InlineKeyboardMarkup]:
    return saved_text(user, points), InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🚚 Delivery"), CheckoutCb(a=CheckoutAction.SHOW).pack())],
            settings_buttons(),
        ]
    )


# ── the dialog's questions ──────────────────────────────────────────────────────────────


def _cancel() -> InlineKeyboardButton:
    return button(_("✖ Cancel"), MenuCb(action=MenuAction.CANCEL).pack())


def _keep(value: str | None) -> list[list[InlineKeyboardButton]]:
    if not value:
        return []
    label = _("Keep: {value}").format(value=shorten(value, KEEP_LABEL))
    return [[button(label, CheckoutCb(a=CheckoutAction.KEEP).pack())]]


def _skip() -> InlineKeyboardButton:
    return button(_("Skip"), CheckoutCb(a=CheckoutAction.SKIP).pack())


def address_question(delivery: str, kept: str | None) -> tuple[str, InlineKeyboardMarkup]:
    limit = ngettext("Up to {limit} character.", "Up to {limit} characters.", MAX_ADDRESS).format(
        limit=MAX_ADDRESS
    )
    if delivery == Delivery.RESTAURANT:
        lines = [
            _("🍽 <b>Restaurant delivery</b>"),
            _("Type the restaurant's address: street and number, postcode and city."),
        ]
    else:
        lines = [
            _("🏠 <b>Home delivery</b>"),
            _("Type the delivery address: street and number, postcode and city."),
        ]
    lines.append(limit)
    if kept:
        lines.append(_("Or keep the one you gave before: {address}").format(address=q(kept)))
    rows = [*_keep(kept), [_cancel()]]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def phone_question(kept: str | None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _(
            "☎ What number can the courier call? Type it with the country code, for example "
            "+39 333 123 4567."
        )
    ]
    if kept:
        lines.append(_("Or keep the one you gave before: {phone}").format(phone=q(kept)))
    rows = [*_keep(kept), [_cancel()]]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def share_phone_label() -> str:
    return _("📱 Share my phone number")


def phone_keyboard() -> tuple[str, ReplyKeyboardMarkup]:
    """The message under the phone question that brings the button sharing the account's own
    number (a reply keyboard can't share a message with inline buttons)."""
    text = _("Or tap “{button}” below to send the number of this Telegram account.").format(
        button=share_phone_label()
    )
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=share_phone_label(), request_contact=True)]],
        resize_keyboard=True,
        input_field_placeholder="+39 333 123 4567",
    )
    return text, markup


def phone_taken_text(phone: str) -> str:
    """Sent with the removal of the share button, once a number is taken (HTML)."""
    return _("☎ Phone number: {phone}").format(phone=q(phone))


def business_question(kept: str | None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _(
            "🏢 The restaurant's business name, to put on its orders (optional): type it, or "
            "press Skip."
        )
    ]
    if kept:
        lines.append(_("Or keep the one you gave before: {name}").format(name=q(kept)))
    rows = [*_keep(kept), [_skip(), _cancel()]]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def vat_question(kept: str | None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _(
            "🧾 The restaurant's VAT number (optional), for example IT12345678901: type it, or "
            "press Skip."
        )
    ]
    if kept:
        lines.append(_("Or keep the one you gave before: {number}").format(number=q(kept)))
    rows = [*_keep(kept), [_skip(), _cancel()]]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def not_text_text() -> str:
    return _("Please type it as text, or press Cancel.")


def not_own_contact_text() -> str:
    return _(
        "That is someone else's contact. Tap “{button}” to share your own number, or type it."
    ).format(button=share_phone_label())


def stray_contact_text() -> str:
    return _("To give a phone number for delivery, open /settings and choose 🚚 Delivery.")


def cancelled_text() -> str:
    return _("Cancelled. Nothing was changed.")


def checkout_error_text(error: CheckoutError) -> str:
    """What is wrong with a detail typed in the dialog (or a note), and how to type it."""
    code = error.code
    value = q(str(error.details.get("value", ""))[:64])
    if code in ("address_empty", "business_empty", "note_empty", "vat_empty", "phone_empty"):
        return _("That was empty. Please type it again, or press Cancel.")
    if code in ("address_chars", "business_chars", "note_chars"):
        return _(
            "That contains characters that can't be used here (control or invisible "
            "characters). Please type it again."
        )
    if code in ("address_long", "business_long", "note_long"):
        limit = int(str(error.details.get("limit", MAX_NOTE)))
        return ngettext(
            "That is too long: at most {limit} character, please.",
            "That is too long: at most {limit} characters, please.",
            limit,
        ).format(limit=limit)
    if code == "note_lines":
        return _("Please type the note on one line.")
    if code == "phone_chars":
        return _(
            "“{value}” is not a phone number. Use digits (spaces, dashes and parentheses are "
            "fine) and start with + and the country code, for example +39 333 123 4567."
        ).format(value=value)
    if code == "phone_short":
        return _(
            "“{value}” is too short for a phone number. Type it with the country code, for "
            "example +39 333 123 4567."
        ).format(value=value)
    if code == "phone_long":
        return _(
            "“{value}” is too long for a phone number. Type a single number, with the country "
            "code, for example +39 333 123 4567."
        ).format(value=value)
    if code == "vat_format":
        return _(
            "“{value}” is not a VAT number. It starts with the two letters of the country, "
            "then the number, for example IT12345678901."
        ).format(value=value)
    return _("That did not work. Please try again.")


# ── notes on order lines ────────────────────────────────────────────────────────────────


def product_name(product: Product) -> str:
    return localized(product.names, current().locale)


def note_text(line: OrderLine) -> str | None:
    """A line's note as agents and pick lists show it (HTML, escaped), or None."""
    return f"📝 {q(line.note)}" if line.note else None


def back_to_group(group_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("⬅ Back to the group"), GroupCb(id=group_id).pack())]]
    )


def note_question(
    group_id: int, offer_id: int, product: Product, note: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        ngettext(
            "📝 Type the note for <b>{product}</b> (for example the name to carve on a seal), "
            "up to {limit} character.",
            "📝 Type the note for <b>{product}</b> (for example the name to carve on a seal), "
            "up to {limit} characters.",
            MAX_NOTE,
        ).format(product=q(product_name(product)), limit=MAX_NOTE)
    ]
    rows = []
    if note:
        lines.append(_("The note now: {note}").format(note=q(note)))
        rows.append(
            [button(_("🗑 Remove the note"), NoteCb(g=group_id, o=offer_id, clear=True).pack())]
        )
    rows.append([_cancel()])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def note_saved_view(group_id: int, product: Product, note: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _("📝 Note saved for <b>{product}</b>: {note}").format(
        product=q(product_name(product)), note=q(note)
    )
    return text, back_to_group(group_id)


def note_removed_view(group_id: int, product: Product) -> tuple[str, InlineKeyboardMarkup]:
    text = _("🗑 The note on <b>{product}</b> is removed.").format(product=q(product_name(product)))
    return text, back_to_group(group_id)


def note_cancelled_view(group_id: int) -> tuple[str, InlineKeyboardMarkup]:
    return cancelled_text(), back_to_group(group_id)


def note_error_text(error: GroupError | CheckoutError) -> str:
    """Why a note can't be written: a typing mistake, or the line is not (any more) one the
    buyer may annotate."""
    if isinstance(error, CheckoutError):
        return checkout_error_text(error)
    if error.code == "no_line":
        return _("This product is not in your order, so it can't have a note. Nothing was changed.")
    return error_text(error)
