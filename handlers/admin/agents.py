"""Admins appoint agents: /agent_add (with a pickup point), /agent_invite (a one-time link),
/agents, /agent_remove (confirmed first)."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.locales import user_locale
from domain.geo import parse_region
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import agents
from ui.admin import agents_text
from ui.agents import region_label
from ui.callbacks import ConfirmCb
from ui.commands import set_chat_commands
from ui.context import current
from ui.links import agent_invite_link
from ui.render import q, show

router = RouterSpec(__name__, admin_only=True)


async def update_menu(session: AsyncSession, bot: Bot, settings: Settings, user_id: int) -> None:
    """An agent appointed or removed gets the menu of their role now, in their language."""
    person = await session.get(User, user_id)
    if person is None:
        return
    is_agent = bool(await agents.agents_of_user(session, user_id))
    await set_chat_commands(
        bot, user_id, user_locale(person.locale, person.language_code),
        is_admin=settings.is_admin(user_id) or person.is_admin, is_agent=is_agent,
    )  # fmt: skip


@router.message(Command("agent_add"))
async def cmd_agent_add(
    message: Message, command: CommandObject, session: AsyncSession, user: User, bot: Bot,
    settings: Settings,
) -> None:  # fmt: skip
    locale = current().locale
    head, *pickup = [p.strip() for p in (command.args or "").split("|")]
    words = head.split()
    target = await agents.find_user(session, words[0]) if words else None
    region = parse_region(words[1:], locale)
    usage = _(
        "Usage: /agent_add USER COUNTRY CITY [| pickup name | address | opening hours]\n"
        "USER is a Telegram id or @username of someone who has started the bot, e.g.\n"
        "<code>/agent_add @giulia IT Milan | Ristorante Roma | Via Sarpi 10 | Tue–Sun 10–22</code>\n"
        "Or send /agent_invite COUNTRY CITY for a one-time link."
    )
    if not words or region is None:
        await message.answer(usage)
        return
    if target is None:
        await message.answer(
            _(
                "I don't know the user “{ref}”: they must start the bot first, or use /agent_invite."
            ).format(ref=q(words[0][:40]))
        )
        return
    if pickup and (
        len(pickup) < 2 or not pickup[0] or not pickup[1] or any(len(p) > 200 for p in pickup)
    ):
        await message.answer(usage)
        return
    done = await agents.appoint(
        session, user_id=target.id, country=region[0], city=region[1], created_by=user.id,
        pickup=agents.PickupSpec(pickup[0], pickup[1], pickup[2] if len(pickup) > 2 else "")
        if pickup else None,
    )  # fmt: skip
    text = (
        _("✅ {name} is now the agent for {region}.")
        if done.created
        else _("{name} is already the agent for {region}.")
    ).format(
        name=q(target.first_name or target.id), region=q(region_label(region[0], region[1], locale))
    )
    if done.point is not None:
        text += "\n" + _("📍 Pickup point: {place}").format(
            place=q(f"{done.point.name}, {done.point.address}")
        )
    if done.created:
        await update_menu(session, bot, settings, target.id)
    await message.answer(text)


@router.message(Command("agent_invite"))
async def cmd_agent_invite(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    bot: Bot,
    clock: Clock,
) -> None:
    locale = current().locale
    region = parse_region((command.args or "").split(), locale)
    if region is None:
        await message.answer(_("Usage: /agent_invite COUNTRY CITY, e.g. /agent_invite IT Milan"))
        return
    invite = await agents.create_invite(
        session, country=region[0], city=region[1], created_by=user.id, now=clock.now()
    )
    me = await bot.me()
    await message.answer(
        _(
            "🔗 A one-time link that makes whoever opens it the agent for {region}, valid for 7 days:\n{link}"
        ).format(
            region=q(region_label(region[0], region[1], locale)),
            link=q(agent_invite_link(me.username, invite.token)),
        )
    )


@router.message(Command("agents"))
async def cmd_agents(message: Message, session: AsyncSession, user: User) -> None:
    rows = await agents.all_agents(session)
    if not rows:
        await message.answer(
            _("There are no agents yet. Add one with /agent_add or /agent_invite.")
        )
        return
    await message.answer(agents_text(rows, await agents.points_by_agent(session)))


@router.message(Command("agent_remove"))
async def cmd_agent_remove(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    clock: Clock,
) -> None:
    locale = current().locale
    words = (command.args or "").split()
    target = await agents.find_user(session, words[0]) if words else None
    region = parse_region(words[1:], locale)
    if target is None or region is None:
        await message.answer(
            _("Usage: /agent_remove USER COUNTRY CITY, e.g. /agent_remove @giulia IT Milan")
        )
        return
    covered = [
        a
        for a in await agents.agents_of_user(session, target.id)
        if a.country == region[0] and agents.same_city(a.city, region[1])
    ]
    if not covered:
        await message.answer(
            _("{name} is not an agent for {region}.").format(
                name=q(target.first_name), region=q(region_label(*region, locale))
            )
        )
        return
    markup = await confirm.ask(
        state, "agent_remove", {"user_id": target.id, "country": region[0], "city": region[1]},
        now=clock.now(), yes=_("🗑 Yes, remove"),
        no=_("↩ Keep the agent"),
    )  # fmt: skip
    await message.answer(
        _("Remove {name} as the agent for {region}? Their pickup points close too.").format(
            name=q(target.first_name), region=q(region_label(*region, locale))
        ),
        reply_markup=markup,
    )


@router.callback_query(ConfirmCb.filter((F.a == "agent_remove") & ~F.no))
async def on_agent_remove(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    user: User,
    bot: Bot,
    settings: Settings,
) -> None:
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    agent_id = int(pending["user_id"])
    removed = await agents.remove_agent(
        session,
        user_id=agent_id,
        country=str(pending["country"]),
        city=str(pending["city"]),
        admin_id=user.id,
    )
    if removed:
        await update_menu(session, bot, settings, agent_id)
    text = _("Removed.") if removed else _("Nothing to remove.")
    await callback.answer(text, show_alert=not removed)
    await show(callback, text)
