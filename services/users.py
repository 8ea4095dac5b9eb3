"""Buyers' profiles: creation on first contact and their settings."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from models import User
from services import geo
from services.tx import writes

MAX_CITY_LENGTH = 64


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
        changed = False
        if user.first_name != first_name[:256]:
            user.first_name = first_name[:256]
            changed = True
        if user.username != username:
            user.username = username
            changed = True
        if user.language_code != language_code:
            user.language_code = language_code
            changed = True
        if user.is_blocked:  # they write to the bot again: they unblocked it
            user.is_blocked = False
            changed = True
        if changed:
            session.add(user)
        return user, False
    user = User(
        id=user_id,
        first_name=first_name[:256],
        username=username,
        language_code=(language_code or None) and language_code[:16],
    )
    session.add(user)
    return user, True


@writes
async def save(session: AsyncSession, user: User) -> None:
    """Write a changed profile back (the caller commits). The user that handlers hold is detached
    from the update's session, so that a refused use-case rolling the session back can't expire it
    mid-update; merging copies its values onto the session's own row."""
    await session.merge(user)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def set_country(user: User, country: str) -> None:
    """A new country sets its currency and forgets a city of the old one."""
    if user.country != country:
        user.city = None
    user.country = country
    user.currency = geo.currency_for_country(country)
    user.timezone = geo.timezone_for(country, None)


def set_city(user: User, city: str) -> None:
    if user.country:
        city = geo.canonical_city(user.country, city)
    user.city = city[:MAX_CITY_LENGTH]
    if user.country:
        user.timezone = geo.timezone_for(user.country, city)


def set_currency(user: User, currency: str) -> None:
    user.currency = currency
