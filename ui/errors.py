"""One table from refusal codes to the words users read. Use-cases raise `GroupError`,
`AgentError` (domain.errors) and the admin input parser `SpecError`; handlers and notifications
word them here, in the reader's language (the entries are lazy: translated when shown)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from domain import geo
from domain.errors import AgentError, GroupError, PaymentError, ShipmentError
from domain.group_spec import SpecError
from domain.groups import MAX_QUANTITY
from domain.shipment_files import FileError
from domain.shipments import MAX_NOTE, PostingError
from ui.context import current
from ui.groups import ORDER_STATUS_NAMES
from ui.render import q

# (audience, code) → text. A buyer and an admin are told about the same refusal differently:
# the buyer what it means for their order, the admin what to do instead.
BUYER, ADMIN, AGENT, SPEC = "buyer", "admin", "agent", "spec"
PAY = "pay"  # payments, refunds and invoices (domain.errors.PaymentError)
SHIP = "ship"  # shipments: /ship, /ship_status, the card's buttons, bulk files

TEXTS: dict[tuple[str, str], LazyProxy] = {
    (BUYER, "closed"): __(
        "This group order has closed: its deadline has passed. Nothing was changed."
    ),
    (BUYER, "not_open"): __("This group order is no longer open. Nothing was changed."),
    (BUYER, "not_found"): __("This group order does not exist."),
    (BUYER, "not_in_group"): __("You have no order in this group."),
    (BUYER, "not_offered"): __("This product is not offered in this group."),
    (BUYER, "not_shippable"): __(
        "This product may not be shipped to {country}, so it can't be ordered here. Nothing "
        "was changed."
    ),
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
    (ADMIN, "not_shippable"): __(
        "“{product}” may not be shipped to {country} (an import restriction): it can't be "
        "offered in a group for {country}."
    ),
    (ADMIN, "not_found"): __("There is no such group order."),
    (ADMIN, "unknown_pickup"): __(
        "That is not a pickup point of this city. Pick one of its agents' pickup points (see "
        "/agents), or skip it: buyers then choose theirs in /settings."
    ),
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
    (SPEC, "method"): __("“{value}” is not a shipping method: use air, rail, sea or express."),
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
    (SHIP, "no_groups"): __("Name at least one formed group, e.g. <code>/ship 3,5</code>."),
    (SHIP, "too_many_groups"): __("A shipment takes at most 50 groups."),
    (SHIP, "bad_carrier"): __("Give the carrier's name (at most 64 characters)."),
    (SHIP, "bad_tracking"): __("Give the tracking number without spaces (at most 64 characters)."),
    (SHIP, "bad_method"): __("“{method}” is not a shipping method: use air, rail, sea or express."),
    (SHIP, "unknown_group"): __("There is no group order {group}."),
    (SHIP, "group_on_shipment"): __("Group {group} is already on a shipment."),
    (SHIP, "group_not_formed"): __(
        "Group {group} has not formed (it is {status}): only formed groups can be shipped."
    ),
    (SHIP, "mixed_destinations"): __(
        "These groups go to different cities: a shipment has one destination."
    ),
    (SHIP, "eta_past"): __("The expected arrival must be in the future."),
    (SHIP, "eta_far"): __("The expected arrival “{value}” is more than a year away."),
    (SHIP, "ambiguous_ref"): __(
        "“{ref}” could be more than one shipment (an id and a tracking number, or a tracking "
        "number used twice): write the id as <code>#12</code>."
    ),
    (SHIP, "time_before_last"): __(
        "The time is before the last event of shipment {shipment}: events come in order."
    ),
    (SHIP, "unknown_shipment"): __("There is no shipment {shipment}. See /shipments."),
    (SHIP, "unknown_shipment_ref"): __("No shipment has the id or tracking number “{ref}”."),
    (SHIP, "stale"): __(
        "The shipment changed since this was shown, so nothing was posted. Here it is now."
    ),
    (SHIP, "time_future"): __("The time is in the future."),
    (SHIP, "unknown_event"): __("“{value}” is not a status event. Use one of: {events}."),
    (SHIP, "duties_amount"): __(
        "Give the duties due as an amount, e.g. <code>duties_requested 125.50 EUR</code>."
    ),
    (SHIP, "exception_kind"): __(
        "Say what the problem is: <code>delay</code>, <code>customs_hold</code> or "
        "<code>damage</code>, then a note."
    ),
    (SHIP, "exception_note"): __("An exception needs a note saying what happened."),
    (SHIP, "bad_eta"): __("“{value}” is not a date: use <code>2027-01-20</code>."),
    (SHIP, "note_too_long"): __("The note is too long: at most {value} characters."),
    (SHIP, "no_shipment"): __("The shipment column is empty."),
    (SHIP, "bad_time"): __(
        "“{value}” is not a time: use <code>2027-01-05 14:30</code> (your time zone)."
    ),
    (SHIP, "too_big"): __("The file is too big: at most {value} MB."),
    (SHIP, "not_a_table"): __("I can read CSV and XLSX files only."),
    (SHIP, "not_utf8"): __(
        "The CSV file is not in UTF-8: save it as “CSV UTF-8” and send it again."
    ),
    (SHIP, "empty"): __("The file has no rows."),
    (SHIP, "too_many_rows"): __("The file has too many rows: at most {value}."),
    (PAY, "order_unknown"): __("There is no such order."),
    (PAY, "not_your_region"): __("⛔ This order is not in your region. Nothing was changed."),
    (PAY, "bad_method"): __("That is not a way to record a payment. Nothing was changed."),
    (PAY, "bad_amount"): __("That amount is not possible. Nothing was changed."),
    (PAY, "not_payable"): __(
        "No payment can be taken for this order now (status: {status}). Nothing was changed."
    ),
    (PAY, "changed"): __(
        "The balance of this order changed since this was shown. Nothing was recorded: please "
        "look at it again."
    ),
    (PAY, "nothing_due"): __("Nothing is due on this order."),
    (PAY, "payment_unknown"): __("There is no such payment."),
    (PAY, "already_undone"): __("This payment was already undone."),
    (PAY, "undo_too_late"): __(
        "A payment can be undone for 10 minutes after it was recorded; this one can't any "
        "more. If it was a mistake, record a refund."
    ),
    (PAY, "undo_after_refund"): __(
        "A refund was recorded after this payment, so it can't be undone any more. Nothing was "
        "changed."
    ),
    (PAY, "no_refund_due"): __("No refund is due on this order."),
    (PAY, "not_formed"): __(
        "Only a product of an order in a formed group, not yet handed over, can be taken off "
        "(status: {status})."
    ),
    (PAY, "not_in_order"): __("That product is not in this order (see its pick list)."),
    (PAY, "already_unsupplied"): __("That product is already taken off this order."),
    (PAY, "no_invoices"): __(
        "Card payment in Telegram is not available for this group: see how to pay in /orders."
    ),
    (PAY, "pay_at_formation"): __(
        "This group is paid when it forms: you will get the payment request then, at the final "
        "price."
    ),
    (PAY, "currency_unsupported"): __(
        "Card payment in Telegram does not take {currency}: please pay another way (see /orders)."
    ),
    (PAY, "card_refused"): __(
        "Card payment in Telegram is not possible for this amount: please pay another way (see "
        "/orders)."
    ),
    (PAY, "invoice_unknown"): __("This invoice is not one of ours. Nothing was charged."),
    (PAY, "invoice_changed"): __(
        "The amount of this order changed since this invoice was made. Nothing was charged: "
        "open /orders and pay the new amount."
    ),
}


FALLBACK = {
    BUYER: __("That did not work. Please try again."),
    ADMIN: __("That did not work."),
    AGENT: __("That did not work."),
    SPEC: __("“{value}” is not valid."),
}


def full_text() -> str:
    return _("🚫 This group is full: nothing more can be added.")


def shipment_error_text(error: ShipmentError | PostingError | FileError) -> str:
    """A refused shipment change, a posting typed wrong, or a file that cannot be read."""
    from domain.shipments import MILESTONES, Step
    from ui.shipments import step_name

    if error.code == "bad_transition" and isinstance(error, ShipmentError):
        step = str(error.details.get("step", ""))
        current = error.details.get("current")
        allowed = [str(s) for s in error.details.get("allowed", ())]  # type: ignore[attr-defined]
        return _("“{step}” cannot come after “{current}”. Allowed next: {allowed}.").format(
            step=q(step_name(step)),
            current=q(step_name(str(current)) if current else _("not packed yet")),
            allowed=", ".join(f"<code>{s}</code>" for s in allowed),
        )
    values = {key: q(str(value)[:64]) for key, value in getattr(error, "details", {}).items()}
    if hasattr(error, "value"):  # a PostingError or FileError; a ShipmentError has details
        values["value"] = q(str(error.value)[:64])
    if error.code == "note_too_long":
        values["value"] = str(MAX_NOTE)
    values["events"] = ", ".join(f"<code>{s}</code>" for s in (*MILESTONES, Step.EXCEPTION))
    values.setdefault("status", "")
    if "status" in values and values["status"]:
        from ui.groups import GROUP_STATUS_NAMES

        raw = str(getattr(error, "details", {}).get("status", ""))
        values["status"] = q(_(GROUP_STATUS_NAMES.get(raw, raw)))
    return str(TEXTS.get((SHIP, error.code), FALLBACK[ADMIN])).format_map(_Blank(values))


def payment_error_text(error: PaymentError, *, plain: bool = False) -> str:
    """A refused payment, refund or invoice (`plain`: for Telegram's payment form, which shows
    no markup)."""
    status = str(error.details.get("status", ""))
    text = str(TEXTS.get((PAY, error.code), FALLBACK[AGENT])).format(
        status=_(ORDER_STATUS_NAMES.get(status, status)),
        currency=str(error.details.get("currency", ""))[:3],
    )
    return text if plain else q(text)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


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
        if error.code == "stock":
            return stock_text(error)
        return str(TEXTS.get((BUYER, error.code), FALLBACK[BUYER])).format(**_details(error))
    return str(TEXTS.get((ADMIN, error.code), FALLBACK[ADMIN])).format(**_details(error))


def _details(error: GroupError) -> dict[str, str]:
    """The refusal's facts, as its words use them: escaped, a country by its name."""
    details = {key: q(str(value)[:64]) for key, value in error.details.items()}
    country = error.details.get("country")
    if isinstance(country, str) and country:
        details["country"] = q(geo.country_name(country, current().locale))
    return details


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


def stock_text(error: GroupError) -> str:
    """A counted product has fewer units left than asked for: how many this buyer may have."""
    left = error.details.get("left", 0)
    have = error.details.get("have", 0)
    left = left if isinstance(left, int) else 0
    have = have if isinstance(have, int) else 0
    if left <= 0:
        return _("Sorry, this product is out of stock.")
    if have:
        return ngettext(
            "Not enough left: you can have at most {count}.",
            "Not enough left: you can have at most {count}.",
            left,
        ).format(count=left)
    return ngettext("Only {count} left.", "Only {count} left.", left).format(count=left)
