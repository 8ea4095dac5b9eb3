"""/admin: every admin command with its one-line help, by family, in the admin's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from ui.render import fit, q

Entry = tuple[str, LazyProxy]

CATALOGUE: tuple[Entry, ...] = (
    ("products", __("[page] — every product, hidden ones too, with price and stock")),
    ("product", __("SKU — a product's card, with buttons to change each field")),
    ("product_new", __("add a product: a guided dialog, or everything on one line")),
    ("product_set", __("SKU FIELD VALUE — change one field, e.g. price 39.50 or name.it …")),
    ("product_hide", __("SKU — take a product off sale (/product_show puts it back)")),
    ("photo", __("SKU — as the caption of a photo: the product's picture")),
    ("categories", __("the categories with their product counts")),
    ("category_new", __("SLUG EMOJI NAME — add a category")),
    ("category_set", __("SLUG FIELD VALUE — its name, emoji or position")),
    ("category_hide", __("SLUG — hide a category (/category_show shows it again)")),
    ("import", __("a CSV or XLSX of products, checked first, applied all or nothing")),
)
GROUPS: tuple[Entry, ...] = (
    ("gb_new", __("open a group order: a guided dialog, or everything on one line")),
    ("gb_list", __("the open group orders, with their progress")),
    ("gb_products", __("the product codes to offer in /gb_new")),
    ("gb_extend", __("ID +3d — move a group's deadline later")),
    ("gb_close", __("ID — close a group now (it forms or fails), confirmed first")),
    ("gb_cancel", __("ID reason — cancel a group and tell its buyers, confirmed first")),
)
SHIPMENTS: tuple[Entry, ...] = (
    ("ship", __("ship formed groups: carrier, tracking number, method, arrival")),
    ("shipments", __("the shipments, newest first")),
    ("shipment", __("ID — one shipment's timeline, with buttons for its next steps")),
    ("ship_status", __("ID EVENT [note] — post a step; or send a CSV/XLSX of events")),
)
AGENTS: tuple[Entry, ...] = (
    ("agents", __("the agents, their regions and pickup points")),
    ("agent_add", __("USER COUNTRY CITY [| pickup point] — appoint an agent")),
    ("agent_invite", __("COUNTRY CITY — a one-time link that makes its user the agent")),
    ("agent_remove", __("USER COUNTRY CITY — remove an agent, confirmed first")),
)
MONEY: tuple[Entry, ...] = (
    ("collect", __("GROUP — per buyer what is due, paid and how, and to refund (also CSV)")),
    ("paid", __("ORDER [AMOUNT] — record a payment, confirmed first, undo within 10 minutes")),
    ("refund", __("ORDER — record the refund due (Telegram Payments: refund at the provider)")),
    ("not_supplied", __("ORDER PRODUCT — take a product that could not be supplied off an order")),
)
RATES: tuple[Entry, ...] = (
    ("rates", __("the exchange rates and when they were set")),
    ("rate", __("CUR value — set a rate (changes above 20% need confirming)")),
    ("rate_remove", __("CUR — remove a currency nobody uses")),
)
PEOPLE: tuple[Entry, ...] = (
    ("admins", __("the admins: permanent ones (ADMIN_IDS) and those added here")),
    ("admin_add", __("ID or @username — make someone an admin")),
    ("admin_remove", __("ID or @username — take the admin role away, confirmed first")),
    ("user", __("ID or @username — look someone up, with their orders")),
    ("block", __("ID or @username — suspend someone, confirmed first")),
    ("unblock", __("ID or @username — give a suspended user access again")),
)
BROADCASTS: tuple[Entry, ...] = (
    ("broadcast", __("a message to everyone, a language, a country, a city, buyers or agents")),
    ("broadcasts", __("the latest broadcasts, their progress, and Stop")),
)
FIGURES: tuple[Entry, ...] = (
    ("stats", __("[7|30|90] — orders, buyers, revenue, cities, products, with a chart")),
    ("export", __("orders [GROUP] | users | products — CSV and XLSX files")),
    ("audit", __("[ADMIN] [TYPE[:ID]] — who did what, before and after")),
)
YOU: tuple[Entry, ...] = (
    ("timezone", __("ZONE — your time zone: times you read and type are in it")),
    ("digest_now", __("your own digest now, as buyers get it")),
    ("admin", __("this list")),
)

# (title, entries) in the order /admin shows them; the other families add theirs in
# ui.console_sections (each family's module keeps its own list)
SECTIONS: list[tuple[LazyProxy, tuple[Entry, ...]]] = [
    (__("Catalogue"), CATALOGUE),
    (__("Group orders"), GROUPS),
    (__("Shipments"), SHIPMENTS),
    (__("Agents"), AGENTS),
    (__("Payments"), MONEY),
    (__("Exchange rates"), RATES),
    (__("People"), PEOPLE),
    (__("Broadcasts"), BROADCASTS),
    (__("Figures, files and the audit log"), FIGURES),
    (__("You"), YOU),
]


def _line(name: str, text: str) -> str:
    """`/rate CUR value — set a rate`: arguments first when the help names them, else
    `/gb_list — the open group orders`."""
    if " — " in text:
        return f"/{name} {q(text)}"
    return f"/{name} — {q(text)}"


def admin_help(sections: list[tuple[LazyProxy, tuple[Entry, ...]]] | None = None) -> str:
    lines = [_("🛠 <b>Admin commands</b>")]
    for title, entries in sections or SECTIONS:
        lines += ["", f"<b>{q(str(title))}</b>"]
        lines += [_line(name, str(text)) for name, text in entries]
    lines += ["", _("Buyers' commands work for you too: see /help.")]
    return fit(lines)
