"""Admins ship formed groups and post their status events: /ship (a dialog, or one line),
/ship_status, the buttons under a shipment card, /shipments, /shipment, and a CSV or XLSX file
of events sent as a document."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain import shipments as rules
from domain.errors import ShipmentError
from domain.group_spec import SpecError, parse_deadline, parse_method
from domain.product_files import looks_like_product_table
from domain.shipment_files import MAX_BYTES, FileError, read_rows, read_table
from domain.shipments import PostingError, Step, parse_posting
from handlers import confirm
from handlers.routing import RouterSpec, from_admin
from models import User
from services import shipments
from services.shipments import ShipSpec
from ui import shipments as views
from ui.callbacks import ConfirmAction, ConfirmCb, ShipAction, ShipCb
from ui.catalog_admin import product_file_hint
from ui.context import current
from ui.errors import shipment_error_text
from ui.render import q, show, stale

router = RouterSpec(__name__, admin_only=True)
DRAFT = "ship_draft"
POSTING = "ship_posting"
MAX_ERRORS_SHOWN = 15


class ShipDialog(StatesGroup):
    groups = State()
    carrier = State()
    tracking = State()
    method = State()
    eta = State()
    confirm = State()


class ShipPost(StatesGroup):
    args = State()  # the amount of duties, or an exception's kind and note


def parse_ids(text: str) -> list[int] | None:
    words = text.replace(",", " ").replace(";", " ").split()
    ids = [int(w.lstrip("#")) for w in words if w.lstrip("#").isdecimal() and len(w) < 10]
    return ids if ids and len(ids) == len(words) else None


def parse_eta(text: str, user: User, now: datetime) -> datetime:
    """An expected arrival as typed: a date (the admin's time zone) or `+25d`; ahead, within a
    year."""
    try:
        return parse_deadline(text, timezone=user.timezone, now=now)
    except SpecError as error:
        code = {"deadline_past": "eta_past", "deadline_far": "eta_far"}.get(error.code, "bad_eta")
        raise ShipmentError(code, value=text.strip()[:32]) from error


def usage() -> str:
    return _(
        "Ship formed groups: send /ship alone for a guided dialog, or everything in one line:\n"
        "<code>/ship 3,5 | DHL | 1Z999AA1 | rail | 2027-01-20</code>\n"
        "(groups | carrier | tracking number | air, rail, sea or express | expected arrival, "
        "optional: the method's usual lead time is used without it)"
    )


async def reply_card(
    target: Message | CallbackQuery, session: AsyncSession, user: User, shipment_id: int,
    head: str | None = None,
) -> None:  # fmt: skip
    """The shipment's card (under `head`, what was just done) with its next steps' buttons."""
    card = await shipments.shipment_card(session, shipment_id)
    text, markup = views.card_view(card, user, current())
    if head:
        text = head + "\n\n" + text
    if isinstance(target, CallbackQuery):
        await show(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


# ── /ship ───────────────────────────────────────────────────────────────────────────────


@router.message(Command("ship"))
async def cmd_ship(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    args = (command.args or "").strip()
    if not args:
        await start_dialog(message, session, user, state)
        return
    parts = [p.strip() for p in args.split("|")]
    if len(parts) not in (4, 5):
        await message.answer(usage())
        return
    ids = parse_ids(parts[0])
    try:
        if ids is None:
            raise ShipmentError("no_groups")
        try:
            method = parse_method(parts[3])
        except SpecError as error:
            raise ShipmentError("bad_method", method=parts[3]) from error
        eta = parse_eta(parts[4], user, clock.now()) if len(parts) == 5 and parts[4] else None
        spec = ShipSpec(
            ids, rules.clean_carrier(parts[1]) or "", rules.clean_tracking(parts[2]) or "", method,
            eta,
        )  # fmt: skip
        shipment = await shipments.create_shipment(
            session, spec=spec, created_by=user.id, now=clock.now()
        )
    except ShipmentError as error:
        await message.answer(shipment_error_text(error))
        return
    head = _("✅ Shipment {id} created.").format(id=shipment.id)
    await reply_card(message, session, user, shipment.id or 0, head)


async def start_dialog(
    message: Message, session: AsyncSession, user: User, state: FSMContext
) -> None:
    ready = await shipments.shippable_groups(session)
    await confirm.clear_dialog(state)
    if not ready:
        await message.answer(
            _("No formed group is waiting to be shipped. (Groups form at their deadline.)")
        )
        return
    await state.set_state(ShipDialog.groups)
    await message.answer(
        views.shippable_text(ready, user, current()), reply_markup=views.dialog_markup()
    )


@router.message(StateFilter(ShipDialog.groups), F.text, ~F.text.startswith("/"))
async def on_groups(message: Message, session: AsyncSession, state: FSMContext) -> None:
    ids = parse_ids(message.text or "")
    try:
        if ids is None:
            raise ShipmentError("no_groups")
        groups = await shipments.check_groups(session, ids)
    except ShipmentError as error:
        await message.answer(shipment_error_text(error), reply_markup=views.dialog_markup())
        return
    await state.update_data({DRAFT: {"groups": [g.id for g in groups]}})
    await state.set_state(ShipDialog.carrier)
    await message.answer(
        _(
            "Step 2 of 5. Who carries it? Send the carrier's name (e.g. China Railway Express, DHL)."
        ),
        reply_markup=views.dialog_markup(),
    )


async def _draft(state: FSMContext) -> dict:
    return dict((await state.get_data()).get(DRAFT) or {})


@router.message(StateFilter(ShipDialog.carrier), F.text, ~F.text.startswith("/"))
async def on_carrier(message: Message, state: FSMContext) -> None:
    carrier = rules.clean_carrier(message.text or "")
    if carrier is None:
        await message.answer(
            shipment_error_text(ShipmentError("bad_carrier")), reply_markup=views.dialog_markup()
        )
        return
    draft = await _draft(state)
    draft["carrier"] = carrier
    await state.update_data({DRAFT: draft})
    await state.set_state(ShipDialog.tracking)
    await message.answer(_("Step 3 of 5. The tracking number?"), reply_markup=views.dialog_markup())


@router.message(StateFilter(ShipDialog.tracking), F.text, ~F.text.startswith("/"))
async def on_tracking(message: Message, state: FSMContext) -> None:
    tracking = rules.clean_tracking(message.text or "")
    if tracking is None:
        await message.answer(
            shipment_error_text(ShipmentError("bad_tracking")), reply_markup=views.dialog_markup()
        )
        return
    draft = await _draft(state)
    draft["tracking"] = tracking
    await state.update_data({DRAFT: draft})
    await state.set_state(ShipDialog.method)
    await message.answer(_("Step 4 of 5. How does it travel?"), reply_markup=views.method_markup())


@router.message(StateFilter(ShipDialog.method), F.text, ~F.text.startswith("/"))
async def on_method_typed(message: Message) -> None:
    await message.answer(
        _("Pick the method with one of the buttons."), reply_markup=views.method_markup()
    )


@router.callback_query(StateFilter(ShipDialog.method), ShipCb.filter(F.a == ShipAction.METHOD))
async def on_method(
    callback: CallbackQuery, callback_data: ShipCb, state: FSMContext, user: User, clock: Clock
) -> None:
    if callback_data.s not in set(rules.DEFAULT_LEAD_DAYS):
        await stale(callback)
        return
    draft = await _draft(state)
    draft["method"] = callback_data.s
    await state.update_data({DRAFT: draft})
    await state.set_state(ShipDialog.eta)
    await callback.answer()
    usual = shipments.expected_arrival(clock.now(), callback_data.s)
    days = shipments.lead_table()[callback_data.s]
    await show(
        callback,
        _(
            "Step 5 of 5. When is it expected to arrive? Send a date like <code>2027-01-20</code> "
            "or <code>+25d</code>, or take the usual lead time."
        ),
        views.eta_markup(usual, days, user, current()),
    )


async def _summary(target: Message | CallbackQuery, state: FSMContext, session: AsyncSession,
                   user: User, eta: datetime) -> None:  # fmt: skip
    draft = await _draft(state)
    draft["eta"] = eta.isoformat()
    await state.update_data({DRAFT: draft})
    await state.set_state(ShipDialog.confirm)
    groups = await shipments.check_groups(session, draft.get("groups") or [])
    text, markup = views.dialog_summary(draft, groups, eta, user, current())
    if isinstance(target, CallbackQuery):
        await show(target, text, markup)
    else:
        await target.answer(text, reply_markup=markup)


@router.callback_query(StateFilter(ShipDialog.eta), ShipCb.filter(F.a == ShipAction.ETA))
async def on_usual_eta(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    draft = await _draft(state)
    await callback.answer()
    try:
        eta = shipments.expected_arrival(clock.now(), draft.get("method", "sea"))
        await _summary(callback, state, session, user, eta)
    except ShipmentError as error:
        await confirm.clear_dialog(state)
        await show(callback, shipment_error_text(error))


@router.message(StateFilter(ShipDialog.eta), F.text, ~F.text.startswith("/"))
async def on_eta(
    message: Message, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    try:
        eta = parse_eta(message.text or "", user, clock.now())
        await _summary(message, state, session, user, eta)
    except ShipmentError as error:
        await message.answer(shipment_error_text(error), reply_markup=views.dialog_markup())


@router.callback_query(StateFilter(ShipDialog.confirm), ShipCb.filter(F.a == ShipAction.CREATE))
async def on_create(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    draft = await _draft(state)
    await confirm.clear_dialog(state)
    try:
        spec = ShipSpec(
            list(draft["groups"]), draft["carrier"], draft["tracking"], draft["method"],
            datetime.fromisoformat(draft["eta"]),
        )  # fmt: skip
        shipment = await shipments.create_shipment(
            session, spec=spec, created_by=user.id, now=clock.now()
        )
    except (KeyError, ValueError, TypeError):
        await stale(callback)
        return
    except ShipmentError as error:
        await callback.answer()
        await show(callback, shipment_error_text(error))
        return
    await callback.answer(_("✅ Shipment {id} created.").format(id=shipment.id))
    await reply_card(callback, session, user, shipment.id or 0)


@router.callback_query(
    ShipCb.filter(F.a.in_({ShipAction.METHOD, ShipAction.ETA, ShipAction.CREATE}))
)
async def on_dialog_gone(callback: CallbackQuery) -> None:
    """A button of a /ship dialog that was cancelled or finished."""
    await stale(callback)


# ── events ──────────────────────────────────────────────────────────────────────────────


def status_usage() -> str:
    events = ", ".join(f"<code>{s}</code>" for s in (*rules.MILESTONES, Step.EXCEPTION))
    return _(
        "Usage: /ship_status ID EVENT [note]\n"
        "Events: {events}\n"
        "<code>/ship_status 3 duties_requested 125.50 EUR</code>\n"
        "<code>/ship_status 3 exception delay eta=2027-01-25 Storm in the Baltic</code>"
    ).format(events=events)


def posting_from(text_step: str, rest: str, user: User, now: datetime) -> rules.Posting:
    """What the admin typed after the shipment id (an `eta=` as in /ship: ahead, within a
    year, in the admin's time zone)."""

    def eta(text: str) -> datetime:
        try:
            return parse_eta(text, user, now)
        except ShipmentError as error:
            raise ValueError(error.code) from error

    return parse_posting(text_step, rest, parse_date=eta)


@router.message(Command("ship_status"))
async def cmd_ship_status(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    shipment_id = parse_ids(parts[0]) if parts else None
    if shipment_id is None or len(shipment_id) != 1 or len(parts) < 2:
        await message.answer(status_usage())
        return
    try:
        posting = posting_from(parts[1], parts[2] if len(parts) > 2 else "", user, clock.now())
        await shipments.post_event(
            session, shipment_id=shipment_id[0], posting=posting, created_by=user.id,
            now=clock.now(),
        )  # fmt: skip
    except (ShipmentError, PostingError) as error:
        await message.answer(shipment_error_text(error))
        return
    head = _("✅ Posted: {event}. Everyone on board and the agents are told.").format(
        event=q(views.step_name(posting.step))
    )
    await reply_card(message, session, user, shipment_id[0], head)


@router.callback_query(ShipCb.filter(F.a == ShipAction.POST))
async def on_post(
    callback: CallbackQuery, callback_data: ShipCb, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    step = rules.parse_step(callback_data.s)
    try:
        shipment = await shipments.get_shipment(session, callback_data.id)
    except ShipmentError:
        await stale(callback)
        return
    if step is None or shipment.version != callback_data.v:
        await callback.answer(shipment_error_text(ShipmentError("stale")), show_alert=True)
        await reply_card(callback, session, user, shipment.id or 0)
        return
    if step not in rules.allowed_next(shipments.step_of(shipment)):
        await stale(callback)
        return
    payload = {"id": shipment.id, "v": shipment.version, "s": str(step)}
    if step in (Step.DUTIES_REQUESTED, Step.EXCEPTION):
        await state.set_state(ShipPost.args)
        await state.update_data({POSTING: payload})
        await callback.answer()
        prompt = (
            _("Send the duties due, e.g. <code>125.50 EUR</code>, and a note if you like.")
            if step == Step.DUTIES_REQUESTED
            else _(
                "What went wrong? Send <code>delay</code>, <code>customs_hold</code> or "
                "<code>damage</code>, optionally <code>eta=2027-01-25</code>, then a note."
            )
        )
        await callback.message.answer(prompt, reply_markup=views.dialog_markup())  # type: ignore[union-attr]
        return
    markup = await confirm.ask(
        state,
        ConfirmAction.SHIP_STATUS,
        payload,
        now=clock.now(),
        yes=_("✅ Post it"),
        no=_("↩ Don't post it"),
    )
    await callback.answer()
    await callback.message.answer(  # type: ignore[union-attr]
        _("Post “{event}” on shipment {id}? Every buyer on board and the agents are told.").format(
            event=q(views.step_name(step)), id=shipment.id
        ),
        reply_markup=markup,
    )


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.SHIP_STATUS) & ~F.no))
async def on_post_ok(
    callback: CallbackQuery, callback_data: ConfirmCb, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    step = rules.parse_step(str(pending.get("s", "")))
    if step is None:
        await stale(callback)
        return
    await _post(callback, session, user, int(pending.get("id", 0)), int(pending.get("v", -1)),
                rules.Posting(step), clock)  # fmt: skip


async def _post(callback: CallbackQuery, session: AsyncSession, user: User, shipment_id: int,
                version: int, posting: rules.Posting, clock: Clock) -> None:  # fmt: skip
    try:
        await shipments.post_event(
            session, shipment_id=shipment_id, posting=posting, created_by=user.id,
            now=clock.now(), version=version,
        )  # fmt: skip
    except ShipmentError as error:
        await callback.answer(shipment_error_text(error), show_alert=True)
        if error.code != "unknown_shipment":
            await reply_card(callback, session, user, shipment_id)
        return
    await callback.answer(_("✅ Posted: {event}.").format(event=views.step_name(posting.step)))
    await reply_card(callback, session, user, shipment_id)


@router.message(StateFilter(ShipPost.args), F.text, ~F.text.startswith("/"))
async def on_post_args(
    message: Message, session: AsyncSession, user: User, state: FSMContext, clock: Clock
) -> None:
    pending = dict((await state.get_data()).get(POSTING) or {})
    try:
        shipment = await shipments.get_shipment(session, int(pending.get("id", 0)))
        posting = posting_from(str(pending.get("s", "")), message.text or "", user, clock.now())
        await shipments.post_event(
            session, shipment_id=shipment.id or 0, posting=posting, created_by=user.id,
            now=clock.now(), version=int(pending.get("v", -1)),
        )  # fmt: skip
    except PostingError as error:
        await message.answer(shipment_error_text(error), reply_markup=views.dialog_markup())
        return
    except ShipmentError as error:
        await confirm.clear_dialog(state)
        await message.answer(shipment_error_text(error))
        return
    await confirm.clear_dialog(state)
    head = _("✅ Posted: {event}. Everyone on board and the agents are told.").format(
        event=q(views.step_name(posting.step))
    )
    await reply_card(message, session, user, shipment.id or 0, head)


# ── reading ─────────────────────────────────────────────────────────────────────────────


@router.message(Command("shipments"))
async def cmd_shipments(message: Message, session: AsyncSession, user: User) -> None:
    page = await shipments.list_shipments(session)
    text, markup = views.list_view(page, user, current())
    await message.answer(text, reply_markup=markup)


@router.callback_query(ShipCb.filter(F.a == ShipAction.LIST))
async def on_list(
    callback: CallbackQuery, callback_data: ShipCb, session: AsyncSession, user: User
) -> None:
    page = await shipments.list_shipments(session, page=callback_data.p)
    await callback.answer()
    await show(callback, *views.list_view(page, user, current()))


@router.message(Command("shipment"))
async def cmd_shipment(
    message: Message, command: CommandObject, session: AsyncSession, user: User
) -> None:
    ids = parse_ids(command.args or "")
    if ids is None or len(ids) != 1:
        await message.answer(_("Usage: /shipment ID (see /shipments)"))
        return
    try:
        await reply_card(message, session, user, ids[0])
    except ShipmentError as error:
        await message.answer(shipment_error_text(error))


@router.callback_query(ShipCb.filter(F.a == ShipAction.SHOW))
async def on_show(
    callback: CallbackQuery, callback_data: ShipCb, session: AsyncSession, user: User
) -> None:
    try:
        await reply_card(callback, session, user, callback_data.id)
    except ShipmentError:
        await stale(callback)
        return
    await callback.answer()


# ── bulk files ──────────────────────────────────────────────────────────────────────────


def is_table(message: Message) -> bool:
    """A document that may be a file of events (anything else is not the admins' business)."""
    name = (message.document.file_name or "") if message.document else ""
    return name.lower().endswith((".csv", ".xlsx", ".txt"))


# A product file (caption /import, or sent after typing /import) and a product's picture sent as
# a file (caption /photo SKU) are the catalogue's: they go on to handlers.admin.catalog. A file
# sent in the middle of any dialog (the broadcast's message, /import's file) is that dialog's.
@router.message(F.document, is_table, ~Command("import", "photo"), StateFilter(None), from_admin)
async def on_document(
    message: Message, bot: Bot, session: AsyncSession, user: User, clock: Clock
) -> None:
    document = message.document
    assert document is not None
    name = document.file_name or ""
    try:
        if not name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise FileError("not_a_table", name)
        if (document.file_size or 0) > MAX_BYTES:
            raise FileError("too_big", str(MAX_BYTES // 1024 // 1024))
        buffer = io.BytesIO()
        await bot.download(document, destination=buffer)
        zone = ZoneInfo(user.timezone or "UTC")
        table = read_table(buffer.getvalue(), name, zone)
        if looks_like_product_table(table):
            await message.answer(product_file_hint())
            return
        rows, problems = read_rows(table, zone=zone)
    except FileError as error:
        await message.answer(shipment_error_text(error))
        return
    errors: list[tuple[int, str]] = [(p.number, shipment_error_text(p.error)) for p in problems]
    report = None
    if not errors:
        try:
            report = await shipments.import_rows(session, rows, created_by=user.id, now=clock.now())
        except ShipmentError as error:
            found: list[tuple[int, ShipmentError]] = list(error.details.get("errors") or [])  # type: ignore[call-overload]
            errors = [(number, shipment_error_text(e)) for number, e in found]
            if not errors:
                errors = [(0, shipment_error_text(error))]
    if errors:
        lines = [
            ngettext(
                "⛔ Nothing was applied: {count} row has a problem.",
                "⛔ Nothing was applied: {count} rows have a problem.",
                len(errors),
            ).format(count=len(errors))
        ]
        lines += [
            _("Row {number}: {error}").format(number=number, error=text)
            for number, text in errors[:MAX_ERRORS_SHOWN]
        ]
        if len(errors) > MAX_ERRORS_SHOWN:
            more = len(errors) - MAX_ERRORS_SHOWN
            lines.append(
                ngettext("…and {count} more row.", "…and {count} more rows.", more).format(
                    count=more
                )
            )
        await message.answer("\n".join(lines))
        return
    assert report is not None
    await message.answer(views.import_report_text(report))
