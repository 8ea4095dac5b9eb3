"""Checkout details: how a buyer collects their orders (asked once, reused for every order),
and the note on a line of their order. The details are checked again here (`domain.checkout`),
whatever the handler checked: a use-case stores nothing it would refuse to be typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain.checkout import (
    CheckoutError,
    Delivery,
    has_chosen,
    parse_address,
    parse_business_name,
    parse_note,
    parse_phone,
    parse_vat,
)
from domain.errors import GroupError
from domain.groups import is_joinable
from domain.notices import AgentEvent
from models import GroupOffer, GroupOrder, Order, OrderLine, OrderStatus, PickupPoint, Product, User
from services import notify
from services.groups import Change
from services.pickup import city_points
from services.tx import writes


async def _write(session: AsyncSession, user: User, **values: Any) -> None:
    """These columns of the buyer's row, and only these: the row handlers hold is detached
    (see services.users.save), so it is brought up to date as committed."""
    await session.exec(update(User).where(col(User.id) == user.id).values(**values))
    for key, value in values.items():
        set_committed_value(user, key, value)


async def pickup_points_of(session: AsyncSession, user: User) -> list[PickupPoint]:
    """The open pickup points of the buyer's city."""
    if not user.country or not user.city:
        return []
    return await city_points(session, [(user.country, user.city)])


@writes
async def choose_pickup(
    session: AsyncSession, *, user: User, point_id: int | None
) -> PickupPoint | None:
    """The buyer collects at a pickup point: one of their city's open points, or (None) the one
    each group names. Their address and phone stay, for the next time they want delivery.
    Raises CheckoutError "unknown_point" for a point that is not one of their city's."""
    point = None
    if point_id is not None:
        point = next((p for p in await pickup_points_of(session, user) if p.id == point_id), None)
        if point is None:
            raise CheckoutError("unknown_point")
    await _write(session, user, delivery=Delivery.PICKUP, pickup_point_id=point_id)
    return point


def _business(business_name: str | None, vat_number: str | None) -> dict[str, str | None]:
    return {
        "business_name": parse_business_name(business_name) if business_name else None,
        "vat_number": parse_vat(vat_number) if vat_number else None,
    }


@writes
async def set_delivery(
    session: AsyncSession, *, user: User, delivery: str, address: str, phone: str,
    business_name: str | None = None, vat_number: str | None = None,
) -> User:  # fmt: skip
    """Home or restaurant delivery, to this address and phone number. A restaurant's business
    name and VAT number (each optional: None leaves it empty) are stored with it; home delivery
    leaves them as they were (for the next restaurant order). The pickup point chosen before
    stays too. Raises CheckoutError for anything `domain.checkout` refuses."""
    if delivery not in (Delivery.HOME, Delivery.RESTAURANT):
        raise CheckoutError("delivery")
    values: dict[str, Any] = {
        "delivery": Delivery(delivery),
        "address": parse_address(address),
        "phone": parse_phone(phone),
    }
    if delivery == Delivery.RESTAURANT:
        values |= _business(business_name, vat_number)
    await _write(session, user, **values)
    return user


@writes
async def set_business(
    session: AsyncSession, *, user: User, business_name: str | None, vat_number: str | None
) -> User:
    """A restaurant's business name and VAT number (None: none)."""
    await _write(session, user, **_business(business_name, vat_number))
    return user


async def should_ask_delivery(session: AsyncSession, *, user: User, change: Change) -> bool:
    """Whether to ask the buyer how they collect, after this change of their order: only when it
    placed their very first order (so the question comes once, not with every order) and they
    never said (`domain.checkout.has_chosen`)."""
    if has_chosen(user):
        return False
    placed = any(
        isinstance(event, ev.OrderEvent) and event.event == AgentEvent.PLACED
        for event in change.events
    )
    if not placed:
        return False
    orders = (
        await session.exec(select(func.count()).select_from(Order).where(Order.user_id == user.id))
    ).one()
    return int(orders) == 1


# ── notes on order lines ────────────────────────────────────────────────────────────────


@dataclass
class NoteTarget:
    """A line of a buyer's order that may carry a note: the group is open, the order placed."""

    group: GroupOrder
    order: Order
    line: OrderLine
    offer: GroupOffer
    product: Product


async def _target(
    session: AsyncSession, *, group_id: int, offer_id: int, user_id: int, now: datetime,
    lock: bool,
) -> NoteTarget:  # fmt: skip
    statement = select(GroupOrder).where(col(GroupOrder.id) == group_id)
    if lock:  # the group's row lock (PostgreSQL): a close waits until the note is written
        statement = statement.with_for_update()
    group = (await session.exec(statement.execution_options(populate_existing=True))).first()
    if group is None:
        raise GroupError("not_found")
    if not is_joinable(group, now):
        raise GroupError("closed" if group.status == "open" else "not_open", status=group.status)
    offer = await session.get(GroupOffer, offer_id)
    if offer is None or offer.group_id != group_id:
        raise GroupError("not_offered")
    order = (
        await session.exec(
            select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
        )
    ).first()
    if order is None or order.status != OrderStatus.PLACED:
        raise GroupError("not_in_group")
    line = (
        await session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.offer_id == offer_id)
        )
    ).first()
    if line is None:
        raise GroupError("no_line")
    product = await session.get(Product, offer.product_id)
    assert product is not None
    return NoteTarget(group=group, order=order, line=line, offer=offer, product=product)


async def note_target(
    session: AsyncSession, *, group_id: int, offer_id: int, user_id: int, now: datetime
) -> NoteTarget:
    """The buyer's own line of this offer, while it may take a note; else GroupError:
    "not_found", "closed" / "not_open" (the group), "not_offered" (an offer of another group),
    "not_in_group" (no order of theirs there, or no longer placed), "no_line"."""
    return await _target(
        session, group_id=group_id, offer_id=offer_id, user_id=user_id, now=now, lock=False
    )


@writes
async def set_line_note(
    session: AsyncSession, *, group_id: int, offer_id: int, user_id: int, note: str | None,
    now: datetime,
) -> NoteTarget:  # fmt: skip
    """Write (or with None remove) the note on the buyer's own line of this offer, only while
    the group is open and before its deadline, and the order is placed: the refusals of
    `note_target`, and CheckoutError for a note `domain.checkout.parse_note` refuses. The
    agents' alerts about the order are edited to show it."""
    target = await _target(
        session, group_id=group_id, offer_id=offer_id, user_id=user_id, now=now, lock=True
    )
    clean = parse_note(note) if note is not None else None
    if target.line.note == clean:
        return target
    target.line.note = clean
    session.add(target.line)
    await notify.publish(session, [ev.OrdersChanged((target.order.id or 0,))], now=now)
    return target
