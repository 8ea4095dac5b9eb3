"""Agents: admins appoint them (/agent_add, /agent_invite, /agent_remove, /agents); agents see
their regions (/region), pick lists (/picklist, also as CSV) and mark orders paid or handed over
(/paid, /handed, or the buttons of their alerts) — only in their own regions."""

from __future__ import annotations

import csv
import io

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain import geo
from domain.text import spreadsheet_safe
from handlers import confirm
from handlers.routing import RouterSpec
from models import Agent, GroupOrder, Order, User
from services import agents, groups
from services.agents import AgentError
from services.catalog import localized
from ui.agents import agent_buttons, agent_order_text, region_label
from ui.callbacks import AgentCb, ConfirmCb
from ui.context import current
from ui.errors import error_text
from ui.groups import ORDER_STATUS_NAMES, group_title, progress_line
from ui.render import fit, q, show

router = RouterSpec(__name__)
admin = RouterSpec(f"{__name__}.admin", admin_only=True)  # appointing agents


def parse_region(words: list[str], locale: str) -> tuple[str, str] | None:
    """`IT Milan`, `Italia Milano`, `ES San Sebastián` → (country, canonical city)."""
    if len(words) < 2:
        return None
    country = geo.find_country(words[0], locale)
    city = " ".join(words[1:]).strip()
    if country is None or not city or len(city) > 64:
        return None
    return country, geo.canonical_city(country, city)


# ── admins ───────────────────────────────────────────────────────────────────────────────


@admin.message(Command("agent_add"))
async def cmd_agent_add(
    message: Message, command: CommandObject, session: AsyncSession, user: User
) -> None:
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
    agent, created = await agents.add_agent(
        session, user_id=target.id, country=region[0], city=region[1], created_by=user.id
    )
    text = (
        _("✅ {name} is now the agent for {region}.")
        if created
        else _("{name} is already the agent for {region}.")
    ).format(
        name=q(target.first_name or target.id), region=q(region_label(region[0], region[1], locale))
    )
    if pickup:
        point = await agents.add_pickup_point(
            session,
            agent=agent,
            name=pickup[0],
            address=pickup[1],
            hours=pickup[2] if len(pickup) > 2 else "",
        )
        text += "\n" + _("📍 Pickup point: {place}").format(
            place=q(f"{point.name}, {point.address}")
        )
    await message.answer(text)


@admin.message(Command("agent_invite"))
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
            link=q(f"https://t.me/{me.username}?start=agent_{invite.token}"),
        )
    )


@admin.message(Command("agents"))
async def cmd_agents(message: Message, session: AsyncSession, user: User) -> None:
    locale = current().locale
    rows = await agents.all_agents(session)
    if not rows:
        await message.answer(
            _("There are no agents yet. Add one with /agent_add or /agent_invite.")
        )
        return
    lines = [_("<b>Agents</b>")]
    points = await agents.points_by_agent(session)
    for agent, person in rows:
        name = q(person.first_name if person else agent.user_id)
        handle = f" @{q(person.username)}" if person and person.username else ""
        lines.append(
            f"• {q(region_label(agent.country, agent.city, locale))}: "
            f'<a href="tg://user?id={agent.user_id}">{name}</a>{handle} (<code>{agent.user_id}</code>)'
        )
        for point in points.get(agent.id or 0, []):
            lines.append(f"   📍 {q(point.name)}, {q(point.address)} {q(point.hours)}".rstrip())
    await message.answer(fit(lines))


@admin.message(Command("agent_remove"))
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
    )  # fmt: skip
    await message.answer(
        _("Remove {name} as the agent for {region}? Their pickup points close too.").format(
            name=q(target.first_name), region=q(region_label(*region, locale))
        ),
        reply_markup=markup,
    )


@admin.callback_query(ConfirmCb.filter((F.a == "agent_remove") & ~F.no))
async def on_agent_remove(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
) -> None:
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    removed = await agents.remove_agent(
        session,
        user_id=int(pending["user_id"]),
        country=str(pending["country"]),
        city=str(pending["city"]),
    )
    text = _("Removed.") if removed else _("Nothing to remove.")
    await callback.answer(text, show_alert=not removed)
    await show(callback, text)


# ── agents ───────────────────────────────────────────────────────────────────────────────


async def require_agent(message: Message, session: AsyncSession, user: User) -> list[Agent] | None:
    regions = await agents.agents_of_user(session, user.id)
    if not regions:
        await message.answer(
            _("⛔ This command is for agents. An admin can make you the agent of your city.")
        )
        return None
    return regions


@router.message(Command("region"))
async def cmd_region(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    regions = await require_agent(message, session, user)
    if regions is None:
        return
    locale = current().locale
    lines = [_("🗺 <b>Your regions</b>")]
    for region in regions:
        lines += ["", f"<b>{q(region_label(region.country, region.city, locale))}</b>"]
        mine = await agents.groups_in_region(session, region)
        if not mine:
            lines.append(_("No open or formed group orders."))
        stats = await groups.order_stats(session, [group.id or 0 for group in mine])
        for group in mine:
            counts = stats[group.id or 0]
            lines.append(
                ngettext(
                    "<b>{id}</b> · {title}\n   {progress} · {count} order, {paid} paid, {handed} handed over",
                    "<b>{id}</b> · {title}\n   {progress} · {count} orders, {paid} paid, {handed} handed over",
                    counts.orders,
                ).format(
                    id=group.id, title=q(group_title(group, user, locale)), progress=q(progress_line(group, locale)),
                    count=counts.orders, paid=counts.paid, handed=counts.handed,
                )
            )  # fmt: skip
    lines += ["", _("Pick list: /picklist ID · mark an order: /paid ORDER, /handed ORDER")]
    await message.answer(fit(lines))


class SafeWriter:
    """A csv writer whose cells are neutralised for spreadsheets (names are the buyers' own)."""

    def __init__(self, writer) -> None:  # noqa: ANN001
        self.writer = writer

    def writerow(self, row: list[object]) -> None:
        self.writer.writerow([spreadsheet_safe(cell) for cell in row])


async def picklist_view(
    session: AsyncSession, user: User, group_id: int
) -> tuple[str, bytes] | None:
    """The pick list of a group in the agent's region: text, and the same as CSV."""
    group = await session.get(GroupOrder, group_id)
    if group is None or not await agents.covers(session, user_id=user.id, group=group):
        return None
    locale = current().locale
    entries = await agents.pick_list(session, group_id=group_id)
    by_point: dict[str, list[agents.PickEntry]] = {}
    for entry in entries:
        label = (
            entry.pickup_point.name
            if entry.pickup_point
            else _("Delivery / no pickup point chosen")
        )
        by_point.setdefault(label, []).append(entry)
    lines = [_("📋 <b>Pick list</b> · {title}").format(title=q(group_title(group, user, locale)))]
    out = io.StringIO()
    writer = SafeWriter(csv.writer(out))
    writer.writerow(
        [
            "pickup_point",
            "order",
            "buyer_id",
            "buyer",
            "username",
            "product",
            "quantity",
            "status",
            "paid",
        ]
    )
    totals: dict[str, int] = {}
    for label, group_entries in sorted(by_point.items()):
        lines += ["", f"📍 <b>{q(label)}</b>"]
        for entry in group_entries:
            order, buyer = entry.order, entry.buyer
            name = buyer.first_name if buyer else str(order.user_id)
            status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
            paid = "💰" if order.paid_at else ""
            lines.append(
                f'{order.id}. <a href="tg://user?id={order.user_id}">{q(name)}</a> · {q(status)} {paid}'.rstrip()
            )
            for line, _offer, product in entry.lines:
                product_name = localized(product.names, locale)
                lines.append(f"   • {line.quantity} × {q(product_name)}")
                totals[product_name] = totals.get(product_name, 0) + line.quantity
                writer.writerow(
                    [
                        label,
                        order.id,
                        order.user_id,
                        name,
                        buyer.username if buyer else "",
                        product.slug,
                        line.quantity,
                        order.status,
                        "yes" if order.paid_at else "no",
                    ]
                )
    if not entries:
        lines.append(_("No orders in this group."))
    else:
        lines += ["", _("<b>Totals</b>")] + [
            f"• {qty} × {q(name)}" for name, qty in sorted(totals.items())
        ]
    return "\n".join(lines), out.getvalue().encode("utf-8-sig")


async def send_picklist(target: Message, session: AsyncSession, user: User, group_id: int) -> bool:
    view = await picklist_view(session, user, group_id)
    if view is None:
        return False
    text, data = view
    from ui.render import split_text

    for part in split_text(text):
        await target.answer(part)
    await target.answer_document(BufferedInputFile(data, filename=f"picklist-group-{group_id}.csv"))
    return True


def parse_id(text: str | None) -> int | None:
    value = (text or "").strip().lstrip("#")
    return int(value) if value.isdecimal() and len(value) < 10 else None


@router.message(Command("picklist"))
async def cmd_picklist(
    message: Message, command: CommandObject, session: AsyncSession, user: User
) -> None:
    if await require_agent(message, session, user) is None:
        return
    group_id = parse_id(command.args)
    if group_id is None:
        await message.answer(_("Usage: /picklist GROUP_ID (see /region)"))
        return
    if not await send_picklist(message, session, user, group_id):
        await message.answer(_("⛔ This group order is not in your region (or does not exist)."))


async def act(
    action: str, session: AsyncSession, user: User, order_id: int, now
) -> tuple[bool, str, Order | None]:  # noqa: ANN001
    try:
        if action == "paid":
            order = await agents.mark_paid(
                session, order_id=order_id, agent_user_id=user.id, now=now
            )
            return (
                True,
                _("💰 Order {number} is marked paid; the buyer is told.").format(number=order_id),
                order,
            )
        order = await agents.mark_handed(session, order_id=order_id, agent_user_id=user.id, now=now)
        return (
            True,
            _("📦 Order {number} is handed over; the buyer is told.").format(number=order_id),
            order,
        )
    except AgentError as error:
        return False, error_text(error), None


@router.message(Command("paid", "handed"))
async def cmd_mark(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    if await require_agent(message, session, user) is None:
        return
    order_id = parse_id(command.args)
    if order_id is None:
        await message.answer(_("Usage: /{command} ORDER_NUMBER").format(command=command.command))
        return
    _ok, text, _order = await act(command.command, session, user, order_id, clock.now())
    await message.answer(text)


@router.callback_query(AgentCb.filter(F.a.in_({"paid", "handed"})))
async def on_mark(
    callback: CallbackQuery,
    callback_data: AgentCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    ok, text, order = await act(callback_data.a, session, user, callback_data.id, clock.now())
    await callback.answer(text, show_alert=not ok)
    if not ok or order is None:
        return
    card = (await agents.order_cards(session, [order.id or 0]))[order.id or 0]
    await show(callback, agent_order_text(card, user, current()), agent_buttons(card))


@router.callback_query(AgentCb.filter(F.a == "pick"))
async def on_pick(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User
) -> None:
    if not isinstance(callback.message, Message) or not await send_picklist(
        callback.message, session, user, callback_data.id
    ):
        await callback.answer(
            _("⛔ This group order is not in your region (or does not exist)."), show_alert=True
        )
        return
    await callback.answer()
