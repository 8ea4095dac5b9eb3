"""A shipment's timeline: which status events exist, which may follow which, what they mean for
the orders on board, and the lead time of each shipping method. Pure rules, no I/O.

The milestones run in this order (customs at the destination may be short-cut when nothing is
held; the last mile is either a delivery or a pickup point):

    packed → departed_origin → export_cleared → in_transit → arrived_destination
      → customs_review → duties_requested → duties_paid → released
      → out_for_delivery | at_pickup_point → delivered

`exception` (a delay, a customs hold, damage) may be posted at any time, even after `delivered`;
it carries a note and optionally a new ETA, and leaves the milestone where it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import is_currency

from models import OrderStatus, ShippingMethod


class Step(StrEnum):
    PACKED = "packed"
    DEPARTED_ORIGIN = "departed_origin"
    EXPORT_CLEARED = "export_cleared"
    IN_TRANSIT = "in_transit"
    ARRIVED_DESTINATION = "arrived_destination"
    CUSTOMS_REVIEW = "customs_review"
    DUTIES_REQUESTED = "duties_requested"
    DUTIES_PAID = "duties_paid"
    RELEASED = "released"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AT_PICKUP_POINT = "at_pickup_point"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class Problem(StrEnum):
    """What an `exception` is about."""

    DELAY = "delay"
    CUSTOMS_HOLD = "customs_hold"
    DAMAGE = "damage"


# The milestones, in the order a timeline shows them (exceptions are not milestones).
MILESTONES: tuple[Step, ...] = tuple(step for step in Step if step != Step.EXCEPTION)

# What may follow each milestone (None: a shipment with no event yet).
NEXT: dict[Step | None, tuple[Step, ...]] = {
    None: (Step.PACKED,),
    Step.PACKED: (Step.DEPARTED_ORIGIN,),
    Step.DEPARTED_ORIGIN: (Step.EXPORT_CLEARED, Step.IN_TRANSIT),
    Step.EXPORT_CLEARED: (Step.IN_TRANSIT,),
    Step.IN_TRANSIT: (Step.ARRIVED_DESTINATION,),
    Step.ARRIVED_DESTINATION: (Step.CUSTOMS_REVIEW, Step.RELEASED),
    Step.CUSTOMS_REVIEW: (Step.DUTIES_REQUESTED, Step.RELEASED),
    Step.DUTIES_REQUESTED: (Step.DUTIES_PAID,),
    Step.DUTIES_PAID: (Step.RELEASED,),
    Step.RELEASED: (Step.OUT_FOR_DELIVERY, Step.AT_PICKUP_POINT),
    Step.OUT_FOR_DELIVERY: (Step.DELIVERED,),
    Step.AT_PICKUP_POINT: (Step.DELIVERED,),
    Step.DELIVERED: (),
}

# How a buyer's order stands once the shipment reached a milestone (None: unchanged).
ORDER_STATUS_AFTER: dict[Step, str] = {
    Step.DEPARTED_ORIGIN: OrderStatus.SHIPPED,
    Step.AT_PICKUP_POINT: OrderStatus.READY_FOR_PICKUP,
    Step.DELIVERED: OrderStatus.DELIVERED,
}
# The orders each of those moves on (an order already further along is left alone).
ORDER_STATUS_FROM: dict[str, tuple[str, ...]] = {
    OrderStatus.SHIPPED: (OrderStatus.CONFIRMED, OrderStatus.PAID),
    OrderStatus.READY_FOR_PICKUP: (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.SHIPPED),
    OrderStatus.DELIVERED: (
        OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP,
    ),
}  # fmt: skip

# Days from departure to arrival, by method (configurable: LEAD_TIMES).
DEFAULT_LEAD_DAYS: dict[str, int] = {
    ShippingMethod.AIR: 7,
    ShippingMethod.RAIL: 25,
    ShippingMethod.SEA: 40,
    ShippingMethod.EXPRESS: 5,
}

MAX_NOTE = 500
MAX_CARRIER = 64
MAX_TRACKING = 64
MAX_DUTIES_MINOR = 10**11  # a thousand million in any currency is a typo


class TransitionError(ValueError):
    """An event that may not follow the shipment's current milestone."""

    def __init__(self, step: Step, current: Step | None) -> None:
        super().__init__(f"{step} may not follow {current}")
        self.step = step
        self.current = current
        self.allowed = allowed_next(current)


def allowed_next(current: Step | None) -> tuple[Step, ...]:
    """The events that may be posted now: the next milestones, and an exception (always)."""
    return NEXT[current] + (Step.EXCEPTION,)


def check(step: Step, current: Step | None) -> Step | None:
    """The milestone after posting `step` (an exception keeps the current one); raises
    TransitionError when `step` may not follow `current`."""
    if step == Step.EXCEPTION:
        return current
    if step not in NEXT[current]:
        raise TransitionError(step, current)
    return step


def replay(steps: Iterable[Step], current: Step | None = None) -> Step | None:
    """The milestone after these events in turn, from `current` (raises on the first illegal)."""
    for step in steps:
        current = check(step, current)
    return current


def clean_carrier(text: str) -> str | None:
    """A carrier's name as typed, spaces tidied; None if empty or too long."""
    carrier = " ".join(text.split())
    return carrier if carrier and len(carrier) <= MAX_CARRIER else None


def clean_tracking(text: str) -> str | None:
    """A tracking number: printable, no spaces, not too long; None otherwise."""
    tracking = text.strip()
    if not tracking or len(tracking) > MAX_TRACKING:
        return None
    if any(c.isspace() or not c.isprintable() for c in tracking):
        return None
    return tracking


def parse_step(text: str) -> Step | None:
    """An event name as typed (`departed_origin`, `Departed origin`, `departed-origin`)."""
    word = "_".join(text.strip().lower().replace("-", " ").split())
    try:
        return Step(word)
    except ValueError:
        return None


def parse_problem(text: str) -> Problem | None:
    word = "_".join(text.strip().lower().replace("-", " ").split())
    try:
        return Problem(word)
    except ValueError:
        return None


def upcoming(current: Step | None) -> list[Step]:
    """The milestones still ahead on the usual path (optional customs steps left out)."""
    path = [
        Step.PACKED, Step.DEPARTED_ORIGIN, Step.IN_TRANSIT, Step.ARRIVED_DESTINATION,
        Step.RELEASED, Step.DELIVERED,
    ]  # fmt: skip
    if current is None:
        return path
    index = MILESTONES.index(current)
    return [step for step in path if MILESTONES.index(step) > index]


def lead_days(method: str, overrides: Mapping[str, int] | None = None) -> int:
    table = {**DEFAULT_LEAD_DAYS, **(overrides or {})}
    return table.get(method, DEFAULT_LEAD_DAYS[ShippingMethod.SEA])


def expected_arrival(
    start: datetime, method: str, overrides: Mapping[str, int] | None = None
) -> datetime:
    """When goods leaving at `start` by `method` are expected at the destination."""
    return start + timedelta(days=lead_days(method, overrides))


def parse_lead_times(text: str) -> dict[str, int]:
    """`air=7,rail=25,sea=40,express=5` (any subset; days, 1 to 365)."""
    found: dict[str, int] = {}
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or name not in DEFAULT_LEAD_DAYS or not value.strip().isdecimal():
            raise ValueError(f"LEAD_TIMES: {part.strip()!r} is not METHOD=DAYS")
        days = int(value)
        if not 1 <= days <= 365:
            raise ValueError(f"LEAD_TIMES: {name} takes 1 to 365 days, not {days}")
        found[name] = days
    return found


def parse_money(text: str) -> int | None:
    """`125`, `125.50`, `125,50` as minor units (cents), or None (also for `1e30`)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
        if not value.is_finite() or value <= 0 or value.adjusted() > 12:
            return None
        if value != value.quantize(Decimal("0.01")):
            return None
    except InvalidOperation:
        return None
    minor = int(value * 100)
    return minor if minor < MAX_DUTIES_MINOR else None


MAX_ETA_AHEAD = timedelta(days=366)
OLDEST_EVENT = timedelta(days=60)  # an event may be dated this long before the shipment was made


def eta_problem(eta: datetime, now: datetime) -> str | None:
    """Why an expected arrival cannot be (None: it can): it must be ahead, within a year."""
    if eta <= now:
        return "eta_past"
    if eta > now + MAX_ETA_AHEAD:
        return "eta_far"
    return None


@dataclass(frozen=True)
class Posting:
    """An event as an admin typed it (`/ship_status`, a row of an import), checked for form."""

    step: Step
    note: str = ""
    problem: Problem | None = None
    amount: int | None = None  # duties due, minor units of `currency`
    currency: str | None = None
    new_eta: datetime | None = None


class PostingError(ValueError):
    """`code` names what is wrong with a posting; `value` is the offending input."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def clean_note(text: str) -> str:
    note = " ".join(text.replace("\x00", " ").split())
    if len(note) > MAX_NOTE:
        raise PostingError("note_too_long", str(MAX_NOTE))
    return note


def parse_posting(
    step_text: str,
    rest: str,
    *,
    currency: str | None = None,
    parse_date=None,  # noqa: ANN001
) -> Posting:
    """The words after the shipment id: `EVENT [arguments] [note]`.

    - `duties_requested AMOUNT [CURRENCY] [note]` (an ISO code; else `currency`, and None: the
      destination's own, decided when it is posted);
    - `exception delay|customs_hold|damage [eta=DATE] note` (the note is required);
    - any other event: an optional note.

    `parse_date` turns the text after `eta=` into an aware datetime (or raises ValueError).
    """
    step = parse_step(step_text)
    if step is None:
        raise PostingError("unknown_event", step_text)
    words = rest.split()
    if step == Step.DUTIES_REQUESTED:
        if not words:
            raise PostingError("duties_amount", "")
        amount = parse_money(words[0])
        if amount is None:
            raise PostingError("duties_amount", words[0])
        words = words[1:]
        if words and len(words[0]) == 3 and is_currency(words[0].upper()):
            currency, words = words[0].upper(), words[1:]  # `125 due by friday` keeps its note
        return Posting(step, clean_note(" ".join(words)), amount=amount, currency=currency)
    if step == Step.EXCEPTION:
        problem = parse_problem(words[0]) if words else None
        if problem is None:
            raise PostingError("exception_kind", words[0] if words else "")
        words = words[1:]
        new_eta = None
        if words and words[0].lower().startswith("eta="):
            if parse_date is None:
                raise PostingError("bad_eta", words[0])
            try:
                new_eta = parse_date(words[0][4:])
            except ValueError as error:  # parse_date may say why: eta_past, eta_far
                code = str(error) if str(error) in ("eta_past", "eta_far") else "bad_eta"
                raise PostingError(code, words[0][4:]) from error
            words = words[1:]
        note = clean_note(" ".join(words))
        if not note:
            raise PostingError("exception_note", "")
        return Posting(step, note, problem=problem, new_eta=new_eta)
    return Posting(step, clean_note(" ".join(words)))
