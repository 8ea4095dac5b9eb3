"""Buyers' profiles: creation on first contact and their settings."""

from __future__ import annotations

from sqlalchemy import inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import geo
from models import Agent, User
from services.tx import begin_write, writes

MAX_CITY_LENGTH = 64


def _clean(text: str | None) -> str | None:
    return text.replace("\x00", "") if text else text


def profile_changes(
    user: User, *, first_name: str, username: str | None, language_code: str | None
) -> dict[str, object]:
    """What Telegram now says about the user that their row does not (names are stored without
    U+0000: PostgreSQL refuses it in text). Writing to the bot also means they unblocked it."""
    first_name = (_clean(first_name) or "")[:256]
    username, language_code = _clean(username), _clean(language_code)
    changes: dict[str, object] = {}
    if user.first_name != first_name:
        changes["first_name"] = first_name
    if user.username != username:
        changes["username"] = username
    if user.language_code != language_code:
        changes["language_code"] = language_code
    if user.is_blocked:  # they write to the bot again: they unblocked it
        changes["is_blocked"] = False
    return changes


async def get_or_create_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
) -> tuple[User, bool]:
    """The user row, created on first contact. Returns (user, created)."""
    user = await session.get(User, user_id)
    if user is not None:
        changes = profile_changes(
            user, first_name=first_name, username=username, language_code=language_code
        )
        for key, value in changes.items():
            setattr(user, key, value)
        if changes:
            session.add(user)
        return user, False
    language_code = _clean(language_code)
    user = User(
        id=user_id,
        first_name=(_clean(first_name) or "")[:256],
        username=_clean(username),
        language_code=(language_code or None) and language_code[:16],
    )
    session.add(user)
    return user, True


async def sync_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    language_code: str | None,
) -> User:
    """The user's row for an update: from this process's cache (services.cache: no statement
    for a returning user whose row did not change), else read in a read-only transaction;
    written (created or updated) in a short write transaction of its own only when something
    changed. The row comes back detached from the session: a use-case that refuses and rolls
    the session back can't expire it mid-update; write profile changes back with `save`."""
    from services import cache

    async def load() -> User | None:
        found = await session.get(User, user_id)
        if found is not None:
            session.expunge(found)
        return found

    cached = await cache.user_row(session, user_id, load)
    if cached is not None and not profile_changes(
        cached, first_name=first_name, username=username, language_code=language_code
    ):
        return cached

    async def read() -> User:
        user, _created = await get_or_create_user(
            session,
            user_id=user_id,
            first_name=first_name,
            username=username,
            language_code=language_code,
        )
        return user

    await begin_write(session)  # created or changed: written from a fresh read
    user = await read()
    await session.commit()
    session.expunge(user)
    return user


@writes
async def save(session: AsyncSession, user: User) -> None:
    """Write the fields of a profile that changed, and only those (committed at once): two
    changes made at once (language and currency from two taps) both stay. The user handlers
    hold is detached from the update's session, so that a refused use-case rolling the session
    back can't expire it mid-update; its attribute history says what changed."""
    state = inspect(user)
    changes = {attr.key: attr.value for attr in state.attrs if attr.history.has_changes()}
    if not changes:
        return
    await session.exec(update(User).where(col(User.id) == user.id).values(**changes))
    for key, value in changes.items():
        set_committed_value(user, key, value)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def set_country(user: User, country: str) -> None:
    """A new country sets its currency and forgets a city of the old one."""
    if user.country != country:
        user.city = None
    user.country = country
    user.currency = geo.currency_for_country(country)
    user.timezone = geo.timezone_for(country, None)
    user.digest_due_at = None  # rescheduled in the new time zone at the next slot


def set_city(user: User, city: str) -> None:
    if user.country:
        city = geo.canonical_city(user.country, city)
    user.city = city[:MAX_CITY_LENGTH]
    if user.country:
        user.timezone = geo.timezone_for(user.country, city)
        user.digest_due_at = None


def set_currency(user: User, currency: str) -> None:
    user.currency = currency


async def role_holders(
    session: AsyncSession, admin_ids: frozenset[int]
) -> list[tuple[User, bool, bool]]:
    """Everyone with a menu of their own: (user, is admin, is agent), admins from ADMIN_IDS
    and the database, agents from their regions."""
    agent_ids = set((await session.exec(select(Agent.user_id))).all())
    query = select(User).where(
        or_(col(User.is_admin).is_(True), col(User.id).in_(set(admin_ids) | agent_ids))
    )
    return [
        (user, user.is_admin or user.id in admin_ids, user.id in agent_ids)
        for user in (await session.exec(query)).all()
    ]
