"""What digests and the optional alerts look like, and the screen that sets them (/digest).
Every optional message ends with a button that changes or stops it."""

from __future__ import annotations

from datetime import time

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_time, get_day_names

from domain import digests as rules
from domain import geo
from domain.catalog import localized
from domain.notices import ADMIN_STATS, DigestNotice
from models import GroupOrder, Order, Product, Shipment, ShipmentEvent, User
from ui.callbacks import (
    DigestAction,
    DigestCb,
    GroupCb,
    MenuAction,
    MenuCb,
    SettingsAction,
    SettingsCb,
)
from ui.context import RenderContext
from ui.groups import (
    ORDER_STATUS_NAMES,
    group_name,
    group_title,
    progress_line,
    time_left,
    yuan,
)
from ui.keyboard import Keyboard
from ui.render import button, fit, q, tr
from ui.shipments import shipment_title, step_name

MAX_ITEMS = 8  # per section; the rest are counted


def weekday_name(day: int, locale: str) -> str:
    return str(get_day_names("wide", locale=geo.babel_locale(locale))[day % 7])


def hour_text(hour: int, locale: str) -> str:
    return format_time(time(hour % 24), "short", locale=geo.babel_locale(locale))


def when_text(user: User, locale: str) -> str:
    """`Every day at 09:00 (Europe/Rome)`, `Every week on Monday at 08:00 (…)`, `Off`."""
    if user.digest == rules.Frequency.OFF:
        return _("Off")
    at = hour_text(user.digest_hour, locale)
    if user.digest == rules.Frequency.WEEKLY:
        return _("Every week on {day} at {time} ({zone})").format(
            day=weekday_name(user.digest_day, locale), time=at, zone=user.timezone
        )
    return _("Every day at {time} ({zone})").format(time=at, zone=user.timezone)


def controls(*, alert: bool = False) -> InlineKeyboardMarkup:
    """The one-tap way out every optional message ends with."""
    kb = Keyboard()
    if alert:
        kb.row(
            button(_("🔕 No more of these alerts"), DigestCb(a=DigestAction.ALERTS_OFF).pack()),
            button(_("⚙️ Alerts and digests"), DigestCb(a=DigestAction.SHOW, new=True).pack()),
        )
    else:
        kb.row(
            button(_("⚙️ Change the digest"), DigestCb(a=DigestAction.SHOW, new=True).pack()),
            button(_("🔕 Stop digests"), DigestCb(a=DigestAction.STOP).pack()),
        )
    return kb.as_markup()


def _more(lines: list[str], total: int) -> None:
    if total > MAX_ITEMS:
        hidden = total - MAX_ITEMS
        lines.append(
            ngettext("… and {count} more", "… and {count} more", hidden).format(count=hidden)
        )


def digest_view(
    notice: DigestNotice, user: User, ctx: RenderContext, *, products: dict[int, Product],
    groups: dict[int, GroupOrder], orders: dict[int, Order], events: dict[int, ShipmentEvent],
    shipments: dict[int, Shipment],
) -> tuple[str, InlineKeyboardMarkup] | None:  # fmt: skip
    """A digest, worded for the recipient; None when nothing in it still exists."""
    locale = ctx.locale
    lines = [_("☀️ <b>Your Qingtian Bridge digest</b>")]
    found = [products[i] for i in notice.products if i in products]
    if found:
        lines += ["", ngettext("🆕 <b>{count} new product</b> for {country}",
                               "🆕 <b>{count} new products</b> for {country}", len(found))
                  .format(count=len(found), country=q(geo.country_name(user.country or "", locale)))]  # fmt: skip
        lines += [f"• {q(localized(p.names, locale))}" for p in found[:MAX_ITEMS]]
        _more(lines, len(found))
    soon = [
        groups[i] for i in notice.groups
        if i in groups and groups[i].status == "open" and groups[i].deadline > ctx.now
    ]  # fmt: skip
    if soon:
        lines += ["", _("⏰ <b>Closing soon in {city}</b>").format(city=q(tr(user.city or "")))]
        for group in soon[:MAX_ITEMS]:
            lines.append(
                _("• {name}: {progress}, closes in {time}").format(
                    name=q(group_name(group)), progress=q(progress_line(group, locale)),
                    time=q(time_left(group.deadline, ctx.now, locale)),
                )
            )  # fmt: skip
        _more(lines, len(soon))
    changed = [orders[i] for i in notice.orders if i in orders]
    if changed:
        lines += ["", _("📦 <b>Your orders</b>")]
        for order in changed[:MAX_ITEMS]:
            of = groups.get(order.group_id)
            status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
            title = group_title(of, user, locale) if of else ""
            lines.append(
                _("• Order {number} ({title}): {status}").format(
                    number=order.id, title=q(title), status=q(status)
                )
            )
        _more(lines, len(changed))
    moved = [events[i] for i in notice.events if i in events]
    if moved:
        lines += ["", _("🚚 <b>Your shipments</b>")]
        for event in moved[:MAX_ITEMS]:
            shipment = shipments.get(event.shipment_id)
            place = shipment_title(shipment, locale) if shipment else ""
            lines.append(f"• {q(place)}: {q(step_name(event.step))}")
        _more(lines, len(moved))
    if notice.agent or notice.region_groups:
        placed, paid, handed = (notice.agent + [0, 0, 0])[:3]
        lines += [
            "",
            _("🗺 <b>Your regions, last 24 hours</b>"),
            _("Orders: {orders} · payments: {paid} · handed over: {handed}").format(
                orders=placed, paid=paid, handed=handed
            ),
        ]
        for group_id in notice.region_groups[:MAX_ITEMS]:
            region_group = groups.get(group_id)
            if region_group is not None and region_group.status == "open":
                lines.append(
                    f"• {q(group_name(region_group))}: {q(progress_line(region_group, locale))}"
                )
    if notice.admin:
        stats = dict(zip(ADMIN_STATS, notice.admin, strict=False))
        lines += [
            "",
            _("📊 <b>Yesterday, for admins</b>"),
            ngettext("{count} order placed", "{count} orders placed", stats["orders"]).format(
                count=stats["orders"]
            ),
            _("Revenue of the groups that formed: {amount}").format(
                amount=q(yuan(stats["revenue"], locale))
            ),
            ngettext("{count} new buyer", "{count} new buyers", stats["buyers"]).format(
                count=stats["buyers"]
            ),
            _("Groups formed: {formed} · failed: {failed}").format(
                formed=stats["formed"], failed=stats["failed"]
            ),
            ngettext(
                "{count} shipment event posted", "{count} shipment events posted", stats["moved"]
            ).format(count=stats["moved"]),
            ngettext(
                "{count} message could not be delivered (blocked or failed)",
                "{count} messages could not be delivered (blocked or failed)",
                stats["undelivered"],
            ).format(count=stats["undelivered"]),
        ]
    if len(lines) == 1:
        return None
    lines += ["", _("Digest: {when}").format(when=q(when_text(user, locale)))]
    return fit(lines), controls()


def group_opened_view(
    group: GroupOrder, nearby: list[GroupOrder], user: User, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("🆕 A group order just opened in {city}: <b>{title}</b>").format(
            city=q(tr(group.city)), title=q(group_title(group, user, ctx.locale))
        ),
        q(progress_line(group, ctx.locale)),
    ]
    if nearby:
        lines += ["", _("Also open nearby:")]
        lines += [f"• {q(group_title(g, user, ctx.locale))}" for g in nearby[:MAX_ITEMS]]
    kb = Keyboard()
    kb.row(button(_("👥 Open the group"), GroupCb(id=group.id or 0).pack()))
    for other in nearby[:3]:
        kb.row(button(group_title(other, user, ctx.locale), GroupCb(id=other.id or 0).pack()))
    for row in controls(alert=True).inline_keyboard:
        kb.row(*row)
    return fit(lines), kb.as_markup()


# ── /digest ─────────────────────────────────────────────────────────────────────────────


def digest_screen(user: User, ctx: RenderContext) -> tuple[str, InlineKeyboardMarkup]:
    locale = ctx.locale
    lines = [
        _("☀️ <b>Digest and alerts</b>"),
        "",
        _("Digest: {when}").format(when=q(when_text(user, locale))),
        _(
            "It brings new products for your country, groups of your city closing within "
            "72 hours and news of your orders and shipments. With nothing new, nothing is sent."
        ),
        "",
        _("🔔 When a group opens in your city: {state}").format(
            state=_("tell me") if user.group_alerts else _("don't tell me")
        ),
        _("Messages about your own orders and shipments always come at once."),
    ]
    kb = Keyboard()
    for value, label in ((0, _("Daily")), (1, _("Weekly")), (2, _("Off"))):
        current = [rules.Frequency.DAILY, rules.Frequency.WEEKLY, rules.Frequency.OFF][value]
        mark = "✓ " if user.digest == current else ""
        kb.button(text=mark + label, callback_data=DigestCb(a=DigestAction.FREQUENCY, v=value))
    rows = [3]
    if user.digest == rules.Frequency.WEEKLY:
        for day in range(7):
            mark = "✓ " if user.digest_day == day else ""
            kb.button(
                text=mark + weekday_name(day, locale)[:3],
                callback_data=DigestCb(a=DigestAction.DAY, v=day),
            )
        rows += [4, 3]
    if user.digest != rules.Frequency.OFF:
        for hour in rules.HOURS:
            mark = "✓" if user.digest_hour == hour else ""
            kb.button(
                text=mark + hour_text(hour, locale),
                callback_data=DigestCb(a=DigestAction.HOUR, v=hour),
            )
        rows += [6, 6, 5]
    kb.button(text=_("🕒 Time zone: {zone}").format(zone=user.timezone),
              callback_data=DigestCb(a=DigestAction.ZONE))  # fmt: skip
    kb.button(
        text=_("🔔 Group alerts: on") if user.group_alerts else _("🔕 Group alerts: off"),
        callback_data=DigestCb(a=DigestAction.ALERTS, v=0 if user.group_alerts else 1),
    )
    kb.button(text=_("⚙️ Settings"), callback_data=SettingsCb(action=SettingsAction.SHOW))
    kb.button(text=_("🏠 Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    rows += [1, 1, 2]
    kb.adjust(*rows)
    return "\n".join(lines), kb.as_markup()


def zone_text(user: User) -> str:
    """/timezone alone: the zone in use, whether it was chosen, and how to change it."""
    if user.timezone == "UTC" and not user.country:
        head = _("🕒 Your time zone is UTC: you have not set one.")
    else:
        head = _("🕒 Your time zone: {zone}").format(zone=q(user.timezone))
    return (
        head
        + "\n"
        + _(
            "Times you read and type are in it. Change it with /timezone followed by its name, "
            "e.g. <code>/timezone Europe/Rome</code> or <code>/timezone America/Sao_Paulo</code>."
        )
    )
