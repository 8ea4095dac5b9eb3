"""Admin commands of the catalogue: exchange rates (/rates, /rate, /rate_remove)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.money import BASE_CURRENCY, is_big_change, is_iso_currency, parse_rate, rate_problem
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import catalog, rates
from ui.admin import (
    rate_change_text,
    rate_problem_text,
    rate_set_text,
    rate_usage,
    rates_text,
    remove_refused_text,
    remove_usage,
)
from ui.callbacks import ConfirmAction, ConfirmCb
from ui.context import current
from ui.money import currency_name
from ui.render import q, show

router = RouterSpec(__name__, admin_only=True)


@router.message(Command("rates"))
async def cmd_rates(message: Message, session: AsyncSession, user: User) -> None:
    found = await catalog.list_rates(session)
    if not found:
        await message.answer(_("No exchange rates are set. Set one with /rate EUR 0.128"))
        return
    await message.answer(rates_text(found, user))


@router.message(Command("rate"))
async def cmd_rate(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    parts = (command.args or "").split()
    if len(parts) != 2:
        await message.answer(rate_usage())
        return
    currency = parts[0].upper()
    if currency == BASE_CURRENCY:
        await message.answer(
            _("Prices are set in {base}: its rate is always 1.").format(base=BASE_CURRENCY)
        )
        return
    if not is_iso_currency(currency):
        await message.answer(
            _("“{code}” is not an ISO 4217 currency code in use, such as EUR, USD or BRL.").format(
                code=q(parts[0][:16])
            )
            + "\n"
            + rate_usage()
        )
        return
    problem = rate_problem(parts[1])
    per_cny = parse_rate(parts[1])
    if problem is not None or per_cny is None:
        await message.answer(rate_problem_text(problem, parts[1]) + "\n" + rate_usage())
        return
    existing = await rates.get(session, currency)
    if existing is not None and existing.per_cny_micro == per_cny:
        await message.answer(rate_set_text(currency, per_cny, unchanged=True))
        return
    if existing is not None and is_big_change(existing.per_cny_micro, per_cny):
        product = await rates.sample_product(session)
        markup = await confirm.ask(
            state, ConfirmAction.RATE_SET, {"currency": currency, "old": existing.per_cny_micro,
                                            "new": per_cny},
            now=clock.now(), yes=_("✅ Set the new rate"), no=_("↩ Keep the old rate"),
        )  # fmt: skip
        await message.answer(
            rate_change_text(currency, existing.per_cny_micro, per_cny, product),
            reply_markup=markup,
        )
        return
    await _set(message, session, user, clock, currency, per_cny)


async def _set(
    target: Message, session: AsyncSession, user: User, clock: Clock, currency: str, per_cny: int
) -> None:
    await rates.set_rate(
        session, currency=currency, per_cny_micro=per_cny, admin_id=user.id, now=clock.now()
    )
    await target.answer(rate_set_text(currency, per_cny))


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.RATE_SET) & ~F.no))
async def on_rate_confirmed(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, session: AsyncSession,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    currency, old, new = str(pending["currency"]), int(pending["old"]), int(pending["new"])
    current_rate = await rates.get(session, currency)
    if current_rate is None or current_rate.per_cny_micro != old:
        # someone changed or removed it since the prompt: what it showed no longer holds
        await callback.answer(confirm.expired_text(), show_alert=True)
        return
    await rates.set_rate(
        session, currency=currency, per_cny_micro=new, admin_id=user.id, now=clock.now()
    )
    await callback.answer()
    await show(callback, rate_set_text(currency, new))


@router.message(Command("rate_remove"))
async def cmd_rate_remove(
    message: Message, command: CommandObject, session: AsyncSession, state: FSMContext,
    clock: Clock,
) -> None:  # fmt: skip
    parts = (command.args or "").split()
    if len(parts) != 1:
        await message.answer(remove_usage())
        return
    currency = parts[0].upper()
    if len(currency) != 3 or await rates.get(session, currency) is None:
        await message.answer(
            _("There is no rate for “{code}”. See /rates.").format(code=q(parts[0][:16]))
        )
        return
    users = await rates.users_of(session, currency)
    if users:
        await message.answer(remove_refused_text(currency, users))
        return
    markup = await confirm.ask(
        state, ConfirmAction.RATE_REMOVE, {"currency": currency}, now=clock.now(),
        yes=_("🗑 Remove {code}").format(code=currency), no=_("↩ Keep {code}").format(code=currency),
    )  # fmt: skip
    await message.answer(
        _(
            "Remove {code} ({name})? Buyers will no longer be able to choose it; orders already "
            "placed keep their amounts."
        ).format(code=q(currency), name=q(currency_name(currency, current().locale))),
        reply_markup=markup,
    )


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.RATE_REMOVE) & ~F.no))
async def on_remove_confirmed(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, session: AsyncSession,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    currency = str(pending["currency"])
    done = await rates.remove_rate(session, currency=currency, admin_id=user.id, now=clock.now())
    await callback.answer()
    if done.missing:
        text = _("There is no rate for “{code}”. See /rates.").format(code=q(currency))
    elif not done.removed:
        text = remove_refused_text(currency, done.users)
    else:
        text = _("🗑 {code} is removed.").format(code=q(currency))
    await show(callback, text)
