"""Shipments: formed groups for one destination travel together (`create_shipment`), admins post
their status events (`post_event`, or many at once from a file: `import_rows`), orders follow,
and everyone on board hears each event once (`domain.events.ShipmentUpdated`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import geo
from domain import shipments as rules
from domain.errors import ShipmentError
from domain.shipment_files import FileRow
from domain.shipments import Posting, Step, TransitionError
from domain.text import same_city
from models import (
    GroupOrder,
    GroupStatus,
    Order,
    OrderStatus,
    Shipment,
    ShipmentEvent,
    ShippingMethod,
)
from services import audit, notify
from services.agents import point_agents
from services.groups.queries import aware
from services.pickup import Collection, city_points, collections
from services.tx import writes

__all__ = ["ShipmentError"]

TRACK_KEEP = timedelta(days=30)  # a delivered shipment stays in /track this long
PAGE = 10

_lead_overrides: dict[str, int] = {}


def configure(lead_days: Mapping[str, int]) -> None:
    """The lead times of the configuration (LEAD_TIMES), over the defaults."""
    _lead_overrides.clear()
    _lead_overrides.update(lead_days)


def lead_table() -> dict[str, int]:
    return {**rules.DEFAULT_LEAD_DAYS, **_lead_overrides}


def expected_arrival(start: datetime, method: str) -> datetime:
    return rules.expected_arrival(aware(start), method, _lead_overrides)


def step_of(shipment: Shipment) -> Step | None:
    return Step(shipment.status) if shipment.status else None


# ── creating ────────────────────────────────────────────────────────────────────────────


@dataclass
class ShipSpec:
    group_ids: list[int]
    carrier: str
    tracking: str
    method: str
    eta: datetime | None = None  # None: today plus the method's lead time


def check_spec(spec: ShipSpec) -> None:
    """What can be said of a spec without the database (the dialog checks each step with it)."""
    if not spec.group_ids:
        raise ShipmentError("no_groups")
    if len(set(spec.group_ids)) > 50:
        raise ShipmentError("too_many_groups")
    if rules.clean_carrier(spec.carrier) != spec.carrier:
        raise ShipmentError("bad_carrier")
    if rules.clean_tracking(spec.tracking) != spec.tracking:
        raise ShipmentError("bad_tracking")
    if spec.method not in set(ShippingMethod):
        raise ShipmentError("bad_method", method=spec.method)


async def shippable_groups(session: AsyncSession) -> list[GroupOrder]:
    """Formed groups not on a shipment yet, oldest deadline first (what /ship offers)."""
    rows = await session.exec(
        select(GroupOrder)
        .where(GroupOrder.status == GroupStatus.FORMED, col(GroupOrder.shipment_id).is_(None))
        .order_by(col(GroupOrder.deadline), col(GroupOrder.id))
        .limit(50)
    )
    return list(rows.all())


async def check_groups(session: AsyncSession, group_ids: Sequence[int]) -> list[GroupOrder]:
    """The groups, if every one is formed, on no shipment yet, and all for one destination."""
    wanted = sorted(set(group_ids))
    found = {
        group.id: group
        for group in (
            await session.exec(select(GroupOrder).where(col(GroupOrder.id).in_(wanted)))
        ).all()
    }
    for group_id in wanted:
        group = found.get(group_id)
        if group is None:
            raise ShipmentError("unknown_group", group=group_id)
        if group.shipment_id is not None:
            raise ShipmentError("group_on_shipment", group=group_id, shipment=group.shipment_id)
        if group.status != GroupStatus.FORMED:
            raise ShipmentError("group_not_formed", group=group_id, status=group.status)
    groups = [found[group_id] for group_id in wanted]
    first = groups[0]
    if any(g.country != first.country or not same_city(g.city, first.city) for g in groups):
        raise ShipmentError("mixed_destinations")
    return groups


@writes
async def create_shipment(
    session: AsyncSession, *, spec: ShipSpec, created_by: int | None, now: datetime
) -> Shipment:
    """/ship: the groups (formed, for one destination) become one shipment and are `shipped`."""
    check_spec(spec)
    groups = await check_groups(session, spec.group_ids)
    eta = spec.eta or expected_arrival(now, spec.method)
    problem = rules.eta_problem(aware(eta), now)
    if problem:
        raise ShipmentError(problem)
    shipment = Shipment(
        country=groups[0].country, city=groups[0].city, carrier=spec.carrier,
        tracking=spec.tracking, method=spec.method, eta=eta, created_by=created_by,
        created_at=now,
    )  # fmt: skip
    session.add(shipment)
    await session.flush()
    ids = [group.id or 0 for group in groups]
    taken = await session.exec(
        update(GroupOrder)
        .where(
            col(GroupOrder.id).in_(ids),
            col(GroupOrder.shipment_id).is_(None),
            col(GroupOrder.status) == GroupStatus.FORMED,
        )
        .values(shipment_id=shipment.id, status=GroupStatus.SHIPPED, version=GroupOrder.version + 1)
    )
    if taken.rowcount != len(ids):  # another admin shipped one of them meanwhile
        await session.rollback()
        raise ShipmentError("group_on_shipment", group=ids[0], shipment=0)
    if created_by is not None:
        after = audit.snapshot(
            shipment, ("carrier", "tracking", "method", "eta", "country", "city")
        )
        audit.record(
            session, admin_id=created_by, action="shipment.create", object_type="shipment",
            object_id=shipment.id, after=after | {"groups": ids}, at=now,
        )  # fmt: skip
    return shipment


# ── events ──────────────────────────────────────────────────────────────────────────────


async def get_shipment(session: AsyncSession, shipment_id: int) -> Shipment:
    shipment = await session.get(Shipment, shipment_id, populate_existing=True)
    if shipment is None:
        raise ShipmentError("unknown_shipment", shipment=shipment_id)
    return shipment


async def _post(
    session: AsyncSession, shipment: Shipment, posting: Posting, *, occurred_at: datetime,
    created_by: int | None, now: datetime, key: str | None = None, announce: bool = True,
) -> ShipmentEvent:  # fmt: skip
    """Record one event on a shipment read in this transaction, move its groups and orders, and
    queue the notices (`announce`: the event's own; the caller commits)."""
    current = step_of(shipment)
    try:
        after = rules.check(posting.step, current)
    except TransitionError as error:
        raise ShipmentError(
            "bad_transition", step=posting.step, current=current, allowed=error.allowed
        ) from error
    event = ShipmentEvent(
        shipment_id=shipment.id or 0, step=posting.step, occurred_at=occurred_at,
        note=posting.note, problem=posting.problem, amount=posting.amount,
        currency=(posting.currency or geo.currency_for_country(shipment.country))
        if posting.amount is not None else None,
        new_eta=posting.new_eta, key=key, created_by=created_by,
        created_at=now,
    )  # fmt: skip
    session.add(event)
    await session.flush()
    values: dict[str, object] = {
        "status": after or "",
        "version": Shipment.version + 1,
        "last_event_at": occurred_at,
    }
    if posting.new_eta is not None:
        values["eta"] = posting.new_eta
    if posting.step == Step.DELIVERED:
        values["delivered_at"] = occurred_at
    moved = await session.exec(
        update(Shipment)
        .where(col(Shipment.id) == shipment.id, col(Shipment.version) == shipment.version)
        .values(**values)
    )
    if moved.rowcount != 1:
        raise ShipmentError("stale", shipment=shipment.id)
    await session.refresh(shipment)
    changed: tuple[int, ...] = ()
    status = rules.ORDER_STATUS_AFTER.get(posting.step)
    if status is not None:
        changed = await _move_orders(session, shipment.id or 0, status, now)
    if posting.step == Step.DELIVERED:
        await session.exec(
            update(GroupOrder)
            .where(col(GroupOrder.shipment_id) == shipment.id)
            .values(status=GroupStatus.DELIVERED, version=GroupOrder.version + 1)
        )
    updates: list[ev.Event] = (
        [ev.ShipmentUpdated(shipment.id or 0, event.id or 0)] if announce else []
    )
    if changed:
        updates.append(ev.OrdersChanged(changed))
    await notify.publish(session, updates, now=now)
    return event


async def _move_orders(
    session: AsyncSession, shipment_id: int, status: str, now: datetime
) -> tuple[int, ...]:
    group_ids = select(GroupOrder.id).where(GroupOrder.shipment_id == shipment_id)
    condition = (
        col(Order.group_id).in_(group_ids.scalar_subquery()),
        col(Order.status).in_(rules.ORDER_STATUS_FROM[status]),
    )
    ids = tuple((await session.exec(select(Order.id).where(*condition))).all())
    if ids:
        values: dict[str, object] = {"status": status, "updated_at": now}
        await session.exec(update(Order).where(*condition).values(**values))
    return tuple(i for i in ids if i is not None)


@writes
async def post_event(
    session: AsyncSession, *, shipment_id: int, posting: Posting, created_by: int | None,
    now: datetime, version: int | None = None,
) -> tuple[Shipment, ShipmentEvent]:  # fmt: skip
    """/ship_status and the card's buttons: one event, now. `version` (from a button) must be
    the shipment's: a button showing an older state changes nothing."""
    shipment = await get_shipment(session, shipment_id)
    if version is not None and version != shipment.version:
        raise ShipmentError("stale", shipment=shipment_id)
    if posting.new_eta is not None:
        problem = rules.eta_problem(aware(posting.new_eta), now)
        if problem:
            raise ShipmentError(problem)
    before = audit.snapshot(shipment, ("status", "eta"))
    event = await _post(session, shipment, posting, occurred_at=now, created_by=created_by, now=now)
    if created_by is not None:
        audit.record(
            session, admin_id=created_by, action="shipment.event", object_type="shipment",
            object_id=shipment_id, before=before,
            after=audit.snapshot(shipment, ("status", "eta")) | {"event": event.step},
            at=now,
        )  # fmt: skip
    return shipment, event


# ── bulk import ─────────────────────────────────────────────────────────────────────────


ImportRow = FileRow  # a row of an uploaded file, read by domain.shipment_files


@dataclass
class ImportReport:
    applied: int = 0
    already: int = 0  # rows applied by an earlier upload of the same lines
    shipments: set[int] = field(default_factory=set)


def row_key(shipment_id: int, row: ImportRow) -> str:
    """The identity of an imported event: the same line sent again is the same event (the
    moment in UTC, so the same instant written with another offset is the same too)."""
    posting = row.posting
    text = "|".join(
        [str(shipment_id), posting.step, row.occurred_at.astimezone(UTC).isoformat(),
         posting.note, str(posting.amount or ""), posting.currency or "",
         str(posting.problem or ""),
         posting.new_eta.astimezone(UTC).isoformat() if posting.new_eta else ""]
    )  # fmt: skip
    return "imp:" + hashlib.sha256(text.encode()).hexdigest()[:56]


AMBIGUOUS = "ambiguous"


async def _resolve(session: AsyncSession, refs: set[str]) -> dict[str, Shipment | str]:
    """Shipments by id (`12`, `#12`) or tracking number, in two queries. A reference that
    could mean two shipments (a tracking number used twice, or `12` that is one shipment's id
    and another's tracking number) maps to AMBIGUOUS."""
    ids = {int(r.lstrip("#")) for r in refs if r.lstrip("#").isdecimal() and len(r) < 10}
    by_id = {}
    if ids:
        rows = await session.exec(select(Shipment).where(col(Shipment.id).in_(ids)))
        by_id = {shipment.id: shipment for shipment in rows.all()}
    by_tracking: dict[str, list[Shipment]] = {}
    plain = {r for r in refs if not r.startswith("#")}
    if plain:
        rows = await session.exec(select(Shipment).where(col(Shipment.tracking).in_(plain)))
        for shipment in rows.all():
            by_tracking.setdefault(shipment.tracking, []).append(shipment)
    found: dict[str, Shipment | str] = {}
    for ref in refs:
        number = ref.lstrip("#")
        as_id = by_id.get(int(number)) if number.isdecimal() and len(ref) < 10 else None
        if ref.startswith("#"):
            if as_id is not None:
                found[ref] = as_id
            continue
        named = {s.id: s for s in by_tracking.get(ref, [])}
        if as_id is not None:
            named[as_id.id] = as_id
        if len(named) == 1:
            found[ref] = next(iter(named.values()))
        elif named:
            found[ref] = AMBIGUOUS
    return found


def _floor(shipment: Shipment) -> datetime:
    """The earliest an imported event of the shipment may be dated: after its last event, and
    not long before the shipment was made."""
    if shipment.last_event_at is not None:
        return aware(shipment.last_event_at)
    return aware(shipment.created_at) - rules.OLDEST_EVENT


@writes
async def import_rows(
    session: AsyncSession, rows: Sequence[ImportRow], *, created_by: int | None, now: datetime
) -> ImportReport:
    """Apply a whole file or nothing. Every row is checked first: its shipment exists (and is
    not ambiguous), the event may follow the one before it, it is dated after the shipment's
    last event and not in the future, a new ETA is ahead. Any error raises ShipmentError
    ("import_rows", errors=[(row number, error)]) and nothing is written. A row already
    applied (the same file sent again) is counted and skipped. Buyers hear the latest event of
    each shipment in the file (a backfilled history is on the timeline, not in 50 messages)."""
    shipments = await _resolve(session, {row.ref for row in rows})
    keys = {}
    errors: list[tuple[int, ShipmentError]] = []
    for row in rows:
        shipment = shipments.get(row.ref)
        if shipment is None:
            errors.append((row.number, ShipmentError("unknown_shipment_ref", ref=row.ref)))
            continue
        if not isinstance(shipment, Shipment):
            errors.append((row.number, ShipmentError("ambiguous_ref", ref=row.ref)))
            continue
        keys[row.number] = row_key(shipment.id or 0, row)
    known: set[str | None] = set()
    values = sorted(set(keys.values()))
    for start in range(0, len(values), 1000):
        found = await session.exec(
            select(ShipmentEvent.key).where(
                col(ShipmentEvent.key).in_(values[start : start + 1000])
            )
        )
        known.update(found.all())
    state: dict[int, tuple[Step | None, datetime]] = {}
    fresh: list[tuple[ImportRow, Shipment, str]] = []
    seen: set[str] = set()
    duplicates = 0
    for row in sorted(rows, key=lambda r: (r.occurred_at, r.number)):
        key = keys.get(row.number)
        if key is None:
            continue
        if key in known or key in seen:
            duplicates += 1
            continue
        seen.add(key)
        shipment = shipments[row.ref]
        assert isinstance(shipment, Shipment)
        sid = shipment.id or 0
        current, floor = state.get(sid, (step_of(shipment), _floor(shipment)))
        problem = None
        if row.occurred_at > now + timedelta(minutes=5):
            problem = ShipmentError("time_future")
        elif row.occurred_at < floor:
            problem = ShipmentError("time_before_last", shipment=sid)
        elif row.posting.new_eta is not None and rules.eta_problem(row.posting.new_eta, now):
            problem = ShipmentError(rules.eta_problem(row.posting.new_eta, now) or "eta_past")
        if problem is not None:
            errors.append((row.number, problem))
            continue
        try:
            state[sid] = (rules.check(row.posting.step, current), row.occurred_at)
        except TransitionError as error:
            errors.append(
                (row.number, ShipmentError(
                    "bad_transition", step=row.posting.step, current=current,
                    allowed=error.allowed, shipment=sid,
                ))
            )  # fmt: skip
            continue
        fresh.append((row, shipment, key))
    if errors:
        raise ShipmentError("import_rows", errors=sorted(errors, key=lambda e: e[0]))
    report = ImportReport(already=duplicates)
    last = {shipment.id: row.number for row, shipment, _key in fresh}  # the latest of each
    for row, shipment, key in fresh:
        await _post(
            session, shipment, row.posting, occurred_at=row.occurred_at, created_by=created_by,
            now=now, key=key, announce=last[shipment.id] == row.number,
        )  # fmt: skip
        report.applied += 1
        report.shipments.add(shipment.id or 0)
    if created_by is not None and report.applied:
        audit.record(
            session, admin_id=created_by, action="shipment.import", object_type="shipment",
            after={"applied": report.applied, "shipments": sorted(report.shipments)}, at=now,
        )  # fmt: skip
    return report


# ── reading ─────────────────────────────────────────────────────────────────────────────


@dataclass
class ShipmentCard:
    """A shipment with its groups, its events (oldest first) and how many orders are on board."""

    shipment: Shipment
    groups: list[GroupOrder]
    events: list[ShipmentEvent]
    orders: int = 0


async def shipment_card(session: AsyncSession, shipment_id: int) -> ShipmentCard:
    shipment = await get_shipment(session, shipment_id)
    cards = await _cards(session, [shipment])
    return cards[0]


async def _cards(session: AsyncSession, shipments: Sequence[Shipment]) -> list[ShipmentCard]:
    """Cards of many shipments in three queries."""
    ids = [s.id or 0 for s in shipments]
    if not ids:
        return []
    groups: dict[int, list[GroupOrder]] = {i: [] for i in ids}
    for group in (
        await session.exec(
            select(GroupOrder)
            .where(col(GroupOrder.shipment_id).in_(ids))
            .order_by(col(GroupOrder.id))
        )
    ).all():
        groups[group.shipment_id or 0].append(group)
    events: dict[int, list[ShipmentEvent]] = {i: [] for i in ids}
    for event in (
        await session.exec(
            select(ShipmentEvent)
            .where(col(ShipmentEvent.shipment_id).in_(ids))
            .order_by(col(ShipmentEvent.occurred_at), col(ShipmentEvent.id))
        )
    ).all():
        events[event.shipment_id].append(event)
    counts = dict(
        (
            await session.exec(
                select(GroupOrder.shipment_id, func.count(col(Order.id)))
                .join(Order, col(Order.group_id) == GroupOrder.id)
                .where(
                    col(GroupOrder.shipment_id).in_(ids),
                    col(Order.status) != OrderStatus.CANCELLED,
                )
                .group_by(col(GroupOrder.shipment_id))
            )
        ).all()
    )
    return [
        ShipmentCard(s, groups[s.id or 0], events[s.id or 0], counts.get(s.id, 0))
        for s in shipments
    ]


@dataclass
class ShipmentPage:
    cards: list[ShipmentCard]
    page: int
    pages: int
    total: int


async def list_shipments(session: AsyncSession, *, page: int = 0) -> ShipmentPage:
    """/shipments: the newest first, a page at a time."""
    total = (await session.exec(select(func.count(col(Shipment.id))))).one()
    pages = max(1, -(-total // PAGE))
    page = min(max(0, page), pages - 1)
    rows = (
        await session.exec(
            select(Shipment).order_by(col(Shipment.id).desc()).offset(page * PAGE).limit(PAGE)
        )
    ).all()
    return ShipmentPage(await _cards(session, rows), page, pages, total)


@dataclass
class Tracking:
    """A buyer's shipment as /track shows it: the card, their orders on board and the pickup
    points they collect them from."""

    card: ShipmentCard
    orders: list[Order]
    places: list[Collection]  # where each of those orders is collected


async def tracking_of(
    session: AsyncSession, *, user_id: int, chosen_point: int | None, now: datetime
) -> list[Tracking]:
    """The buyer's shipments still travelling, or delivered in the last 30 days."""
    rows = (
        await session.exec(
            select(Order, GroupOrder)
            .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
            .where(
                Order.user_id == user_id,
                col(Order.status) != OrderStatus.CANCELLED,
                col(GroupOrder.shipment_id).is_not(None),
            )
        )
    ).all()
    if not rows:
        return []
    shipment_ids = sorted({group.shipment_id or 0 for _order, group in rows})
    shipments = (
        await session.exec(select(Shipment).where(col(Shipment.id).in_(shipment_ids)))
    ).all()
    keep = [
        s for s in shipments
        if s.delivered_at is None or aware(s.delivered_at) > now - TRACK_KEEP
    ]  # fmt: skip
    keep.sort(key=lambda s: (s.delivered_at is not None, aware(s.eta)))
    cards = await _cards(session, keep)
    points = await city_points(session, [(s.country, s.city) for s in keep])
    runners = await point_agents(session, points)
    found = []
    for card in cards:
        mine = [(o, g) for o, g in rows if g.shipment_id == card.shipment.id]
        places = collections(mine, chosen=chosen_point, points=points, runners=runners)
        found.append(Tracking(card, [o for o, _g in mine], places))
    return found
