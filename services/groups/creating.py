"""Opening a group order (an admin's /gb_new, the demo seed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import pricing
from domain.catalog import can_ship
from domain.errors import GroupError
from domain.group_spec import MAX_BENEFICIARY, ordered_methods
from domain.iban import IbanError, parse_iban
from domain.text import fold
from models import GroupOffer, GroupOrder, Measure, PayMethod, PayWhen, PickupPoint, Product
from services import audit, notify
from services.pickup import city_points
from services.tx import writes


@dataclass
class OfferSpec:
    product_id: int
    prices: list[int]  # fen per product unit, one per tier


@dataclass
class GroupSpec:
    country: str
    city: str
    method: str
    deadline: datetime
    measure: str
    min_total: int
    tiers: list[int] = field(default_factory=lambda: [0])
    capacity: int | None = None
    pickup_point: str | None = None  # the name (or id) of one of the city's pickup points
    offers: list[OfferSpec] = field(default_factory=list)
    # how its buyers pay: when (PayWhen), which ways (PayMethod values), and for a bank transfer
    # the account (an IBAN, compact or printed) and whom it is made out to
    pay_when: str = PayWhen.FORMED
    pay_methods: list[str] = field(default_factory=lambda: [PayMethod.CASH])
    iban: str | None = None
    beneficiary: str | None = None


@dataclass
class PaymentTerms:
    pay_when: str
    pay_methods: list[str]
    iban: str | None
    beneficiary: str | None


def payment_terms(spec: GroupSpec, *, invoices: bool) -> PaymentTerms:
    """The spec's payment terms checked: a known moment, at least one known way to pay, Telegram
    Payments only with `invoices` (a provider token configured), and a bank transfer with a valid
    IBAN and a beneficiary (an account given without a transfer is not kept)."""
    if spec.pay_when not in tuple(PayWhen):
        raise GroupError("bad_pay_when", value=spec.pay_when)
    methods = ordered_methods(spec.pay_methods)
    if not methods:
        raise GroupError("no_pay_method")
    for method in methods:
        if method not in tuple(PayMethod):
            raise GroupError("bad_pay_method", value=method)
    if PayMethod.TELEGRAM in methods and not invoices:
        raise GroupError("invoices_off")
    if PayMethod.TRANSFER not in methods:
        return PaymentTerms(spec.pay_when, methods, None, None)
    if not spec.iban:
        raise GroupError("transfer_without_iban")
    try:
        iban = parse_iban(spec.iban)
    except IbanError as error:
        raise GroupError("bad_iban", value=spec.iban, problem=error.problem) from error
    beneficiary = " ".join((spec.beneficiary or "").split())
    if not beneficiary:
        raise GroupError("transfer_without_beneficiary")
    if len(beneficiary) > MAX_BENEFICIARY:
        raise GroupError("bad_beneficiary")
    return PaymentTerms(spec.pay_when, methods, iban, beneficiary)


async def last_payment_account(session: AsyncSession, admin_id: int) -> tuple[str, str] | None:
    """The IBAN and beneficiary of the newest group this admin opened with a bank transfer:
    what /gb_new offers as the default account."""
    row = (
        await session.exec(
            select(GroupOrder.iban, GroupOrder.beneficiary)
            .where(
                GroupOrder.created_by == admin_id,
                col(GroupOrder.iban).is_not(None),
                col(GroupOrder.beneficiary).is_not(None),
            )
            .order_by(col(GroupOrder.id).desc())
            .limit(1)
        )
    ).first()
    if row is None or not row[0] or not row[1]:
        return None
    return row[0], row[1]


async def _pickup_point(session: AsyncSession, spec: GroupSpec) -> PickupPoint:
    return await find_pickup_point(
        session, country=spec.country, city=spec.city, text=spec.pickup_point or ""
    )


async def find_pickup_point(
    session: AsyncSession, *, country: str, city: str, text: str
) -> PickupPoint:
    """The city's pickup point the admin named: by id, by name, or by the start of
    "name, address" (a group's pickup point is always one the city's agents run)."""
    points = await city_points(session, [(country, city)])
    wanted = fold(text)
    for point in points:
        if (
            wanted == str(point.id)
            or wanted == fold(point.name)
            or wanted.startswith(fold(point.name) + ",")
        ):
            return point
    raise GroupError("unknown_pickup", value=text, count=len(points))


AUDITED = (
    "country", "city", "method", "deadline", "measure", "min_total", "capacity", "tiers",
    "pickup_point_id", "pay_when", "pay_methods", "iban", "beneficiary",
)  # fmt: skip


@writes
async def create_group(
    session: AsyncSession, *, spec: GroupSpec, created_by: int | None, now: datetime,
    invoices: bool = False,
) -> GroupOrder:  # fmt: skip
    """Open the group `spec` describes. `invoices`: Telegram Payments may be offered (a payment
    provider token is configured); without it a spec offering them is refused."""
    if spec.deadline <= now:
        raise GroupError("deadline_past")
    if spec.min_total <= 0:
        raise GroupError("bad_minimum")
    if spec.capacity is not None and spec.capacity < spec.min_total:
        raise GroupError("capacity_below_minimum")
    if not spec.offers:
        raise GroupError("no_offers")
    try:
        pricing.validate_tiers(spec.tiers, [o.prices for o in spec.offers])
    except pricing.TierError as error:
        raise GroupError("bad_tiers", reason=str(error)) from error
    terms = payment_terms(spec, invoices=invoices)
    for offer in spec.offers:
        product = await session.get(Product, offer.product_id)
        if product is None or not product.is_active:
            raise GroupError("unknown_product", product=offer.product_id)
        if spec.measure == Measure.WEIGHT and product.unit_weight_g <= 0:
            raise GroupError("product_without_weight", product=product.slug)
        if not can_ship(product, spec.country):
            raise GroupError("not_shippable", product=product.slug, country=spec.country)
    point = await _pickup_point(session, spec) if spec.pickup_point else None
    group = GroupOrder(
        country=spec.country,
        city=spec.city,
        pickup_point_id=point.id if point else None,
        method=spec.method,
        deadline=spec.deadline,
        measure=spec.measure,
        min_total=spec.min_total,
        capacity=spec.capacity,
        tiers=list(spec.tiers),
        created_by=created_by,
        pay_when=terms.pay_when,
        pay_methods=terms.pay_methods,
        iban=terms.iban,
        beneficiary=terms.beneficiary,
    )
    session.add(group)
    await session.flush()
    session.sync_session.info["deadline_set"] = group.deadline  # the scheduler wakes for it
    await notify.publish(session, [ev.GroupOpened(group.id or 0)], now=now)
    for position, offer in enumerate(spec.offers):
        session.add(
            GroupOffer(
                group_id=group.id or 0,
                product_id=offer.product_id,
                prices=list(offer.prices),
                position=position,
            )
        )
    if created_by is not None:
        after = audit.snapshot(group, AUDITED)
        after["offers"] = {str(o.product_id): list(o.prices) for o in spec.offers}
        audit.record(
            session, admin_id=created_by, action="group.open", object_type="group",
            object_id=group.id, after=after, at=now,
        )  # fmt: skip
    return group
