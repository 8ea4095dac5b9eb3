"""Buyers' group orders: /groups, the group card, joining with a quantity, leaving, reminders,
sharing, and /orders."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers.routing import RouterSpec
from models import GroupOrder, User
from services import checkout, groups
from services.groups import GroupError
from ui.callbacks import GroupCb, MenuCb, QtyCb
from ui.checkout import with_delivery_question
from ui.errors import error_text
from ui.groups import card_view, leave_view, list_view, orders_view, quantity_note
from ui.links import share_url
from ui.picker import picker_view
from ui.render import cancel_markup, q, show, stale
from ui.states import JoinState

router = RouterSpec(__name__)


async def show_group(
    target: Message | CallbackQuery, session: AsyncSession, bot: Bot, user: User, group_id: int, now
) -> bool:  # noqa: ANN001
    try:
        screen = await groups.group_screen(session, group_id=group_id, user=user)
    except GroupError:
        return False
    await show(target, *card_view(screen, user, now, await share_url(bot, group_id, user.id)))
    return True


@router.message(Command("groups"))
async def cmd_groups(
    message: Message, session: AsyncSession, user: User, clock: Clock, state: FSMContext
) -> None:
    await state.set_state(None)
    found, nearby = await _lists(session, user, clock)
    text, markup = list_view(found, nearby, user)
    await message.answer(text, reply_markup=markup)


async def _lists(
    session: AsyncSession, user: User, clock: Clock
) -> tuple[list[GroupOrder], list[GroupOrder]]:
    """The open groups of the buyer's city and, when it has none, of the cities nearby."""
    now = clock.now()
    found = await groups.open_groups(session, country=user.country, city=user.city, now=now)
    nearby = (
        []
        if found
        else await groups.nearby_open_groups(session, country=user.country, city=user.city, now=now)
    )
    return found, nearby


@router.callback_query(GroupCb.filter(F.a == "list"))
async def on_list(
    callback: CallbackQuery, session: AsyncSession, user: User, clock: Clock, state: FSMContext
) -> None:
    await state.set_state(None)
    found, nearby = await _lists(session, user, clock)
    text, markup = list_view(found, nearby, user)
    await callback.answer()
    await show(callback, text, markup)


@router.callback_query(GroupCb.filter(F.a == "show"))
async def on_show(
    callback: CallbackQuery,
    callback_data: GroupCb,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
    state: FSMContext,
) -> None:
    await state.set_state(None)
    if not await show_group(callback, session, bot, user, callback_data.id, clock.now()):
        await stale(callback)
        return
    await callback.answer()


@router.callback_query(GroupCb.filter(F.a.in_({"remind", "mute"})))
async def on_reminder(
    callback: CallbackQuery,
    callback_data: GroupCb,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
) -> None:
    try:
        await groups.set_reminder(
            session, group_id=callback_data.id, user_id=user.id, remind=callback_data.a == "remind"
        )
    except GroupError:
        await stale(callback)
        return
    if callback_data.a == "remind":
        await callback.answer(_("🔔 You will get one reminder before this group closes."))
    else:
        await callback.answer(_("🔕 No more reminders for this group."))
    await show_group(callback, session, bot, user, callback_data.id, clock.now())


@router.callback_query(GroupCb.filter(F.a == "leave"))
async def on_leave(
    callback: CallbackQuery, callback_data: GroupCb, session: AsyncSession, user: User
) -> None:
    mine = await groups.order_of(session, group_id=callback_data.id, user_id=user.id)
    if mine is None or mine.order.status != "placed":
        await stale(callback)
        return
    screen = await groups.group_screen(session, group_id=callback_data.id, user=user)
    paid = screen.balance.paid - screen.balance.refunded if screen.balance else 0
    await callback.answer()
    await show(callback, *leave_view(callback_data.id, paid, screen.balance))


@router.callback_query(GroupCb.filter(F.a == "leave_ok"))
async def on_leave_ok(
    callback: CallbackQuery,
    callback_data: GroupCb,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
) -> None:
    now = clock.now()
    try:
        await groups.leave(session, group_id=callback_data.id, user_id=user.id, now=now)
    except GroupError as error:
        await callback.answer(error_text(error), show_alert=True)
        await show_group(callback, session, bot, user, callback_data.id, now)
        return
    await callback.answer(_("You left the group. Your order is cancelled."), show_alert=True)
    await show_group(callback, session, bot, user, callback_data.id, now)


# ── quantity picker ──────────────────────────────────────────────────────────────────────


async def picker(
    session: AsyncSession, user: User, data: QtyCb
) -> tuple[GroupOrder, tuple[str, InlineKeyboardMarkup]] | None:
    """The group and the ± picker the payload names, or None if it names nothing valid."""
    screen = await groups.picker_screen(session, group_id=data.g, offer_id=data.o, user=user)
    if screen is None:
        return None
    view = picker_view(screen, user, data)
    return None if view is None else (screen.group, view)


async def still_joinable(callback: CallbackQuery, group: GroupOrder, now: datetime) -> bool:
    """Whether the group (as the picker read it) still takes orders; if not, the tap is told
    why. Joining checks again, under the group's lock."""
    if groups.is_joinable(group, now):
        return True
    code = "closed" if group.status == "open" else "not_open"
    await callback.answer(error_text(GroupError(code)), show_alert=True)
    return False


@router.callback_query(QtyCb.filter(F.a == "p"))
async def on_picker(
    callback: CallbackQuery,
    callback_data: QtyCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
    state: FSMContext,
) -> None:
    now = clock.now()
    found = await picker(session, user, callback_data)
    if found is None:
        await stale(callback)
        return
    group, view = found
    if not await still_joinable(callback, group, now):
        return
    # the picker is on screen: a number typed now is its quantity (unless another dialog is
    # under way, say /gb_new, which an old picker's button does not interrupt)
    current = await state.get_state()
    if current is None or current in (JoinState.picker.state, JoinState.quantity.state):
        await state.set_state(JoinState.picker)
        await state.update_data(join_group=callback_data.g, join_offer=callback_data.o)
    await callback.answer()
    await show(callback, *view)


@router.callback_query(QtyCb.filter(F.a == "t"))
async def on_type(
    callback: CallbackQuery,
    callback_data: QtyCb,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    found = await picker(session, user, callback_data)
    if found is None:
        await stale(callback)
        return
    if not await still_joinable(callback, found[0], clock.now()):
        return
    await state.set_state(JoinState.quantity)
    await state.update_data(join_group=callback_data.g, join_offer=callback_data.o)
    await callback.answer()
    await show(
        callback,
        _("Type how many you want (a whole number from 1 to {maximum}):").format(
            maximum=groups.MAX_QUANTITY
        ),
        cancel_markup(),
    )


async def apply_quantity(
    target: Message | CallbackQuery,
    session: AsyncSession,
    bot: Bot,
    user: User,
    group_id: int,
    offer_id: int,
    quantity: int,
    now: datetime,
) -> bool:
    """Set the quantity and show the group again; False (and the reason told) if refused."""
    try:
        change = await groups.set_quantity(
            session,
            group_id=group_id,
            offer_id=offer_id,
            user_id=user.id,
            quantity=quantity,
            now=now,
        )
    except GroupError as error:
        text = error_text(error)
        if isinstance(target, CallbackQuery):
            await target.answer(text, show_alert=True)
        else:
            await target.answer(
                text,
                reply_markup=cancel_markup() if error.code in ("quantity", "capacity") else None,
            )
        return False
    await target.answer(quantity_note(change, quantity))
    # the card from the group the join left in hand (its total as this change made it)
    screen = await groups.group_screen(session, group_id=group_id, user=user, group=change.group)
    share = await share_url(bot, group_id, user.id)
    text, markup = card_view(screen, user, now, share)
    if await checkout.should_ask_delivery(session, user=user, change=change):
        # the first order: how do they collect? Asked on the card itself (one message); each
        # choice opens its dialog in a new message, the card stays
        text, markup = with_delivery_question(text, markup, user)
    await show(target, text, markup)
    return True


@router.callback_query(QtyCb.filter(F.a == "ok"))
async def on_confirm(
    callback: CallbackQuery,
    callback_data: QtyCb,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
    state: FSMContext,
) -> None:
    done = await apply_quantity(
        callback, session, bot, user, callback_data.g, callback_data.o, callback_data.n, clock.now()
    )
    if done:
        await state.set_state(None)  # the picker gave way to the group card


QUANTITY_TEXT = r"^\s*\d+\s*$"


@router.message(StateFilter(JoinState.picker), F.text.regexp(QUANTITY_TEXT))
@router.message(StateFilter(JoinState.quantity), F.text, ~F.text.startswith("/"))
async def on_typed_quantity(
    message: Message, state: FSMContext, session: AsyncSession, bot: Bot, user: User, clock: Clock
) -> None:
    """A number typed while the picker is on screen (or after "Type a number") sets the
    quantity of the picker's product."""
    data = await state.get_data()
    text = (message.text or "").strip()
    if not text.isdecimal() or len(text) > 6 or not 1 <= int(text) <= groups.MAX_QUANTITY:
        await message.answer(
            _("“{text}” is not a quantity. Please type a whole number from 1 to {maximum}.").format(
                text=q(text[:20]), maximum=groups.MAX_QUANTITY
            ),
            reply_markup=cancel_markup(),
        )
        await state.set_state(JoinState.quantity)
        return
    done = await apply_quantity(
        message,
        session,
        bot,
        user,
        int(data.get("join_group", 0)),
        int(data.get("join_offer", 0)),
        int(text),
        clock.now(),
    )
    if done:
        await state.set_state(None)
        return
    # refused: the buyer may type a smaller number, unless the group stopped taking orders
    try:
        group: GroupOrder | None = await groups.get_group(session, int(data.get("join_group", 0)))
    except GroupError:
        group = None
    if group is None or not groups.is_joinable(group, clock.now()):
        await state.set_state(None)
    else:
        await state.set_state(JoinState.quantity)


# ── /orders ──────────────────────────────────────────────────────────────────────────────


@router.message(Command("orders"))
async def cmd_orders(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    text, markup = orders_view(await groups.orders_screen(session, user), user, clock.now())
    await message.answer(text, reply_markup=markup)


@router.callback_query(MenuCb.filter(F.action == "orders"))
async def on_orders(
    callback: CallbackQuery, session: AsyncSession, user: User, clock: Clock
) -> None:
    text, markup = orders_view(await groups.orders_screen(session, user), user, clock.now())
    await callback.answer()
    await show(callback, text, markup)
