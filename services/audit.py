"""The audit log: every admin action, who did it, and the object before and after.

`record` adds the entry to the caller's session, so it commits (or rolls back) with the change
it describes: there is never an entry for a change that did not happen, nor a change without
its entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import AuditEntry

PAGE = 15
MAX_VALUE = 1000  # characters of one recorded value: an audit entry is not a backup


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a row, as JSON-safe values."""
    return {name: _jsonable(getattr(obj, name, None)) for name in fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value[:MAX_VALUE]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_VALUE]


def record(
    session: AsyncSession,
    *,
    admin_id: int,
    action: str,
    object_type: str,
    object_id: object = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        admin_id=admin_id,
        action=action[:32],
        object_type=object_type[:16],
        object_id=str(object_id)[:64],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    admin_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None


async def latest(
    session: AsyncSession, where: AuditFilter, *, before_id: int | None = None, limit: int = PAGE
) -> list[AuditEntry]:
    """The newest entries first, optionally older than `before_id` (the next page)."""
    query = select(AuditEntry)
    if where.admin_id is not None:
        query = query.where(AuditEntry.admin_id == where.admin_id)
    if where.object_type is not None:
        query = query.where(AuditEntry.object_type == where.object_type)
    if where.object_id is not None:
        query = query.where(AuditEntry.object_id == where.object_id)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    query = query.order_by(col(AuditEntry.id).desc()).limit(limit)
    return list((await session.exec(query)).all())
