"""No group order is oversold: concurrent joins racing for the last units, on the test database
(SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from models import GroupOrder, Order, OrderLine, Product, User
from services import groups
from services.groups import GroupError, GroupSpec, OfferSpec

pytestmark = pytest.mark.clock

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def make_group(session_factory, *, capacity, measure="units", min_total=10, users=True):
    async with session_factory() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT",
                city="Milan",
                method="rail",
                deadline=NOW + timedelta(days=3),
                measure=measure,
                min_total=min_total,
                capacity=capacity,
                tiers=[0, 20],
                offers=[OfferSpec(product_id=product.id, prices=[3800, 3500])],
            ),
            created_by=None,
            now=NOW,
        )
        offer = (await groups.offers(session, group.id))[0][0]
        for uid in range(1, 61 if users else 1):
            session.add(
                User(
                    id=uid,
                    first_name=f"u{uid}",
                    locale="en",
                    country="IT",
                    city="Milan",
                    currency="EUR",
                )
            )
        await session.commit()
        return group.id, offer.id


async def totals(session_factory, group_id):
    async with session_factory() as session:
        group = await session.get(GroupOrder, group_id)
        lines = await session.exec(
            select(func.coalesce(func.sum(OrderLine.amount), 0))
            .join(Order, col(Order.id) == OrderLine.order_id)
            .where(Order.group_id == group_id, Order.status == "placed")
        )
        return group.total, int(lines.one())


async def join(session_factory, group_id, offer_id, user_id, quantity):
    async with session_factory() as session:
        try:
            await groups.set_quantity(
                session,
                group_id=group_id,
                offer_id=offer_id,
                user_id=user_id,
                quantity=quantity,
                now=NOW,
            )
            return "ok"
        except GroupError as error:
            return error.code


async def test_fifty_concurrent_joins_never_exceed_capacity(session_factory, seeded):
    group_id, offer_id = await make_group(session_factory, capacity=20)
    results = await asyncio.gather(
        *(join(session_factory, group_id, offer_id, uid, 3) for uid in range(1, 51))
    )
    total, lines = await totals(session_factory, group_id)
    assert results.count("ok") == 6  # 6 × 3 = 18 of 20; a 7th would overflow
    assert results.count("capacity") == 44
    assert total == lines == 18


async def test_concurrent_changes_and_leaves_keep_the_total_equal_to_the_lines(
    session_factory, seeded
):
    group_id, offer_id = await make_group(session_factory, capacity=200)
    await asyncio.gather(
        *(join(session_factory, group_id, offer_id, uid, 2) for uid in range(1, 31))
    )
    ops = []
    for uid in range(1, 31):
        ops.append(join(session_factory, group_id, offer_id, uid, (uid % 7) + 1))  # change
        ops.append(join(session_factory, group_id, offer_id, uid, 5))  # same user, twice at once
        if uid % 5 == 0:
            ops.append(join(session_factory, group_id, offer_id, uid, 0))  # remove = leave
    results = await asyncio.gather(*ops)
    assert set(results) <= {"ok", "not_in_group"}
    total, lines = await totals(session_factory, group_id)
    assert total == lines
    assert 0 < total <= 200


async def test_weight_groups_count_grams(session_factory, seeded):
    group_id, offer_id = await make_group(
        session_factory, capacity=2000, measure="weight", min_total=500
    )
    # a 250 g bag: 8 bags fill 2 kg exactly
    results = await asyncio.gather(
        *(join(session_factory, group_id, offer_id, uid, 1) for uid in range(1, 13))
    )
    total, lines = await totals(session_factory, group_id)
    assert results.count("ok") == 8
    assert total == lines == 2000


async def test_join_after_the_deadline_or_on_a_closed_group_changes_nothing(
    session_factory, seeded
):
    group_id, offer_id = await make_group(session_factory, capacity=None)
    assert await join(session_factory, group_id, offer_id, 1, 2) == "ok"
    async with session_factory() as session:
        late = NOW + timedelta(days=3, seconds=1)
        try:
            await groups.set_quantity(
                session, group_id=group_id, offer_id=offer_id, user_id=2, quantity=1, now=late
            )
            raise AssertionError("joined after the deadline")
        except GroupError as error:
            assert error.code == "closed"
        await groups.cancel(session, group_id=group_id, reason="test", now=NOW)
    assert await join(session_factory, group_id, offer_id, 3, 1) == "not_open"
    total, lines = await totals(session_factory, group_id)
    assert (total, lines) == (2, 0)  # the cancelled order's lines no longer count as placed


async def test_quantity_limits(session_factory, seeded):
    group_id, offer_id = await make_group(session_factory, capacity=None)
    for quantity in (-1, groups.MAX_QUANTITY + 1, 10**12):
        assert await join(session_factory, group_id, offer_id, 1, quantity) == "quantity"
    assert await join(session_factory, group_id, offer_id, 1, 0) == "not_in_group"
    assert await join(session_factory, group_id, 999_999, 1, 1) == "not_offered"
    total, _lines = await totals(session_factory, group_id)
    assert total == 0


async def close_now(session_factory, group_id):  # noqa: ANN001, ANN201
    async with session_factory() as session:
        return await groups.close(session, group_id=group_id, now=NOW, force=True)


async def leave(session_factory, group_id, user_id):  # noqa: ANN001, ANN201
    async with session_factory() as session:
        try:
            await groups.leave(session, group_id=group_id, user_id=user_id, now=NOW)
            return "ok"
        except GroupError as error:
            return error.code


async def outcome_matches_the_locked_total(session_factory, group_id, min_total):  # noqa: ANN001, ANN201
    async with session_factory() as session:
        group = await session.get(GroupOrder, group_id)
        orders = (await session.exec(select(Order).where(Order.group_id == group_id))).all()
        lines = await session.exec(
            select(func.coalesce(func.sum(OrderLine.amount), 0))
            .join(Order, col(Order.id) == OrderLine.order_id)
            .where(Order.group_id == group_id)
        )
    kept = int(lines.one())  # leaving deletes a buyer's lines; failing keeps them, cancelled
    assert group.total == kept, (group.total, kept)
    assert group.status == ("formed" if group.total >= min_total else "failed"), group.total
    active = [o for o in orders if o.status != "cancelled"]
    if group.status == "failed":
        assert active == []
    else:
        assert all(o.status == "confirmed" for o in active) and active


@pytest.mark.parametrize("rounds", [150])
async def test_joins_and_leaves_racing_a_close_decide_from_the_locked_total(
    session_factory, seeded, rounds
):
    """A join racing the close counts or finds the group closed, never both: the group forms
    exactly when the total under its lock reached the minimum (the fail at total 2 of 2, and
    the form at total 1 of 2, are what deciding from an earlier read did)."""
    for round_number in range(rounds):
        group_id, offer_id = await make_group(
            session_factory, capacity=None, min_total=2, users=round_number == 0
        )
        users = (1, 2)
        await join(session_factory, group_id, offer_id, users[0], 1)
        if round_number % 2:
            # total 1: a join racing the close may lift it to the minimum
            racers = [join(session_factory, group_id, offer_id, users[1], 1)]
        else:
            # total 2: a leave racing the close may drop it below the minimum
            await join(session_factory, group_id, offer_id, users[1], 1)
            racers = [leave(session_factory, group_id, users[1])]
        results = await asyncio.gather(close_now(session_factory, group_id), *racers)
        assert results[0] is not None
        await outcome_matches_the_locked_total(session_factory, group_id, 2)
