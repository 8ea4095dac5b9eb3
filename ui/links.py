"""Deep links: building the links people share and parsing the ones they open."""

from __future__ import annotations

from aiogram import Bot

from ui.callbacks import (
    MAX_ID,
)

MAX_USER_ID = 2**53  # Telegram's user ids fit in 52 bits


def parse_group_link(payload: str) -> tuple[int, int | None] | None:
    """`gb_12` or `gb_12_5001` (shared by user 5001) → (12, 5001)."""
    parts = payload.split("_")
    if (
        len(parts) not in (2, 3)
        or parts[0] != "gb"
        or not all(p.isdecimal() and len(p) < 16 for p in parts[1:])
    ):
        return None
    group_id, referrer = int(parts[1]), (int(parts[2]) if len(parts) == 3 else None)
    if group_id > MAX_ID or (referrer is not None and referrer > MAX_USER_ID):
        return None  # no such group or user: a garbled link
    return group_id, referrer


def start_link(bot_username: str | None, payload: str) -> str:
    """`https://t.me/<bot>?start=<payload>`: opens the bot with /start <payload>."""
    return f"https://t.me/{bot_username}?start={payload}"


def group_link(bot_username: str | None, group_id: int, referrer: int | None = None) -> str:
    """The link to a group order (`gb_12`, or `gb_12_5001` when user 5001 shares it)."""
    payload = f"gb_{group_id}" if referrer is None else f"gb_{group_id}_{referrer}"
    return start_link(bot_username, payload)


def agent_invite_link(bot_username: str | None, token: str) -> str:
    return start_link(bot_username, f"agent_{token}")


async def share_url(bot: Bot, group_id: int, user_id: int) -> str:
    """Telegram's share dialog for a group, carrying who shared it."""
    me = await bot.me()
    return f"https://t.me/share/url?url={group_link(me.username, group_id, user_id)}"
