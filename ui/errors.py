"""One table from refusal codes to the words users read. Use-cases raise `GroupError`,
`AgentError` (domain.errors) and the admin input parser `SpecError`; handlers and notifications
word them here, in the reader's language (the entries are lazy: translated when shown)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from domain.errors import AgentError, GroupError
from domain.group_spec import SpecError
from domain.groups import MAX_QUANTITY
from ui.groups import ORDER_STATUS_NAMES
from ui.render import q

# (audience, code) → text. A buyer and an admin are told about the same refusal differently:
# the buyer what it means for their order, the admin what to do instead.
BUYER, ADMIN, AGENT, SPEC = "buyer", "admin", "agent", "spec"

TEXTS: dict[tuple[str, str], LazyProxy] = {
    (BUYER, "closed"): __(
        "This group order has closed: its deadline has passed. Nothing was changed."
    ),
    (BUYER, "not_open"): __("This group order is no longer open. Nothing was changed."),
    (BUYER, "not_found"): __("This group order does not exist."),
    (BUYER, "not_in_group"): __("You have no order in this group."),
    (BUYER, "not_offered"): __("This product is not offered in this group."),
    (ADMIN, "deadline_past"): __("The deadline must be in the future."),
    (ADMIN, "deadline_not_later"): __("The new deadline must be later than the current one."),
    (ADMIN, "bad_minimum"): __("The minimum must be above zero."),
    (ADMIN, "capacity_below_minimum"): __("The capacity cannot be below the minimum."),
    (ADMIN, "no_offers"): __("Add at least one product."),
    (ADMIN, "bad_tiers"): __(
        "Each product needs one price per tier, and a higher tier may not cost more."
    ),
    (ADMIN, "unknown_product"): __("A product is unknown or inactive."),
    (ADMIN, "product_without_weight"): __(
        "A product has no weight, so it cannot be in a weight-based group."
    ),
    (ADMIN, "not_found"): __("There is no such group order."),
    (ADMIN, "not_open"): __("This group order is not open any more."),
    (AGENT, "order_unknown"): __("There is no such order."),
    (AGENT, "not_your_region"): __("⛔ This order is not in your region. Nothing was changed."),
    (AGENT, "already_paid"): __("This order is already marked paid."),
    (AGENT, "already_handed"): __("This order was already handed over."),
    (AGENT, "bad_transition"): __("This order cannot change that way now (status: {status})."),
    (AGENT, "invite_unknown"): __("This invitation link is not valid."),
    (AGENT, "invite_used"): __("This invitation link has already been used."),
    (SPEC, "destination"): __(
        "Give the destination as a country and a city, e.g. <code>IT Milan</code>."
    ),
    (SPEC, "country"): __(
        "“{value}” is not a country I know. Use a name or a two-letter code (IT, ES…)."
    ),
    (SPEC, "city"): __("“{value}” is not a valid city name (at most 64 characters)."),
    (SPEC, "method"): __("“{value}” is not a shipping method: use air, rail or sea."),
    (SPEC, "deadline"): __(
        "“{value}” is not a date. Use <code>2026-12-20 12:00</code> (your time zone) or <code>+7d</code>."
    ),
    (SPEC, "deadline_past"): __("The deadline “{value}” is in the past."),
    (SPEC, "deadline_far"): __("The deadline “{value}” is more than a year away."),
    (SPEC, "amount"): __(
        "“{value}” is not an amount: use kilograms like <code>200kg</code> or units like <code>50</code>."
    ),
    (SPEC, "measure_mismatch"): __(
        "“{value}” does not match the group's measure (kilograms or units)."
    ),
    (SPEC, "tiers"): __("“{value}” are not rising tier thresholds, e.g. <code>0,100,300</code>."),
    (SPEC, "price"): __(
        "“{value}” is not a price in yuan, e.g. <code>98</code> or <code>98.50</code>."
    ),
    (SPEC, "offer"): __(
        "Give a product as its code and its prices, e.g. <code>rice-fish-rice-5kg 98,90,85</code>."
    ),
    (SPEC, "offer_prices"): __("“{value}”: give one price per tier (or a single price for all)."),
    (SPEC, "quotes"): __("A quote is not closed in “{value}”."),
    (SPEC, "token"): __("“{value}” is not of the form key=value."),
    (SPEC, "key"): __("“{value}” is not a field of /gb_new."),
    (SPEC, "pickup"): __("The pickup point is too long."),
    (SPEC, "missing"): __("Missing: {value}."),
    (ADMIN, "changed"): __(
        "The group changed since you asked (orders came or went), so nothing was done. "
        "Send the command again to see where it stands now."
    ),
    (AGENT, "invite_expired"): __("This invitation link has expired. Ask for a new one."),
    (SPEC, "unknown_product"): __("There is no product with the code “{value}”."),
}


FALLBACK = {
    BUYER: __("That did not work. Please try again."),
    ADMIN: __("That did not work."),
    AGENT: __("That did not work."),
    SPEC: __("“{value}” is not valid."),
}


def full_text() -> str:
    return _("🚫 This group is full: nothing more can be added.")


def error_text(error: GroupError | AgentError | SpecError, *, admin: bool = False) -> str:
    """The words for a refusal: a group error as a buyer reads it (or an admin, `admin=True`),
    an agent error, or a mistake in an admin's /gb_new input."""
    if isinstance(error, SpecError):
        return str(TEXTS.get((SPEC, error.code), FALLBACK[SPEC])).format(value=q(error.value[:64]))
    if isinstance(error, AgentError):
        status = str(error.details.get("status", ""))
        text = TEXTS.get((AGENT, error.code), FALLBACK[AGENT])
        return str(text).format(status=q(_(ORDER_STATUS_NAMES.get(status, status))))
    if not admin:
        if error.code == "quantity":
            return _("Please choose a whole number from 1 to {maximum}.").format(
                maximum=MAX_QUANTITY
            )
        if error.code == "capacity":
            return capacity_text(error)
        return str(TEXTS.get((BUYER, error.code), FALLBACK[BUYER]))
    return str(TEXTS.get((ADMIN, error.code), FALLBACK[ADMIN]))


def capacity_text(error: GroupError) -> str:
    """Room left in product units (a weight-based group counts the product's own weight)."""
    left = error.details.get("left", 0)
    unit = error.details.get("unit", 1)
    fits = left // unit if isinstance(left, int) and isinstance(unit, int) and unit > 0 else 0
    if fits <= 0:
        return full_text()
    return ngettext(
        "Not enough room left in this group: only {count} more fits.",
        "Not enough room left in this group: only {count} more fit.",
        fits,
    ).format(count=fits)
