"""The one sender that drains the outbox: renders each row in the recipient's language and sends
it; a user who blocked the bot is marked and skipped; transient errors are retried later."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.i18n import LOCALES, locale_from_language_code
from bot.notifications import render
from models import Notification, OutboxStatus, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
TEXT_LIMIT = 4096


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks (or spaces) so each part fits one Telegram message."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


class OutboxSender:
    def __init__(
        self,
        *,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.i18n = i18n
        self.clock = clock
        self._wake = asyncio.Event()
        self._stopped = False

    def wake(self) -> None:
        self._wake.set()

    async def drain(self, limit: int = 100) -> int:
        """Send what is due; returns how many rows were handled (sent, skipped or failed)."""
        handled = 0
        async with self.session_factory() as session:
            now = self.clock.now()
            rows = (
                await session.exec(
                    select(Notification)
                    .where(
                        col(Notification.status) == OutboxStatus.PENDING,
                        col(Notification.not_before) <= now,
                    )
                    .order_by(col(Notification.id))
                    .limit(limit)
                )
            ).all()
            for row in rows:
                await self._send_one(session, row)
                handled += 1
        return handled

    async def _send_one(self, session: AsyncSession, row: Notification) -> None:
        now = self.clock.now()
        user = await session.get(User, row.user_id)
        if user is None or user.is_blocked:
            row.status = OutboxStatus.SKIPPED
            row.last_error = "blocked" if user else "unknown user"
            session.add(row)
            await session.commit()
            return
        locale = (
            user.locale if user.locale in LOCALES else locale_from_language_code(user.language_code)
        )
        with self.i18n.context(), self.i18n.use_locale(locale):
            rendered = await render(session, row, user, now)
        if rendered is None:
            row.status = OutboxStatus.SKIPPED
            row.last_error = "no longer applies"
            session.add(row)
            await session.commit()
            return
        text, markup = rendered
        row.attempts += 1
        try:
            parts = split_text(text)
            for index, part in enumerate(parts):
                await self.bot.send_message(
                    user.id, part, reply_markup=markup if index == len(parts) - 1 else None
                )
        except TelegramRetryAfter as error:
            row.attempts -= 1
            row.not_before = now + timedelta(seconds=error.retry_after)
            await asyncio.sleep(error.retry_after)
        except TelegramForbiddenError as error:
            user.is_blocked = True
            session.add(user)
            row.status = OutboxStatus.SKIPPED
            row.last_error = str(error.message)[:512]
        except TelegramBadRequest as error:
            row.status = OutboxStatus.FAILED
            row.last_error = str(error.message)[:512]
        except (TelegramServerError, TelegramNetworkError) as error:
            row.last_error = str(error)[:512]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
            else:
                row.not_before = now + timedelta(seconds=2**row.attempts)
        else:
            row.status = OutboxStatus.SENT
            row.sent_at = now
        session.add(row)
        await session.commit()

    async def run(self, idle: float = 1.0) -> None:
        while not self._stopped:
            try:
                handled = await self.drain()
            except Exception:  # keep draining after an unexpected error; it is logged
                log.exception("outbox drain failed")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
