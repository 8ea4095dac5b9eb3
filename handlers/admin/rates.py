"""Admin commands of the catalogue: exchange rates."""

from __future__ import annotations

from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.money import BASE_CURRENCY, parse_rate
from handlers.routing import RouterSpec
from models import User
from services import catalog
from ui.admin import rates_text
from ui.context import current
from ui.money import format_rate
from ui.render import q

router = RouterSpec(__name__, admin_only=True)


@router.message(Command("rates"))
async def cmd_rates(message: Message, session: AsyncSession, user: User) -> None:
    rates = await catalog.list_rates(session)
    if not rates:
        await message.answer(_("No exchange rates are set. Set one with /rate EUR 0.128"))
        return
    await message.answer(rates_text(rates, user))


@router.message(Command("rate"))
async def cmd_rate(
    message: Message, command: CommandObject, session: AsyncSession, user: User
) -> None:
    parts = (command.args or "").split()
    usage = _(
        "Usage: /rate CUR value — how much of the currency one yuan buys, e.g. /rate EUR 0.128"
    )
    if len(parts) != 2:
        await message.answer(usage)
        return
    currency = parts[0].upper()
    per_cny = parse_rate(parts[1])
    if (
        not (len(currency) == 3 and currency.isalpha() and currency.isascii())
        or currency == BASE_CURRENCY
    ):
        await message.answer(
            _("“{code}” is not a currency code.").format(code=q(parts[0][:16])) + "\n" + usage
        )
        return
    if per_cny is None:
        await message.answer(
            _("“{value}” is not a positive number.").format(value=q(parts[1][:32])) + "\n" + usage
        )
        return
    await catalog.set_rate(session, currency=currency, per_cny_micro=per_cny, updated_by=user.id)
    await message.answer(
        _("✅ 1 {base} = {value} {currency}").format(
            base=BASE_CURRENCY,
            value=q(format_rate(per_cny, current().locale)),
            currency=q(currency),
        )
    )
