"""What admins see of people: the admins, a user's profile with their orders, the block
prompt, the refusals; the messages the people concerned get; the export sheets."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from html import unescape
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from babel.dates import format_skeleton, format_time
from pydantic import Field

from core.locales import LANGUAGE_NAMES
from domain import geo, pricing
from domain.catalog import localized
from domain.money import BASE_CURRENCY, to_decimal
from domain.orders import OrderView, order_amount, order_amount_local
from domain.spreadsheets import Cell
from models import GroupOrder, OrderStatus, User
from services.exports import OrderRow, UserRow
from services.people import MAX_USER_ID, AdminEntry, PeopleError, Profile
from ui.agents import region_label
from ui.context import RenderContext
from ui.groups import ORDER_STATUS_NAMES, final_amount_text, group_name
from ui.keyboard import Keyboard
from ui.money import format_amounts
from ui.render import button, fit, item_line, q, tr

ADMIN_COMMANDS = (
    ("admins", __("Admins of the bot (admin)")),
    ("admin_add", __("Make someone an admin: /admin_add ID or @username (admin)")),
    ("admin_remove", __("Take the admin role away: /admin_remove ID or @username (admin)")),
    ("user", __("Look a user up, with their orders: /user ID or @username (admin)")),
    ("block", __("Suspend a user: /block ID or @username (admin)")),
    ("unblock", __("Give a suspended user access again (admin)")),
    ("export", __("Export orders, users or products as CSV and XLSX (admin)")),
    ("audit", __("The audit log of admin actions (admin)")),
)

UserId = Annotated[int, Field(ge=1, le=MAX_USER_ID)]
Page = Annotated[int, Field(ge=0, le=100_000)]


class PeopleAction(StrEnum):
    SHOW = "show"  # the profile, with page `p` of their orders
    BLOCK = "block"  # ask to confirm
    UNBLOCK = "unblock"


class PeopleCb(CallbackData, prefix="pu"):
    id: UserId
    a: PeopleAction = PeopleAction.SHOW
    p: Page = 0


# ── formatting ──────────────────────────────────────────────────────────────────────────


def _zone(ctx: RenderContext) -> ZoneInfo:
    try:
        return ZoneInfo(ctx.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def when_text(moment: datetime, ctx: RenderContext) -> str:
    """`Dec 1, 2026, 10:00` in the reader's time zone and the locale's own order and words."""
    loc = geo.babel_locale(ctx.locale)
    zone = _zone(ctx)
    moment = _aware(moment)
    day = format_skeleton("yMMMd", moment, tzinfo=zone, locale=loc)
    hour = format_time(moment, "short", tzinfo=zone, locale=loc)
    pattern = str(loc.datetime_formats.get("short", "{1} {0}"))
    return pattern.replace("{1}", day).replace("{0}", hour)


def iso_time(moment: datetime | None, ctx: RenderContext) -> str:
    """`2026-12-01T10:00:00+01:00`: ISO 8601 in the reader's time zone (for spreadsheets)."""
    if moment is None:
        return ""
    return _aware(moment).astimezone(_zone(ctx)).isoformat(timespec="seconds")


def local_date(moment: datetime, ctx: RenderContext) -> str:
    return _aware(moment).astimezone(_zone(ctx)).date().isoformat()


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def person_name(user: User | None, user_id: int) -> str:
    """`Giulia @giulia_t (5001)`, escaped; a name linked to the person's chat."""
    if user is None:
        return f"<code>{user_id}</code>"
    name = q(user.first_name or user.id)
    handle = f" @{q(user.username)}" if user.username else ""
    return f'<a href="tg://user?id={user.id}">{name}</a>{handle} (<code>{user.id}</code>)'


# ── refusals ────────────────────────────────────────────────────────────────────────────


def unknown_user_text(ref: str) -> str:
    return _(
        "I don't know the user “{ref}”. Use their Telegram id or @username; they must have "
        "started the bot."
    ).format(ref=q(ref[:40]))


def alert_text(html_text: str) -> str:
    """An HTML reply as the plain text a button's alert shows (at most 200 characters)."""
    plain = unescape(re.sub(r"<[^>]*>", "", html_text))
    return plain if len(plain) <= 200 else plain[:199] + "…"


def people_error_text(error: PeopleError, user: User | None = None) -> str:
    name = q(user.first_name or user.id) if user is not None else ""
    texts = {
        "unknown_user": _("That user has not started the bot. Nothing was changed."),
        "permanent_admin": _(
            "{name} is a permanent admin (ADMIN_IDS in the bot's configuration): that can "
            "only be changed there."
        ),
        "already_admin": _("{name} is already an admin."),
        "not_admin": _("{name} is not an admin. Nothing was changed."),
        "last_admin": _(
            "{name} is the last admin and there are no ADMIN_IDS: removing them would leave "
            "nobody to run the bot. Appoint another admin first."
        ),
        "banned_admin": _("{name} is suspended: unblock them first with /unblock."),
        "admin_block": _("{name} is an admin and can't be suspended. Remove the role first."),
        "already_blocked": _("{name} is already suspended."),
        "not_blocked": _("{name} is not suspended. Nothing was changed."),
    }
    return texts.get(error.code, _("That did not work. Nothing was changed.")).format(name=name)


# ── what the people concerned are told (rendered in their language) ─────────────────────


def admin_added_notice() -> str:
    return _(
        "🛡 You are now an admin of this bot. The admin commands are in your menu; "
        "send /admin to see them all."
    )


def admin_removed_notice() -> str:
    return _("You are no longer an admin of this bot.")


def unblocked_notice() -> str:
    return _("✅ Your access to this bot has been restored. Send /start to continue.")


# ── /admins ─────────────────────────────────────────────────────────────────────────────


def admins_text(entries: list[AdminEntry], ctx: RenderContext) -> str:
    lines = [
        ngettext("🛡 <b>{count} admin</b>", "🛡 <b>{count} admins</b>", len(entries)).format(
            count=len(entries)
        )
    ]
    for entry in entries:
        head = "• " + person_name(entry.user, entry.user_id)
        if entry.permanent:
            detail = _("permanent (ADMIN_IDS)")
            if entry.user is None:
                detail += " · " + _("Has not started the bot yet.")
        elif entry.since is not None:
            detail = _("Admin since {when}, added by {name}").format(
                when=q(when_text(entry.since, ctx)),
                name=q(entry.by.first_name if entry.by else entry.by_id),
            )
        else:
            detail = _("appointed in the bot")
        lines.append(f"{head}\n   {detail}")
    lines += ["", _("Add one with /admin_add ID or @username, remove one with /admin_remove.")]
    return fit(lines)


# ── /user ───────────────────────────────────────────────────────────────────────────────


def _amount_line(
    view: OrderView, group: GroupOrder, user: User, rate: int | None, locale: str
) -> str | None:
    """What the order comes to: fixed once the group formed; else at the group's current tier
    and today's rate of the buyer's currency."""
    order = view.order
    if order.status == OrderStatus.CANCELLED or not view.lines:
        return None
    if order.amount_cny is not None:
        return _("Amount: {amount}").format(amount=q(final_amount_text(view, locale)))
    tier = pricing.tier_index(group.tiers, group.total)
    currency = user.currency if user.currency and rate is not None else BASE_CURRENCY
    amount = format_amounts(
        order_amount(view, tier), order_amount_local(view, tier, rate, currency), currency, locale
    )
    return _("Amount at the group's current tier: {amount}").format(amount=q(amount))


def profile_view(
    profile: Profile, *, is_admin: bool, permanent: bool, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    """/user: who they are, their state, their regions, and a page of their orders."""
    user, locale = profile.user, ctx.locale
    lines = ["👤 " + person_name(user, user.id)]
    language = LANGUAGE_NAMES.get(user.locale or "", user.locale or user.language_code or "—")
    lines.append(_("Language: {language}").format(language=q(language)))
    if user.country:
        place = region_label(user.country, user.city, locale) if user.city else None
        lines.append(
            _("Place: {place}").format(place=q(place or geo.country_name(user.country, locale)))
        )
    lines.append(
        _("Currency: {currency} · time zone: {zone}").format(
            currency=q(user.currency or "—"), zone=q(user.timezone)
        )
    )
    lines.append(_("Joined: {when}").format(when=q(when_text(user.created_at, ctx))))
    if permanent:
        role = _("permanent admin (ADMIN_IDS)")
    elif is_admin:
        role = _("admin")
    else:
        role = _("buyer")
    lines.append(_("Role: {role}").format(role=role))
    if profile.regions:
        lines.append(
            _("Agent for: {regions}").format(
                regions=q(
                    "; ".join(region_label(a.country, a.city, locale) for a in profile.regions)
                )
            )
        )
    lines.append(
        _("Suspended by an admin: {answer}").format(answer=yes_no(user.is_banned))
        + (" ⛔" if user.is_banned else "")
    )
    lines.append(_("Has blocked the bot: {answer}").format(answer=yes_no(user.is_blocked)))
    lines.append("")
    if not profile.total_orders:
        lines.append(_("No orders yet."))
    else:
        lines.append(
            ngettext(
                "📦 <b>{count} order</b>", "📦 <b>{count} orders</b>", profile.total_orders
            ).format(count=profile.total_orders)
            + (
                " · "
                + _("Page {page} of {pages}").format(page=profile.page + 1, pages=profile.pages)
                if profile.pages > 1
                else ""
            )
        )
    for view, group in profile.orders:
        order = view.order
        status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
        lines.append(
            _("<b>Order {number}</b> · group {group} · {name} · {status}").format(
                number=order.id, group=group.id, name=q(group_name(group)), status=q(status)
            )
        )
        lines += [
            item_line(line.quantity, localized(product.names, locale), indent="   ")
            for line, _offer, product in view.lines
        ]
        amount = _amount_line(view, group, user, profile.rate, locale)
        if amount:
            lines.append("   " + amount)
        lines.append("   " + _("Placed {when}").format(when=q(when_text(order.created_at, ctx))))
    kb = Keyboard()
    nav = []
    if profile.page > 0:
        nav.append(button(_("‹ Newer"), PeopleCb(id=user.id, p=profile.page - 1).pack()))
    if profile.page + 1 < profile.pages:
        nav.append(button(_("Older ›"), PeopleCb(id=user.id, p=profile.page + 1).pack()))
    if nav:
        kb.row(*nav)
    if user.is_banned:
        kb.row(
            button(
                _("✅ Unblock"), PeopleCb(id=user.id, a=PeopleAction.UNBLOCK, p=profile.page).pack()
            )
        )
    elif not (is_admin or permanent):
        kb.row(
            button(_("⛔ Block"), PeopleCb(id=user.id, a=PeopleAction.BLOCK, p=profile.page).pack())
        )
    return fit(lines), kb.as_markup()


def block_prompt(user: User) -> str:
    return _(
        "Suspend {name}?\n"
        "They can no longer use the bot: whatever they send or tap is answered with "
        "“suspended”, and the bot sends them nothing (no notices, digests or broadcasts). "
        "Their orders stay as they are. /unblock gives them access again."
    ).format(name=person_name(user, user.id))


def block_yes() -> str:
    return _("⛔ Yes, suspend")


def remove_prompt(user: User) -> str:
    return _("Remove {name} as an admin? They lose the admin commands at once.").format(
        name=person_name(user, user.id)
    )


def blocked_text(user: User) -> str:
    return _("⛔ {name} is suspended.").format(name=person_name(user, user.id))


def unblocked_text(user: User) -> str:
    return _("✅ {name} can use the bot again.").format(name=person_name(user, user.id))


def admin_added_text(user: User) -> str:
    return _("🛡 {name} is now an admin.").format(name=person_name(user, user.id))


def admin_removed_text(user: User) -> str:
    return _("{name} is no longer an admin.").format(name=person_name(user, user.id))


# ── /export orders, /export users ───────────────────────────────────────────────────────


def export_usage() -> str:
    return _(
        "Usage:\n"
        "/export orders [GROUP_ID] — orders with their lines, of every group or of one\n"
        "/export users — everyone who has started the bot\n"
        "/export products — the catalogue"
    )


def _major(minor: int | None, currency: str) -> Cell:
    if minor is None:
        return None
    value = to_decimal(minor, currency)
    return int(value) if value == value.to_integral_value() else float(value)


def orders_sheet(rows: list[OrderRow], ctx: RenderContext) -> tuple[list[str], list[list[Cell]]]:
    """One row per order line, the headers and the statuses in the reader's language, times
    in their time zone."""
    header = [
        _("Order"), _("Group"), _("Country"), _("City"), _("Buyer id"), _("Buyer"),
        _("Username"), _("Product code"), _("Product"), _("Quantity"), _("Amount (CNY)"),
        _("Amount (local)"), _("Currency"), _("Status"), _("Placed"), _("Paid"),
        _("Handed over"),
    ]  # fmt: skip
    cells: list[list[Cell]] = []
    for row in rows:
        cells.append(
            [
                row.order_id,
                row.group_id,
                row.country,
                tr(row.city),
                row.buyer_id,
                row.buyer_name,
                row.buyer_username or "",
                row.sku or "",
                localized(row.names, ctx.locale) if row.names else "",
                row.quantity,
                _major(row.amount_cny, BASE_CURRENCY),
                _major(row.amount_local, row.currency) if row.currency else None,
                row.currency or "",
                _(ORDER_STATUS_NAMES.get(row.status, row.status)),
                iso_time(row.created_at, ctx),
                iso_time(row.paid_at, ctx),
                iso_time(row.handed_at, ctx),
            ]  # fmt: skip
        )
    return header, cells


def users_sheet(
    rows: list[UserRow], permanent: frozenset[int], ctx: RenderContext
) -> tuple[list[str], list[list[Cell]]]:
    header = [
        _("Id"), _("Name"), _("Username"), _("Language"), _("Country"), _("City"),
        _("Currency"), _("Joined"), _("Has blocked the bot"), _("Suspended"), _("Admin"),
        _("Orders"),
    ]  # fmt: skip
    cells: list[list[Cell]] = []
    for row in rows:
        user = row.user
        cells.append(
            [
                user.id,
                user.first_name,
                user.username or "",
                user.locale or "",
                user.country or "",
                tr(user.city),
                user.currency or "",
                iso_time(user.created_at, ctx),
                yes_no(user.is_blocked),
                yes_no(user.is_banned),
                yes_no(user.is_admin or user.id in permanent),
                row.orders,
            ]  # fmt: skip
        )
    return header, cells


def export_caption(kind: str, count: int, truncated: bool, group_id: int | None) -> str:
    if kind == "users":
        text = ngettext("📤 Users: {count} row", "📤 Users: {count} rows", count)
    elif group_id is not None:
        text = ngettext(
            "📤 Orders of group {group}: {count} row",
            "📤 Orders of group {group}: {count} rows",
            count,
        )
    else:
        text = ngettext("📤 Orders: {count} row", "📤 Orders: {count} rows", count)
    caption = text.format(count=count, group=group_id)
    if truncated:
        caption += "\n" + ngettext(
            "⚠️ Only the first {count} row: the file would be too large. Export one group at "
            "a time with /export orders GROUP_ID.",
            "⚠️ Only the first {count} rows: the file would be too large. Export one group at "
            "a time with /export orders GROUP_ID.",
            count,
        ).format(count=count)
    return caption


def export_sheet_title(kind: str) -> str:
    return _("Users") if kind == "users" else _("Orders")


def no_such_group_text(group_id: int) -> str:
    return _("There is no group order {id}. /gb_list shows the open ones.").format(id=group_id)
