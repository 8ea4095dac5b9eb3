"""Buyers' group orders: /groups, the group card, joining with a quantity, leaving, reminders,
sharing, and /orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot, F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain import pricing
from handlers.routing import RouterSpec
from models import GroupOrder, User
from services import catalog, groups
from services.catalog import localized
from services.groups import GroupError
from ui.callbacks import GroupAction, GroupCb, MenuCb, NoopCb, QtyAction, QtyCb
from ui.context import current
from ui.errors import error_text, full_text
from ui.groups import (
    ORDER_STATUS_NAMES,
    card_view,
    confirmed_lines,
    final_amount_text,
    group_title,
    order_lines,
    price_for,
)
from ui.links import share_url
from ui.render import button, cancel_markup, fit, home_button, q, show, stale, tr
from ui.states import JoinState

router = RouterSpec(__name__)

STEPS = (-10, -1, 1, 10)


DISABLED = "·"  # a button that does nothing here keeps its place, so nothing moves under a finger


async def list_view(session: AsyncSession, user: User, now) -> tuple[str, InlineKeyboardMarkup]:  # noqa: ANN001
    locale = current().locale
    found = await groups.open_groups(session, country=user.country, city=user.city, now=now)
    kb = InlineKeyboardBuilder()
    for group in found[:20]:
        kb.row(button(group_title(group, user, locale), GroupCb(id=group.id or 0).pack()))
    kb.row(home_button())
    if not found:
        return (
            _(
                "There is no open group order for {city} right now. You will find new ones here."
            ).format(city=q(tr(user.city))),
            kb.as_markup(),
        )
    return _(
        "👥 <b>Open group orders for {city}</b>\nOrders travel together and get cheaper as the group grows."
    ).format(city=q(tr(user.city))), kb.as_markup()


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
    text, markup = await list_view(session, user, clock.now())
    await message.answer(text, reply_markup=markup)


@router.callback_query(GroupCb.filter(F.a == "list"))
async def on_list(
    callback: CallbackQuery, session: AsyncSession, user: User, clock: Clock, state: FSMContext
) -> None:
    await state.set_state(None)
    text, markup = await list_view(session, user, clock.now())
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
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("🚪 Yes, leave"), callback_data=GroupCb(id=callback_data.id, a=GroupAction.LEAVE_OK)
    )
    kb.button(text=_("⬅ No, stay"), callback_data=GroupCb(id=callback_data.id, a=GroupAction.SHOW))
    await callback.answer()
    await show(
        callback, _("Leave this group order? Your order in it will be cancelled."), kb.as_markup()
    )


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


@dataclass(frozen=True)
class Picker:
    """What the ± picker of one product shows: the quantity in the order now and the most that
    fits (the group's capacity left, plus what this line already holds)."""

    have: int
    most: int

    @property
    def full(self) -> bool:
        return self.most <= self.have and self.most < groups.MAX_QUANTITY

    def step(self, shown: int, step: int) -> int | None:
        """Where a ± button goes from `shown`, or None (disabled). ±10 stop at the limits."""
        low = 0 if self.have else 1
        target = min(max(shown + step, low), self.most, groups.MAX_QUANTITY)
        return None if target == shown or target < low else target


def picker_limits(group: GroupOrder, product, have: int) -> Picker:  # noqa: ANN001
    unit = pricing.contribution(1, product.unit_weight_g, group.measure) or 1
    room = pricing.remaining_capacity(group.total, group.capacity)
    most = groups.MAX_QUANTITY if room is None else min(groups.MAX_QUANTITY, room // unit + have)
    return Picker(have=have, most=most)


async def picker_view(
    session: AsyncSession, user: User, data: QtyCb, now
) -> tuple[str, InlineKeyboardMarkup] | None:  # noqa: ANN001
    """The ± picker for one product of a group, or None if the payload names nothing valid.
    Every button keeps its place whatever the quantity; one that can't act shows `·`."""
    locale = current().locale
    try:
        group = await groups.get_group(session, data.g)
    except GroupError:
        return None
    pair = next(((o, p) for o, p in await groups.offers(session, data.g) if o.id == data.o), None)
    if pair is None or not 0 <= data.n <= groups.MAX_QUANTITY:
        return None
    offer, product = pair
    tier = pricing.tier_index(group.tiers, group.total)
    rate = await catalog.get_rate(session, user.currency)
    mine = await groups.order_of(session, group_id=data.g, user_id=user.id)
    have = 0
    if mine and mine.order.status == "placed":
        have = next((line.quantity for line, o, _p in mine.lines if o.id == offer.id), 0)
    limits = picker_limits(group, product, have)
    lines = [
        f"<b>{q(localized(product.names, locale))}</b>",
        _("{price} per {unit} at the group's current tier").format(
            price=q(price_for(offer.prices[tier], user, rate, locale)),
            unit=q(_(catalog.UNITS.get(product.unit, product.unit))),
        ),
        _("In your order now: {quantity}").format(quantity=have),
    ]
    if limits.full:
        lines.append(full_text())
    elif limits.most < groups.MAX_QUANTITY:
        lines.append(
            ngettext(
                "At most {count} fits in the group.", "At most {count} fit in the group.",
                limits.most,
            ).format(count=limits.most)
        )  # fmt: skip
    lines += ["", _("Choose how many with − and +, or type a number, then confirm.")]
    noop = NoopCb().pack()
    steps = []
    for step in STEPS:
        target = limits.step(data.n, step)
        steps.append(
            button(f"{step:+d}", QtyCb(g=data.g, o=data.o, n=target).pack())
            if target is not None
            else button(DISABLED, noop)
        )
    if data.n == 0 and have:
        confirm = button(
            _("🗑 Remove from my order"), QtyCb(g=data.g, o=data.o, n=0, a=QtyAction.CONFIRM).pack()
        )
    elif 0 < data.n <= limits.most and not (limits.full and data.n > have):
        confirm = button(
            _("✅ Confirm {quantity}").format(quantity=data.n),
            QtyCb(g=data.g, o=data.o, n=data.n, a=QtyAction.CONFIRM).pack(),
        )
    else:
        confirm = button(DISABLED, noop)
    typing = (
        button(_("⌨️ Type a number"), QtyCb(g=data.g, o=data.o, n=data.n, a=QtyAction.TYPE).pack())
        if not (limits.full and have == 0)
        else button(DISABLED, noop)
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            steps,
            [confirm],
            [typing],
            [button(_("⬅ Back to the group"), GroupCb(id=data.g).pack())],
        ]
    )
    return "\n".join(lines), markup


async def still_joinable(
    callback: CallbackQuery, session: AsyncSession, user: User, group_id: int, now: datetime
) -> bool:
    """Whether the group still takes orders; if not, the tap is told why."""
    group = await groups.get_group(session, group_id)
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
    view = await picker_view(session, user, callback_data, now)
    if view is None:
        await stale(callback)
        return
    if not await still_joinable(callback, session, user, callback_data.g, now):
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
    if await picker_view(session, user, callback_data, clock.now()) is None:
        await stale(callback)
        return
    if not await still_joinable(callback, session, user, callback_data.g, clock.now()):
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
    if change.previous == quantity:
        note = _("Nothing changed: you already have {quantity}.").format(quantity=quantity)
    elif change.order.status == "cancelled":
        note = _("Removed. You have nothing left in this group, so your order is cancelled.")
    elif change.previous == 0 and quantity:
        note = _("✅ Added to the group order.")
    else:
        note = _("✅ Your order is updated.")
    await target.answer(note)
    screen = await groups.group_screen(session, group_id=group_id, user=user)
    share = await share_url(bot, group_id, user.id)
    text, markup = card_view(screen, user, now, share)
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
    text, markup = await orders_view(session, user, clock.now())
    await message.answer(text, reply_markup=markup)


@router.callback_query(MenuCb.filter(F.action == "orders"))
async def on_orders(
    callback: CallbackQuery, session: AsyncSession, user: User, clock: Clock
) -> None:
    text, markup = await orders_view(session, user, clock.now())
    await callback.answer()
    await show(callback, text, markup)


async def orders_view(
    session: AsyncSession, user: User, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    locale = current().locale
    rows = await groups.orders_of_user(session, user.id)
    kb = InlineKeyboardBuilder()
    if not rows:
        kb.row(
            button(_("👥 Open group orders"), GroupCb(id=0, a=GroupAction.LIST).pack()),
            home_button(),
        )
        return _("You have no orders yet. Join a group order with /groups."), kb.as_markup()
    rate = await catalog.get_rate(session, user.currency)
    parts = [_("📦 <b>Your orders</b>")]
    for view, group in rows:
        status = _(ORDER_STATUS_NAMES.get(view.order.status, view.order.status))
        parts += [
            "",
            _("<b>Order {number}</b> · {group}").format(
                number=view.order.id, group=q(group_title(group, user, locale))
            ),
            _("Status: {status}").format(status=q(status)),
        ]
        if view.order.amount_cny is not None:
            parts += confirmed_lines(view, group, locale)[:-1]
            parts.append(
                _("Final amount: {amount}").format(amount=q(final_amount_text(view, locale)))
            )
        elif view.order.status == "placed":
            tier = pricing.tier_index(group.tiers, group.total)
            parts += order_lines(view, tier, user.currency or "CNY", rate, locale)
            parts.append(_("(price at the group's current tier; final at the deadline)"))
        if view.order.status == "placed" and groups.is_joinable(group, now):
            kb.row(button(group_title(group, user, locale), GroupCb(id=group.id or 0).pack()))
    kb.row(home_button())
    return fit(parts), kb.as_markup()
