"""/stats: orders, buyers, revenue and groups over 7, 30 or 90 days, with a chart."""

from __future__ import annotations

from handlers.routing import RouterSpec

router = RouterSpec(__name__, admin_only=True)
