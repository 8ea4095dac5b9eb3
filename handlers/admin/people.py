"""People: admins in the database, /user look-ups, blocking; /export orders and users; the audit log."""

from __future__ import annotations

from handlers.routing import RouterSpec

router = RouterSpec(__name__, admin_only=True)
