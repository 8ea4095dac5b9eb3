"""The catalogue: products and categories (dialog and one-line forms), photos, /import and /export products."""

from __future__ import annotations

from handlers.routing import RouterSpec

router = RouterSpec(__name__, admin_only=True)
