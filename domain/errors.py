"""Refusals a use-case raises. `code` names the reason; `ui.errors` words it for the user."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class GroupError(DomainError):
    """A refused change to a group order (joining, leaving, creating, closing)."""


class AgentError(DomainError):
    """A refused agent action (invites, regions, marking orders)."""


class ShipmentError(DomainError):
    """A refused shipment change (creating one, posting an event, importing a file)."""


class PaymentError(DomainError):
    """A refused payment, refund or invoice (`ui.errors.payment_error_text` words it)."""
