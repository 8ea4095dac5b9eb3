"""Exchange rates as admins set them: set (audited), removed only when no buyer uses them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import ExchangeRate, Product, User
from services import audit
from services.tx import writes

FIELDS = ("currency", "per_cny_micro")


async def get(session: AsyncSession, currency: str) -> ExchangeRate | None:
    return await session.get(ExchangeRate, currency)


async def sample_product(session: AsyncSession) -> Product | None:
    """The product whose price a rate change is shown with: the first on sale."""
    query = (
        select(Product)
        .where(col(Product.is_active).is_(True))
        .order_by(col(Product.category_id), col(Product.position), col(Product.id))
        .limit(1)
    )
    return (await session.exec(query)).first()


async def users_of(session: AsyncSession, currency: str) -> int:
    """How many people see their prices in this currency."""
    query = select(func.count()).select_from(User).where(col(User.currency) == currency)
    return int((await session.exec(query)).one())


@writes
async def set_rate(
    session: AsyncSession, *, currency: str, per_cny_micro: int, admin_id: int, now: datetime
) -> tuple[ExchangeRate, int | None]:
    """Set (or create) a rate, audited; returns it and the rate it replaced (None: a new
    currency)."""
    rate = await session.get(ExchangeRate, currency)
    old = rate.per_cny_micro if rate is not None else None
    before = audit.snapshot(rate, FIELDS) if rate is not None else None
    if rate is None:
        rate = ExchangeRate(currency=currency, per_cny_micro=per_cny_micro)
    rate.per_cny_micro = per_cny_micro
    rate.updated_at = now
    rate.updated_by = admin_id
    session.add(rate)
    audit.record(
        session, admin_id=admin_id, action="rate.set", object_type="rate", object_id=currency,
        before=before, after=audit.snapshot(rate, FIELDS), at=now,
    )  # fmt: skip
    return rate, old


@dataclass(frozen=True)
class Removal:
    removed: bool
    users: int = 0  # the people still using it, when it was refused
    missing: bool = False


@writes
async def remove_rate(
    session: AsyncSession, *, currency: str, admin_id: int, now: datetime
) -> Removal:
    """Remove a rate unless someone sees prices in that currency (checked in the write
    transaction: a buyer choosing it meanwhile is counted)."""
    rate = await session.get(ExchangeRate, currency)
    if rate is None:
        return Removal(removed=False, missing=True)
    users = await users_of(session, currency)
    if users:
        return Removal(removed=False, users=users)
    audit.record(
        session, admin_id=admin_id, action="rate.remove", object_type="rate",
        object_id=currency, before=audit.snapshot(rate, FIELDS), at=now,
    )  # fmt: skip
    await session.delete(rate)
    return Removal(removed=True)
