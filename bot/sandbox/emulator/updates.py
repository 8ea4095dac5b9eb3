"""Updates: the queue the bot polls, ``getUpdates`` (long polling), webhooks, ``logOut``/``close``
and answers to callback queries."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from bot.sandbox.emulator.base import EmulatorBase
from bot.sandbox.emulator.errors import (
    CALLBACK_QUERY_TTL,
    ERR_CONFLICT_POLL,
    ERR_CONFLICT_WEBHOOK,
    ERR_QUERY_TOO_OLD,
    MAX_CALLBACK_ANSWER_LENGTH,
    BotAPIError,
    _bad,
)
from bot.sandbox.emulator.params import _Params

# Update types delivered when allowed_updates is empty (Telegram's default).
_NOT_DEFAULT_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class UpdatesMixin(EmulatorBase):
    """The update queue, getUpdates, webhooks, logOut/close, answerCallbackQuery."""

    # ---------------------------------------------------------------- updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        allowed = self._allowed_updates
        if (allowed and kind not in allowed) or (not allowed and kind in _NOT_DEFAULT_UPDATES):
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._last_activity = time.monotonic()
        self._wake()
        return update

    def redeliver(self, update: dict[str, Any]) -> dict[str, Any] | None:
        """Deliver an update again, as Telegram may (a webhook retried, a poller that restarted
        before confirming): the same content under a new ``update_id``, since the old one is
        behind the bot's offset. Returns the queued update (None: not in allowed_updates)."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"not an update: {sorted(update)}")
        return self._enqueue(kinds[0], copy.deepcopy(update[kinds[0]]))

    def _wake(self) -> None:
        event, self._update_event = self._update_event, asyncio.Event()
        event.set()

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self._last_activity = time.monotonic()

    # ---------------------------------------------------------------- API methods

    async def _api_get_updates(self, params: _Params) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise BotAPIError(409, ERR_CONFLICT_WEBHOOK)
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll still waiting gets 409
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotAPIError(409, ERR_CONFLICT_POLL)
            if self._updates or self._closing:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            event = self._update_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return copy.deepcopy(self._updates[:limit])

    async def _api_set_webhook(self, params: _Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "allowed_updates": params.get_json("allowed_updates"),
            "secret_token": params.get_str("secret_token"),
            "max_connections": params.get_int("max_connections", 40),
        }
        return True

    async def _api_delete_webhook(self, params: _Params) -> bool:
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    async def _api_get_webhook_info(self, params: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections") or 40
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _api_log_out(self, params: _Params) -> bool:
        return True

    async def _api_close(self, params: _Params) -> bool:
        return True

    async def _api_answer_callback_query(self, params: _Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        query = self.callback_queries.get(query_id)
        if query is None or query.answered or time.monotonic() - query.created > CALLBACK_QUERY_TTL:
            raise _bad(ERR_QUERY_TOO_OLD)
        text = params.get_str("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time", 0),
            "user_id": query.user_id,
            "chat_id": query.chat_id,
            "message_id": query.message_id,
            "data": query.data,
        }
        self.callback_answers[query_id] = answer
        await self._fire(self.on_callback_answer, query_id, answer)
        return True
