"""Money, as agents and buyers handle it.

Agents (and admins): 💰 Record payment on an order's card (or /paid ORDER [AMOUNT]) asks how
much and how it was paid, and records it only on a second tap; ↩️ Undo takes a mis-tap back for
10 minutes; ↩️ Refund (or /refund ORDER) records the refund due; /collect GROUP is the collection
list (also as CSV); /not_supplied ORDER PRODUCT takes a line that could not be supplied off the
bill. Buyers: 💳 Pay sends a Telegram invoice; the pre-checkout is answered only after the order,
the amount and the group are checked again; a successful payment is recorded once per charge."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from domain.balance import Balance
from domain.errors import PaymentError
from domain.money import parse_money
from domain.text import parse_id
from handlers.routing import RouterSpec
from models import User
from services import payments
from services.collection import collection
from services.tx import claim_update
from ui.callbacks import AgentAction, AgentCb, InvoiceCb, PayAction, PayCb
from ui.collection import collection_view
from ui.context import current
from ui.errors import payment_error_text
from ui.groups import group_title
from ui.payments import (
    amount_cancel_markup,
    invoice_texts,
    record_prompt,
    recorded_view,
    refund_prompt,
)
from ui.render import show, split_text

router = RouterSpec(__name__)
log = logging.getLogger(__name__)


class PayState(StatesGroup):
    amount = State()  # an agent types the amount received for the order in the state's data


async def _may_act(session: AsyncSession, user: User, order_id: int, is_admin: bool) -> payments.Target | None:  # fmt: skip
    return await payments.order_for(session, order_id=order_id, actor_id=user.id, is_admin=is_admin)


async def _answer(target: Message, view: tuple[str, InlineKeyboardMarkup]) -> None:
    text, markup = view
    await target.answer(text, reply_markup=markup)


def _refused() -> str:
    return _("⛔ This order is not in your region (or does not exist). Nothing was changed.")


# ── recording a payment ─────────────────────────────────────────────────────────────────


async def _prompt(
    target: payments.Target, typed: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    return record_prompt(target.order, target.buyer, target.balance, current(), typed)


async def _prompt_from_card(
    callback: CallbackQuery, session: AsyncSession, user: User, order_id: int, is_admin: bool,
    *, amount: Callable[[Balance], int], empty: str,
    view: Callable[[payments.Target], Awaitable[tuple[str, InlineKeyboardMarkup]]],
) -> None:  # fmt: skip
    """A card's 💰 or ↩️: the prompt as a new message under the card (which stays as it is),
    if this person may handle the order's money and there is some to record."""
    target = await _may_act(session, user, order_id, is_admin)
    if target is None:
        await callback.answer(_refused(), show_alert=True)
        return
    if amount(target.balance) <= 0:
        await callback.answer(payment_error_text(PaymentError(empty)), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await _answer(callback.message, await view(target))


@router.callback_query(AgentCb.filter(F.a == AgentAction.PAID))
async def on_record(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    await _prompt_from_card(
        callback, session, user, callback_data.id, is_admin,
        amount=lambda balance: balance.still_due, empty="nothing_due", view=_prompt,
    )  # fmt: skip


@router.message(Command("paid"))
async def cmd_paid(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    """/paid ORDER [AMOUNT]: the same prompt as the card's button (nothing is recorded yet)."""
    parts = (command.args or "").split()
    order_id = parse_id(parts[0]) if parts else None
    if order_id is None or len(parts) > 2:
        await message.answer(_("Usage: /paid ORDER_NUMBER [AMOUNT]"))
        return
    target = await _may_act(session, user, order_id, is_admin)
    if target is None:
        await message.answer(_refused())
        return
    if target.balance.still_due <= 0:
        await message.answer(payment_error_text(PaymentError("nothing_due")))
        return
    typed = None
    if len(parts) == 2:
        typed = parse_money(parts[1], target.balance.currency)
        if typed is None:
            await message.answer(amount_error(target.balance.currency))
            return
    await _answer(message, await _prompt(target, typed))


def amount_error(currency: str) -> str:
    return _(
        "Please type an amount above zero in {currency}, like 12.50 (digits, and at most one "
        "decimal point)."
    ).format(currency=currency)


@router.callback_query(PayCb.filter(F.a == PayAction.TYPE))
async def on_type(
    callback: CallbackQuery, callback_data: PayCb, session: AsyncSession, user: User,
    state: FSMContext, is_admin: bool = False,
) -> None:  # fmt: skip
    target = await _may_act(session, user, callback_data.id, is_admin)
    if target is None:
        await callback.answer(_refused(), show_alert=True)
        return
    await state.set_state(PayState.amount)
    await state.update_data(pay_order=callback_data.id)
    await callback.answer()
    await show(
        callback,
        _("Type the amount received for order {number}, in {currency} (for example 12.50).").format(
            number=callback_data.id, currency=target.balance.currency
        ),
        amount_cancel_markup(callback_data.id),
    )


@router.message(StateFilter(PayState.amount), F.text)
async def on_amount(
    message: Message, session: AsyncSession, user: User, state: FSMContext,
    is_admin: bool = False,
) -> None:  # fmt: skip
    order_id = (await state.get_data()).get("pay_order")
    target = await _may_act(session, user, int(order_id or 0), is_admin)
    if target is None:
        await state.set_state(None)
        await message.answer(_refused())
        return
    typed = parse_money(message.text or "", target.balance.currency)
    if typed is None:
        await message.answer(
            amount_error(target.balance.currency),
            reply_markup=amount_cancel_markup(target.order.id or 0),
        )
        return
    await state.set_state(None)
    await _answer(message, await _prompt(target, typed))


@router.callback_query(PayCb.filter(F.a == PayAction.NO))
async def on_keep(callback: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() == PayState.amount.state:
        await state.set_state(None)
    await callback.answer(_("Cancelled. Nothing was changed."))
    await show(callback, _("Cancelled. Nothing was changed."))


@router.callback_query(PayCb.filter(F.a == PayAction.OK))
async def on_record_ok(
    callback: CallbackQuery, callback_data: PayCb, session: AsyncSession, user: User,
    clock: Clock, is_admin: bool = False,
) -> None:  # fmt: skip
    try:
        done = await payments.record_payment(
            session, order_id=callback_data.id, actor_id=user.id, method=callback_data.m,
            amount=callback_data.n, expected=callback_data.v, now=clock.now(), is_admin=is_admin,
        )  # fmt: skip
    except PaymentError as error:
        await callback.answer(payment_error_text(error), show_alert=True)
        return
    await callback.answer(_("💰 Recorded; the buyer is told."))
    await show(callback, *recorded_view(done.entry, done.order, done.balance, current()))


@router.callback_query(AgentCb.filter(F.a == AgentAction.UNDO))
async def on_undo(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User,
    clock: Clock, is_admin: bool = False,
) -> None:  # fmt: skip
    try:
        done = await payments.undo_payment(
            session, payment_id=callback_data.id, actor_id=user.id, now=clock.now(),
            is_admin=is_admin,
        )  # fmt: skip
    except PaymentError as error:
        await callback.answer(payment_error_text(error), show_alert=True)
        return
    await callback.answer(_("↩️ Undone; the buyer is told."))
    from ui.payments import entry_amount, method_name

    await show(
        callback,
        _("↩️ Undone: {amount} ({method}) for order {number} is no longer recorded; the buyer is told.").format(
            amount=entry_amount(done.entry, current().locale),
            method=method_name(done.entry.method), number=done.order.id,
        ),
    )  # fmt: skip


# ── refunds ─────────────────────────────────────────────────────────────────────────────


async def _refund_prompt(target: payments.Target) -> tuple[str, InlineKeyboardMarkup]:
    return refund_prompt(
        target.order, target.group, target.buyer, target.balance, current(), target.lines
    )


@router.callback_query(AgentCb.filter(F.a == AgentAction.REFUND))
async def on_refund(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    await _prompt_from_card(
        callback, session, user, callback_data.id, is_admin,
        amount=lambda balance: balance.refund_due, empty="no_refund_due", view=_refund_prompt,
    )  # fmt: skip


@router.message(Command("refund"))
async def cmd_refund(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    order_id = parse_id(command.args)
    if order_id is None:
        await message.answer(_("Usage: /refund ORDER_NUMBER"))
        return
    target = await _may_act(session, user, order_id, is_admin)
    if target is None:
        await message.answer(_refused())
        return
    if target.balance.refund_due <= 0:
        await message.answer(payment_error_text(PaymentError("no_refund_due")))
        return
    await _answer(message, await _refund_prompt(target))


@router.callback_query(PayCb.filter(F.a == PayAction.REFUND_OK))
async def on_refund_ok(
    callback: CallbackQuery, callback_data: PayCb, session: AsyncSession, user: User,
    clock: Clock, is_admin: bool = False,
) -> None:  # fmt: skip
    try:
        done = await payments.record_refund(
            session, order_id=callback_data.id, actor_id=user.id, expected=callback_data.n,
            now=clock.now(), is_admin=is_admin,
        )  # fmt: skip
    except PaymentError as error:
        await callback.answer(payment_error_text(error), show_alert=True)
        return
    from ui.money import format_money

    await callback.answer(_("↩️ Refund recorded; the buyer is told."))
    await show(
        callback,
        _("↩️ Refund of {amount} for order {number} recorded; the buyer is told.").format(
            amount=format_money(callback_data.n, done.balance.currency, current().locale),
            number=done.order.id,
        ),
    )


# ── a line that could not be supplied ────────────────────────────────────────────────────


@router.message(Command("not_supplied"))
async def cmd_not_supplied(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock,
    is_admin: bool = False,
) -> None:  # fmt: skip
    parts = (command.args or "").split()
    order_id = parse_id(parts[0]) if parts else None
    if order_id is None or len(parts) != 2:
        await message.answer(_("Usage: /not_supplied ORDER_NUMBER PRODUCT_CODE (see /picklist)"))
        return
    try:
        done = await payments.mark_not_supplied(
            session, order_id=order_id, product=parts[1][:64], actor_id=user.id,
            now=clock.now(), is_admin=is_admin,
        )  # fmt: skip
    except PaymentError as error:
        await message.answer(payment_error_text(error))
        return
    from ui.payments import amount as both

    balance = done.balance
    text = _("“{product}” is taken off order {number}; the buyer is told.").format(
        product=done.product, number=order_id
    )
    if balance.refund_due > 0:
        text += "\n" + _("To refund: {amount} (/refund {number}).").format(
            amount=both(balance.refund_due, -balance.outstanding_cny, balance, current().locale),
            number=order_id,
        )
    await message.answer(text)


# ── the collection list ──────────────────────────────────────────────────────────────────


async def _send_collection(target: Message, session: AsyncSession, user: User, group_id: int, is_admin: bool) -> bool:  # fmt: skip
    found = await collection(session, group_id=group_id, actor_id=user.id, is_admin=is_admin)
    if found is None:
        return False
    text, data = collection_view(found, user, current())
    for part in split_text(text):
        await target.answer(part)
    await target.answer_document(
        BufferedInputFile(data, filename=f"collection-group-{group_id}.csv")
    )
    return True


@router.message(Command("collect"))
async def cmd_collect(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    group_id = parse_id(command.args)
    if group_id is None:
        await message.answer(_("Usage: /collect GROUP_ID (see /region)"))
        return
    if not await _send_collection(message, session, user, group_id, is_admin):
        await message.answer(_("⛔ This group order is not in your region (or does not exist)."))


@router.callback_query(AgentCb.filter(F.a == AgentAction.COLLECT))
async def on_collect(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User,
    is_admin: bool = False,
) -> None:  # fmt: skip
    if not isinstance(callback.message, Message) or not await _send_collection(
        callback.message, session, user, callback_data.id, is_admin
    ):
        await callback.answer(
            _("⛔ This group order is not in your region (or does not exist)."), show_alert=True
        )
        return
    await callback.answer()


# ── Telegram Payments ───────────────────────────────────────────────────────────────────


@router.callback_query(InvoiceCb.filter())
async def on_invoice(
    callback: CallbackQuery, callback_data: InvoiceCb, session: AsyncSession, user: User,
    bot: Bot, settings: Settings,
) -> None:  # fmt: skip
    token = settings.provider_token
    try:
        invoice = await payments.invoice_for(
            session, order_id=callback_data.id, user_id=user.id, invoices=token is not None
        )
    except PaymentError as error:
        await callback.answer(payment_error_text(error), show_alert=True)
        return
    assert token is not None
    await claim_update(session)  # one invoice, however often this tap is delivered
    locale = current().locale
    from domain.catalog import localized

    names = {
        f"line:{offer.id}": f"{localized(product.names, locale)} × {line.quantity}"
        for line, offer, product in invoice.lines
    }
    title, description, prices = invoice_texts(
        group_title(invoice.group, user, locale), invoice.order, invoice.prices, names
    )
    try:
        await bot.send_invoice(
            chat_id=user.id, title=title, description=description, payload=invoice.payload,
            provider_token=token, currency=invoice.balance.currency,
            prices=[LabeledPrice(label=label, amount=value) for label, value in prices],
        )  # fmt: skip
    except TelegramBadRequest as error:
        # Telegram refuses the invoice (an amount below or above its limits for the currency,
        # say): the buyer hears why and how else to pay, not an apology for a crash
        log.warning("invoice for order %s refused: %s", invoice.order.id, error.message)
        await callback.answer(payment_error_text(PaymentError("card_refused")), show_alert=True)
        return
    await callback.answer()


@router.pre_checkout_query()
async def on_pre_checkout(
    query: PreCheckoutQuery, session: AsyncSession, user: User, settings: Settings
) -> None:
    """Answered ok only if the invoice still holds; else refused with the reason, in the
    buyer's language (Telegram shows it and charges nothing)."""
    try:
        await payments.check_pre_checkout(
            session, user_id=user.id, payload=query.invoice_payload, currency=query.currency,
            total=query.total_amount, invoices=settings.provider_token is not None,
        )  # fmt: skip
    except PaymentError as error:
        await query.answer(ok=False, error_message=payment_error_text(error, plain=True)[:255])
        return
    except Exception:
        # Telegram waits 10 seconds for this answer: refuse now (nothing is charged), then let
        # the error be handled and logged as any other
        await query.answer(ok=False, error_message=_("That did not work. Please try again."))
        raise
    await query.answer(ok=True)


@router.message(F.successful_payment)
async def on_paid(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    paid = message.successful_payment
    assert paid is not None
    try:
        done = await payments.record_telegram_payment(
            session, user_id=user.id, payload=paid.invoice_payload, currency=paid.currency,
            total=paid.total_amount, charge_id=paid.telegram_payment_charge_id,
            provider_charge_id=paid.provider_payment_charge_id, now=clock.now(),
        )  # fmt: skip
    except PaymentError as error:
        await message.answer(payment_error_text(error))
        return
    if done is None:
        return  # delivered again: recorded the first time, and the buyer was told then
    # the buyer hears the new balance from the notice queued with the payment
