"""/broadcast: a message to a segment of users, previewed, confirmed, sent through the outbox with live progress."""

from __future__ import annotations

from handlers.routing import RouterSpec

router = RouterSpec(__name__, admin_only=True)
