"""Checkout details: Settings → 🚚 Delivery (a pickup point, or home or restaurant delivery with
an address and a phone number, a restaurant's business name and VAT number), asked once and
reused; and the note on a line of the buyer's order (the name to carve on a seal).

The delivery dialog keeps what was typed in the state's data and saves it all at the end, so a
Cancel (handlers.profile.on_cancel, or a typed /cancel) at any step changes nothing. A Keep or
Skip button counts only on the question it came with (the one whose id is in the data)."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.checkout import (
    CheckoutError,
    Delivery,
    contact_phone,
    parse_address,
    parse_business_name,
    parse_phone,
    parse_vat,
)
from domain.errors import GroupError
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import checkout
from ui.callbacks import CheckoutAction, CheckoutCb, NoteCb
from ui.checkout import (
    CHECKOUT_STATES,
    CheckoutState,
    NoteState,
    address_question,
    back_to_group,
    business_question,
    checkout_error_text,
    delivery_screen,
    not_own_contact_text,
    not_text_text,
    note_error_text,
    note_question,
    note_removed_view,
    note_saved_view,
    phone_keyboard,
    phone_question,
    phone_taken_text,
    saved_text,
    saved_view,
    send_new,
    stray_contact_text,
    vat_question,
)
from ui.profile import pickup_view
from ui.render import cancel_markup, show, stale

router = RouterSpec(__name__)

# the dialog's data
DELIVERY, ADDRESS, PHONE, BUSINESS = "co_delivery", "co_address", "co_phone", "co_business"
ASKED = "co_asked"  # the message id of the question on screen (its Keep / Skip count)
NOTE_GROUP, NOTE_OFFER = "note_group", "note_offer"

TYPED = (F.text, ~F.text.startswith("/"))


async def _reply(
    callback: CallbackQuery, new: bool, text: str, markup: InlineKeyboardMarkup
) -> None:
    """In place of the message tapped, or (from a notice or another screen) as a new one."""
    if new:
        await send_new(callback, text, markup)
    else:
        await show(callback, text, markup)


async def _ask(
    target: Message | CallbackQuery, state: FSMContext, text: str, markup: InlineKeyboardMarkup,
    *, new: bool = False,
) -> None:  # fmt: skip
    """Show a question of the dialog (a tapped button's message becomes it, unless `new`; a
    typed answer gets it as a new message) and remember which message it is."""
    if not new and isinstance(target, CallbackQuery) and isinstance(target.message, Message):
        await show(target, text, markup)
        asked = target.message.message_id
    else:
        sent = await send_new(target, text, markup)
        asked = sent.message_id if sent is not None else 0
    await state.update_data({ASKED: asked})


async def _on_question(callback: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    """The dialog's data, if the button tapped is on the question now asked (else None)."""
    data = await state.get_data()
    message = callback.message
    if message is None or message.message_id != data.get(ASKED):
        return None
    return data


async def _drop_buttons(callback: CallbackQuery) -> None:
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass  # already without buttons, or too old to edit: harmless


# ── Settings → Delivery ─────────────────────────────────────────────────────────────────


@router.callback_query(CheckoutCb.filter(F.a == CheckoutAction.SHOW))
async def on_show(
    callback: CallbackQuery, callback_data: CheckoutCb, session: AsyncSession, user: User,
    state: FSMContext,
) -> None:  # fmt: skip
    if await state.get_state() in CHECKOUT_STATES:
        await confirm.clear_dialog(state)
    points = await checkout.pickup_points_of(session, user)
    await callback.answer()
    await _reply(callback, callback_data.new, *delivery_screen(user, points))


@router.callback_query(CheckoutCb.filter(F.a == CheckoutAction.PICKUP))
async def on_pickup(
    callback: CallbackQuery, callback_data: CheckoutCb, session: AsyncSession, user: User,
    state: FSMContext,
) -> None:  # fmt: skip
    """Collect at a pickup point: the city's points to choose from (handlers.profile.on_pickup
    takes the choice), or where the city has none, whichever point each group names."""
    if await state.get_state() in CHECKOUT_STATES:
        await confirm.clear_dialog(state)
    points = await checkout.pickup_points_of(session, user)
    if points:
        await callback.answer()
        await _reply(callback, callback_data.new, *pickup_view(points, user))
        return
    await checkout.choose_pickup(session, user=user, point_id=None)
    await callback.answer(_("Saved."))
    await _reply(callback, callback_data.new, *saved_view(user, points))


@router.callback_query(CheckoutCb.filter(F.a.in_({CheckoutAction.HOME, CheckoutAction.RESTAURANT})))
async def on_delivery(
    callback: CallbackQuery, callback_data: CheckoutCb, user: User, state: FSMContext
) -> None:
    """Home or restaurant delivery: the address first (the one given before may be kept)."""
    delivery = Delivery.HOME if callback_data.a == CheckoutAction.HOME else Delivery.RESTAURANT
    await confirm.clear_dialog(state)
    await state.set_state(CheckoutState.address)
    await state.update_data({DELIVERY: str(delivery)})
    await callback.answer()
    await _ask(callback, state, *address_question(delivery, user.address), new=callback_data.new)


@router.message(StateFilter(CheckoutState.address), *TYPED)
async def on_address(message: Message, user: User, state: FSMContext) -> None:
    data = await state.get_data()
    try:
        address = parse_address(message.text or "")
    except CheckoutError as error:
        text, markup = address_question(str(data.get(DELIVERY)), user.address)
        await _ask(message, state, checkout_error_text(error) + "\n\n" + text, markup)
        return
    await state.update_data({ADDRESS: address})
    await _ask_phone(message, state, user)


async def _ask_phone(target: Message | CallbackQuery, state: FSMContext, user: User) -> None:
    """The phone question, then the button that shares the account's number (a reply keyboard,
    on a message of its own: it can't share one with the question's inline buttons)."""
    await state.set_state(CheckoutState.phone)
    await _ask(target, state, *phone_question(user.phone))
    await send_new(target, *phone_keyboard())


@router.message(StateFilter(CheckoutState.phone), F.contact)
async def on_contact(
    message: Message, session: AsyncSession, user: User, state: FSMContext
) -> None:
    """The number shared with the button: only the sender's own (a contact card forwarded or
    picked from the address book is someone else's, or no one's on Telegram)."""
    contact = message.contact
    assert contact is not None
    sender = message.from_user.id if message.from_user else None
    if contact.user_id is None or contact.user_id != sender:
        text, markup = phone_question(user.phone)
        await _ask(message, state, not_own_contact_text() + "\n\n" + text, markup)
        return
    try:
        phone = contact_phone(contact.phone_number)
    except CheckoutError as error:
        text, markup = phone_question(user.phone)
        await _ask(message, state, checkout_error_text(error) + "\n\n" + text, markup)
        return
    await _phone_given(message, session, user, state, phone)


@router.message(StateFilter(CheckoutState.phone), *TYPED)
async def on_phone(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    try:
        phone = parse_phone(message.text or "")
    except CheckoutError as error:
        text, markup = phone_question(user.phone)
        await _ask(message, state, checkout_error_text(error) + "\n\n" + text, markup)
        return
    await _phone_given(message, session, user, state, phone)


async def _phone_given(
    target: Message | CallbackQuery, session: AsyncSession, user: User, state: FSMContext,
    phone: str,
) -> None:  # fmt: skip
    """The phone step is over: the share button goes. Home delivery is saved now; a restaurant
    is asked its business details first."""
    data = await state.get_data()
    if data.get(DELIVERY) != Delivery.RESTAURANT:
        await checkout.set_delivery(
            session, user=user, delivery=Delivery.HOME, address=data[ADDRESS], phone=phone,
        )  # fmt: skip
        await confirm.clear_dialog(state)
        points = await checkout.pickup_points_of(session, user)
        # a message without inline buttons: it is the one that takes the share button away
        await send_new(target, saved_text(user, points), ReplyKeyboardRemove())
        return
    await state.update_data({PHONE: phone})
    await send_new(target, phone_taken_text(phone), ReplyKeyboardRemove())
    await state.set_state(CheckoutState.business)
    await _ask(target, state, *business_question(user.business_name), new=True)


@router.message(StateFilter(CheckoutState.business), *TYPED)
async def on_business(message: Message, user: User, state: FSMContext) -> None:
    try:
        name = parse_business_name(message.text or "")
    except CheckoutError as error:
        text, markup = business_question(user.business_name)
        await _ask(message, state, checkout_error_text(error) + "\n\n" + text, markup)
        return
    await _business_given(message, user, state, name)


async def _business_given(
    target: Message | CallbackQuery, user: User, state: FSMContext, name: str | None
) -> None:
    await state.update_data({BUSINESS: name})
    await state.set_state(CheckoutState.vat)
    await _ask(target, state, *vat_question(user.vat_number))


@router.message(StateFilter(CheckoutState.vat), *TYPED)
async def on_vat(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    try:
        vat = parse_vat(message.text or "")
    except CheckoutError as error:
        text, markup = vat_question(user.vat_number)
        await _ask(message, state, checkout_error_text(error) + "\n\n" + text, markup)
        return
    await _finish_restaurant(message, session, user, state, vat)


async def _finish_restaurant(
    target: Message | CallbackQuery, session: AsyncSession, user: User, state: FSMContext,
    vat: str | None,
) -> None:  # fmt: skip
    data = await state.get_data()
    business = data.get(BUSINESS)
    await checkout.set_delivery(
        session, user=user, delivery=Delivery.RESTAURANT, address=data[ADDRESS],
        phone=data[PHONE], business_name=str(business) if business else None,
        vat_number=vat,
    )  # fmt: skip
    await confirm.clear_dialog(state)
    points = await checkout.pickup_points_of(session, user)
    text, markup = saved_view(user, points)
    if isinstance(target, CallbackQuery):
        await show(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


@router.callback_query(CheckoutCb.filter(F.a.in_({CheckoutAction.KEEP, CheckoutAction.SKIP})))
async def on_keep_or_skip(
    callback: CallbackQuery, callback_data: CheckoutCb, session: AsyncSession, user: User,
    state: FSMContext,
) -> None:  # fmt: skip
    """Keep the detail given before, or leave an optional one empty: for the question now
    asked, only."""
    data = await _on_question(callback, state)
    step = await state.get_state()
    keep = callback_data.a == CheckoutAction.KEEP
    if data is None:
        await stale(callback)
        return
    if keep and step == CheckoutState.address.state and user.address:
        await state.update_data({ADDRESS: user.address})
        await callback.answer()
        await _ask_phone(callback, state, user)
    elif keep and step == CheckoutState.phone.state and user.phone:
        await callback.answer()
        await _drop_buttons(callback)
        await _phone_given(callback, session, user, state, user.phone)
    elif step == CheckoutState.business.state and (not keep or user.business_name):
        await callback.answer()
        await _business_given(callback, user, state, user.business_name if keep else None)
    elif step == CheckoutState.vat.state and (not keep or user.vat_number):
        await callback.answer()
        await _finish_restaurant(callback, session, user, state, user.vat_number if keep else None)
    else:
        await stale(callback)


@router.message(StateFilter(*CheckoutState.__states__), ~F.text, ~F.contact)
async def on_not_text(message: Message) -> None:
    await message.answer(not_text_text(), reply_markup=cancel_markup())


@router.message(F.contact)
async def on_stray_contact(message: Message) -> None:
    """A contact outside the phone step (the share button left on screen after the dialog
    ended some other way): nothing is saved, and the button goes."""
    await message.answer(stray_contact_text(), reply_markup=ReplyKeyboardRemove())


# ── a note on an order line ─────────────────────────────────────────────────────────────


@router.callback_query(NoteCb.filter(~F.clear))
async def on_note(
    callback: CallbackQuery, callback_data: NoteCb, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    """Ask for the note on the buyer's own line (any other is refused, and nothing changes)."""
    try:
        target = await checkout.note_target(
            session, group_id=callback_data.g, offer_id=callback_data.o, user_id=user.id,
            now=clock.now(),
        )  # fmt: skip
    except GroupError as error:
        await callback.answer(note_error_text(error), show_alert=True)
        return
    await confirm.clear_dialog(state)
    await state.set_state(NoteState.text)
    await state.update_data({NOTE_GROUP: callback_data.g, NOTE_OFFER: callback_data.o})
    await callback.answer()
    await show(
        callback, *note_question(callback_data.g, callback_data.o, target.product, target.line.note)
    )


@router.callback_query(NoteCb.filter(F.clear))
async def on_note_clear(
    callback: CallbackQuery, callback_data: NoteCb, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    try:
        target = await checkout.set_line_note(
            session, group_id=callback_data.g, offer_id=callback_data.o, user_id=user.id,
            note=None, now=clock.now(),
        )  # fmt: skip
    except GroupError as error:
        await callback.answer(note_error_text(error), show_alert=True)
        return
    if await state.get_state() == NoteState.text.state:
        await confirm.clear_dialog(state)
    await callback.answer(_("Note removed."))
    await show(callback, *note_removed_view(callback_data.g, target.product))


@router.message(StateFilter(NoteState.text), *TYPED)
async def on_note_typed(
    message: Message, session: AsyncSession, user: User, state: FSMContext, clock: Clock
) -> None:
    data = await state.get_data()
    group_id, offer_id = int(data.get(NOTE_GROUP, 0)), int(data.get(NOTE_OFFER, 0))
    where: dict[str, Any] = {
        "group_id": group_id,
        "offer_id": offer_id,
        "user_id": user.id,
        "now": clock.now(),
    }
    try:
        target = await checkout.set_line_note(session, note=message.text or "", **where)
    except GroupError as error:  # closed (or left) since the question: the dialog ends
        await confirm.clear_dialog(state)
        await message.answer(note_error_text(error), reply_markup=back_to_group(group_id))
        return
    except CheckoutError as error:  # typed wrong: the same question again
        try:
            again = await checkout.note_target(session, **where)
        except GroupError as gone:
            await confirm.clear_dialog(state)
            await message.answer(note_error_text(gone), reply_markup=back_to_group(group_id))
            return
        text, markup = note_question(group_id, offer_id, again.product, again.line.note)
        await message.answer(note_error_text(error) + "\n\n" + text, reply_markup=markup)
        return
    await confirm.clear_dialog(state)
    text, markup = note_saved_view(group_id, target.product, target.line.note or "")
    await message.answer(text, reply_markup=markup)


@router.message(StateFilter(NoteState.text), ~F.text)
async def on_note_not_text(message: Message) -> None:
    await message.answer(not_text_text(), reply_markup=cancel_markup())
