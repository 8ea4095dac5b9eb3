"""People: admins in the database, /user look-ups, blocking; /export orders and users; the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.locales import user_locale
from domain.spreadsheets import to_csv, to_xlsx
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import exports, people
from services.agents import agents_of_user
from services.audit import AuditFilter
from services.people import PeopleError
from ui import people as views
from ui.audit import OBJECT_ID, OBJECT_TYPE, AuditCb, AuditQuery, audit_view, usage_text
from ui.callbacks import MAX_ID, ConfirmAction, ConfirmCb
from ui.commands import set_chat_commands
from ui.context import current
from ui.people import PeopleAction, PeopleCb
from ui.render import q, show, stale

router = RouterSpec(__name__, admin_only=True)


def _locale_of(person: User) -> str:
    return user_locale(person.locale, person.language_code)


async def _update_menu(session: AsyncSession, bot: Bot, person: User, *, is_admin: bool) -> None:
    """The person's own command menu, for their role now (an agent keeps the agent's)."""
    is_agent = bool(await agents_of_user(session, person.id))
    await set_chat_commands(
        bot, person.id, _locale_of(person), is_admin=is_admin, is_agent=is_agent
    )


def _worded_for(i18n: I18n, person: User, words: Callable[[], str]) -> str:
    """A message to someone else, in their language (queued now, sent in a moment)."""
    with i18n.use_locale(_locale_of(person)):
        return words()


async def _one_person(
    message: Message, command: CommandObject, session: AsyncSession, usage: str
) -> User | None:
    """The person named by the command's one argument (id or @username), or a reply saying
    why there is none."""
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(usage)
        return None
    person = await people.find_person(session, words[0])
    if person is None:
        await message.answer(views.unknown_user_text(words[0]))
    return person


# ── admins ──────────────────────────────────────────────────────────────────────────────


@router.message(Command("admins"))
async def cmd_admins(message: Message, session: AsyncSession, settings: Settings) -> None:
    entries = await people.admins(session, permanent=settings.admin_ids)
    await message.answer(views.admins_text(entries, current()))


@router.message(Command("admin_add"))
async def cmd_admin_add(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    settings: Settings, clock: Clock, bot: Bot, i18n: I18n,
) -> None:  # fmt: skip
    usage = _(
        "Usage: /admin_add ID or @username of someone who has started the bot, e.g. "
        "<code>/admin_add @giulia</code>"
    )
    person = await _one_person(message, command, session, usage)
    if person is None:
        return
    try:
        await people.add_admin(
            session, user_id=person.id, by=user.id, permanent=settings.admin_ids, now=clock.now(),
            notice=_worded_for(i18n, person, views.admin_added_notice),
        )  # fmt: skip
    except PeopleError as error:
        await message.answer(views.people_error_text(error, person))
        return
    await _update_menu(session, bot, person, is_admin=True)
    await message.answer(views.admin_added_text(person))


@router.message(Command("admin_remove"))
async def cmd_admin_remove(
    message: Message, command: CommandObject, session: AsyncSession, settings: Settings,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    usage = _("Usage: /admin_remove ID or @username, e.g. <code>/admin_remove @giulia</code>")
    person = await _one_person(message, command, session, usage)
    if person is None:
        return
    if person.id in settings.admin_ids:
        await message.answer(views.people_error_text(PeopleError("permanent_admin"), person))
        return
    if not person.is_admin:
        await message.answer(views.people_error_text(PeopleError("not_admin"), person))
        return
    markup = await confirm.ask(
        state, ConfirmAction.ADMIN_REMOVE, {"user_id": person.id}, now=clock.now(),
        yes=_("🗑 Yes, remove the admin"), no=_("↩ Keep them admin"),
    )  # fmt: skip
    await message.answer(views.remove_prompt(person), reply_markup=markup)


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.ADMIN_REMOVE) & ~F.no))
async def on_admin_remove(
    callback: CallbackQuery, callback_data: ConfirmCb, session: AsyncSession, user: User,
    settings: Settings, state: FSMContext, clock: Clock, bot: Bot, i18n: I18n,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    person = await people.get_person(session, int(pending["user_id"]))
    if person is None:
        await stale(callback)
        return
    try:
        await people.remove_admin(
            session, user_id=person.id, by=user.id, permanent=settings.admin_ids, now=clock.now(),
            notice=_worded_for(i18n, person, views.admin_removed_notice),
        )  # fmt: skip
    except PeopleError as error:
        text = views.people_error_text(error, person)
        await callback.answer(views.alert_text(text), show_alert=True)
        await show(callback, text)
        return
    await _update_menu(session, bot, person, is_admin=False)
    await callback.answer()
    await show(callback, views.admin_removed_text(person))


# ── /user ───────────────────────────────────────────────────────────────────────────────


async def _show_profile(
    target: Message | CallbackQuery, session: AsyncSession, settings: Settings, user_id: int,
    page: int = 0,
) -> bool:  # fmt: skip
    found = await people.profile(session, user_id=user_id, page=page)
    if found is None:
        return False
    text, markup = views.profile_view(
        found, is_admin=found.user.is_admin, permanent=user_id in settings.admin_ids,
        ctx=current(),
    )  # fmt: skip
    await show(target, text, markup)
    return True


@router.message(Command("user"))
async def cmd_user(
    message: Message, command: CommandObject, session: AsyncSession, settings: Settings
) -> None:
    usage = _("Usage: /user ID or @username, e.g. <code>/user @giulia</code>")
    person = await _one_person(message, command, session, usage)
    if person is not None:
        await _show_profile(message, session, settings, person.id)


@router.callback_query(PeopleCb.filter(F.a == PeopleAction.SHOW))
async def on_profile(
    callback: CallbackQuery, callback_data: PeopleCb, session: AsyncSession, settings: Settings
) -> None:
    if not await _show_profile(callback, session, settings, callback_data.id, callback_data.p):
        await stale(callback)


@router.callback_query(PeopleCb.filter(F.a == PeopleAction.BLOCK))
async def on_block_button(
    callback: CallbackQuery, callback_data: PeopleCb, session: AsyncSession, settings: Settings,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    person = await people.get_person(session, callback_data.id)
    if person is None:
        await stale(callback)
        return
    await _ask_block(callback, person, settings, state, clock)


async def _ask_block(
    target: Message | CallbackQuery, person: User, settings: Settings, state: FSMContext,
    clock: Clock,
) -> None:  # fmt: skip
    """The block prompt, or why there is none (an admin; already suspended)."""
    refusal = None
    if person.id in settings.admin_ids or person.is_admin:
        refusal = PeopleError("admin_block")
    elif person.is_banned:
        refusal = PeopleError("already_blocked")
    if refusal is not None:
        text = views.people_error_text(refusal, person)
        if isinstance(target, CallbackQuery):
            await target.answer(views.alert_text(text), show_alert=True)
        else:
            await target.answer(text)
        return
    markup = await confirm.ask(
        state,
        ConfirmAction.BLOCK,
        {"user_id": person.id},
        now=clock.now(),
        yes=views.block_yes(),
        no=_("↩ Don't suspend"),
    )
    if isinstance(target, CallbackQuery):
        await target.answer()
        if target.message is not None and target.bot is not None:
            await target.bot.send_message(
                target.message.chat.id, views.block_prompt(person), reply_markup=markup
            )
        return
    await target.answer(views.block_prompt(person), reply_markup=markup)


@router.callback_query(PeopleCb.filter(F.a == PeopleAction.UNBLOCK))
async def on_unblock_button(
    callback: CallbackQuery, callback_data: PeopleCb, session: AsyncSession, user: User,
    settings: Settings, clock: Clock, i18n: I18n,
) -> None:  # fmt: skip
    person = await people.get_person(session, callback_data.id)
    if person is None:
        await stale(callback)
        return
    try:
        await people.unblock(
            session, user_id=person.id, by=user.id, now=clock.now(),
            notice=_worded_for(i18n, person, views.unblocked_notice),
        )  # fmt: skip
    except PeopleError as error:
        await callback.answer(
            views.alert_text(views.people_error_text(error, person)), show_alert=True
        )
    else:
        await callback.answer(_("✅ Unblocked."))
    await _show_profile(callback, session, settings, person.id, callback_data.p)


# ── /block, /unblock ────────────────────────────────────────────────────────────────────


@router.message(Command("block"))
async def cmd_block(
    message: Message, command: CommandObject, session: AsyncSession, settings: Settings,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    usage = _("Usage: /block ID or @username, e.g. <code>/block @spammer</code>")
    person = await _one_person(message, command, session, usage)
    if person is not None:
        await _ask_block(message, person, settings, state, clock)


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.BLOCK) & ~F.no))
async def on_block(
    callback: CallbackQuery, callback_data: ConfirmCb, session: AsyncSession, user: User,
    settings: Settings, state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    person = await people.get_person(session, int(pending["user_id"]))
    if person is None:
        await stale(callback)
        return
    try:
        await people.block(
            session, user_id=person.id, by=user.id, permanent=settings.admin_ids, now=clock.now()
        )
    except PeopleError as error:
        text = views.people_error_text(error, person)
        await callback.answer(views.alert_text(text), show_alert=True)
        await show(callback, text)
        return
    await callback.answer()
    await show(callback, views.blocked_text(person))


@router.message(Command("unblock"))
async def cmd_unblock(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock,
    i18n: I18n,
) -> None:  # fmt: skip
    usage = _("Usage: /unblock ID or @username, e.g. <code>/unblock @giulia</code>")
    person = await _one_person(message, command, session, usage)
    if person is None:
        return
    try:
        await people.unblock(
            session, user_id=person.id, by=user.id, now=clock.now(),
            notice=_worded_for(i18n, person, views.unblocked_notice),
        )  # fmt: skip
    except PeopleError as error:
        await message.answer(views.people_error_text(error, person))
        return
    await message.answer(views.unblocked_text(person))


# ── /export orders, /export users (/export products is the catalogue's) ────────────────


def _not_products(message: Message) -> bool:
    """/export products belongs to the catalogue's router (included before this one)."""
    words = (message.text or "").split()
    return not (len(words) > 1 and words[1] == "products")


@router.message(Command("export"), _not_products)
async def cmd_export(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    settings: Settings, clock: Clock,
) -> None:  # fmt: skip
    words = (command.args or "").split()
    kind = words[0].lower() if words else ""
    if kind not in ("orders", "users") or len(words) > (2 if kind == "orders" else 1):
        await message.answer(views.export_usage())
        return
    group_id = None
    if len(words) == 2:
        text = words[1]
        group_id = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None
        if group_id is None or not 0 < group_id <= MAX_ID:
            await message.answer(
                _("“{value}” is not a group id.").format(value=q(text[:32]))
                + "\n\n"
                + views.export_usage()
            )
            return
        if not await exports.group_exists(session, group_id):
            await message.answer(views.no_such_group_text(group_id))
            return
    ctx = current()
    if kind == "orders":
        orders = await exports.order_rows(session, group_id=group_id)
        header, cells = views.orders_sheet(orders.rows, ctx)
        truncated = orders.truncated
    else:
        found = await exports.user_rows(session)
        header, cells = views.users_sheet(found.rows, settings.admin_ids, ctx)
        truncated = found.truncated
    if not cells:
        await message.answer(
            _("Group order {id} has no orders yet.").format(id=group_id)
            if group_id is not None
            else _("There is nothing to export yet.")
        )
        return
    title = views.export_sheet_title(kind)
    csv_data = await asyncio.to_thread(to_csv, header, cells)  # big files: off the event loop
    xlsx_data = await asyncio.to_thread(to_xlsx, header, cells, title=title)
    await exports.record_export(
        session, admin_id=user.id, kind=kind, rows=len(cells), truncated=truncated,
        group_id=group_id, now=clock.now(),
    )  # fmt: skip
    stem = kind if group_id is None else f"{kind}-group-{group_id}"
    stem += "-" + views.local_date(clock.now(), ctx)
    caption = views.export_caption(kind, len(cells), truncated, group_id)
    await message.answer_document(
        BufferedInputFile(csv_data, filename=f"{stem}.csv"), caption=caption
    )
    await message.answer_document(BufferedInputFile(xlsx_data, filename=f"{stem}.xlsx"))


# ── /audit ──────────────────────────────────────────────────────────────────────────────


async def _audit_reply(
    target: Message | CallbackQuery, session: AsyncSession, query: AuditQuery,
    before_id: int | None = None,
) -> None:  # fmt: skip
    where = AuditFilter(
        admin_id=query.admin_id, object_type=query.object_type, object_id=query.object_id
    )
    page = await people.audit_page(session, where, before_id=before_id)
    text, markup = audit_view(
        page.entries, more=page.more, query=query, people=page.people,
        older=before_id is not None, ctx=current(),
    )  # fmt: skip
    await show(target, text, markup)


@router.message(Command("audit"))
async def cmd_audit(message: Message, command: CommandObject, session: AsyncSession) -> None:
    words = (command.args or "").split()
    if len(words) > 2:
        await message.answer(usage_text())
        return
    admin: User | None = None
    admin_id = object_type = object_id = None
    for word in words:
        if word.startswith("@") or word.isdigit():
            if admin_id is not None:
                await message.answer(usage_text())
                return
            admin = await people.find_person(session, word)
            admin_id = admin.id if admin else people.parse_user_id(word)
            if admin_id is None:
                await message.answer(views.unknown_user_text(word))
                return
            continue
        if object_type is not None:
            await message.answer(usage_text())
            return
        kind, _colon, ident = word.partition(":")
        kind = kind.lower()
        if not OBJECT_TYPE.fullmatch(kind) or (ident and not OBJECT_ID.fullmatch(ident)):
            await message.answer(usage_text())
            return
        if kind == "user" and ident.startswith("@"):
            person = await people.find_person(session, ident)
            if person is None:
                await message.answer(views.unknown_user_text(ident))
                return
            ident = str(person.id)
        object_type, object_id = kind, ident or None
    await _audit_reply(message, session, AuditQuery(admin_id, admin, object_type, object_id))


@router.callback_query(AuditCb.filter())
async def on_audit_page(
    callback: CallbackQuery, callback_data: AuditCb, session: AsyncSession
) -> None:
    """ "Older ›": the filters come back from the button, and are checked again."""
    kind = callback_data.t or None
    if kind is not None and not OBJECT_TYPE.fullmatch(kind):
        await stale(callback)
        return
    object_id = None
    if callback_data.o:
        entry = await people.audit_entry(session, callback_data.b)
        if entry is None or kind is None or entry.object_type != kind or not entry.object_id:
            await stale(callback)
            return
        object_id = entry.object_id
    admin_id = callback_data.a or None
    admin = await people.get_person(session, admin_id) if admin_id else None
    await callback.answer()
    query = AuditQuery(admin_id, admin, kind, object_id)
    await _audit_reply(callback, session, query, before_id=callback_data.b)
