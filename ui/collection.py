"""/collect: a group's collection list as the agent reads it, and the same as CSV."""

from __future__ import annotations

import csv
import io

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from domain.balance import Balance
from domain.money import BASE_CURRENCY
from domain.text import spreadsheet_safe
from models import EntryKind, User
from services.collection import Collection
from ui.context import RenderContext
from ui.groups import ORDER_STATUS_NAMES, group_title
from ui.money import format_money
from ui.payments import balance_lines, method_name
from ui.render import q

FULL = 25  # up to this many orders, each with its entries; beyond, one line each
SHORT = 200  # and at most this many lines (a message or two); the totals count them all


def _summary(balance: Balance, locale: str) -> str:
    """`💰 Due: 9,72 € · 💵 cash: 9,72 € · ✅ Paid in full.` on one line."""
    parts = [
        _("💰 Due: {amount}").format(
            amount=q(format_money(balance.due.amount, balance.currency, locale))
        )
    ]
    for method, value in balance.by_method().items():
        if value:
            parts.append(_sum_line(q(method_name(method)), {balance.currency: value}, locale))
    if balance.still_due:
        parts.append(
            _("Still to pay: {amount}").format(
                amount=q(format_money(balance.still_due, balance.currency, locale))
            )
        )
    elif balance.refund_due:
        parts.append(_sum_line(_("To refund"), {balance.currency: balance.refund_due}, locale))
    elif balance.due.amount:
        parts.append(_("✅ Paid in full."))
    return " · ".join(parts)


def _sum_line(label: str, totals: dict[str, int], locale: str) -> str:
    shown = " + ".join(format_money(v, c, locale) for c, v in sorted(totals.items()) if v) or "—"
    return _("{label}: {amount}").format(label=label, amount=q(shown))


def collection_view(found: Collection, agent: User, ctx: RenderContext) -> tuple[str, bytes]:
    locale = ctx.locale
    group = found.group
    lines = [_("💶 <b>Collection</b> · {title}").format(title=q(group_title(group, agent, locale)))]
    due: dict[str, int] = {}
    to_collect: dict[str, int] = {}
    to_refund: dict[str, int] = {}
    per_method: dict[str, dict[str, int]] = {}
    shown = 0
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["order", "buyer_id", "buyer", "status", "currency", "due", "due_cny", "provisional",
         "paid_telegram", "paid_cash", "paid_transfer", "refunded", "still_due", "refund_due",
         "pickup_point"]
    )  # fmt: skip
    for entry in found.entries:
        order, balance, buyer = entry.order, entry.balance, entry.buyer
        name = buyer.first_name if buyer and buyer.first_name else str(order.user_id)
        status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
        cur = balance.currency
        due[cur] = due.get(cur, 0) + balance.due.amount
        to_collect[cur] = to_collect.get(cur, 0) + balance.still_due
        to_refund[cur] = to_refund.get(cur, 0) + balance.refund_due
        for method, value in balance.by_method().items():
            per_method.setdefault(method, {})
            per_method[method][cur] = per_method[method].get(cur, 0) + value
        if len(found.entries) <= FULL or shown < SHORT:
            shown += 1
            lines += [
                "",
                f'<b>{order.id}</b>. <a href="tg://user?id={order.user_id}">{q(name)}</a> · {q(status)}',
            ]
            if len(found.entries) <= FULL:  # a small group: every entry, who and when
                lines += [
                    "   " + line
                    for line in balance_lines(
                        balance, agent, ctx, order=order, group=group, people=found.people,
                        items=entry.lines, for_agent=True,
                    )
                ]  # fmt: skip
            else:  # a large one: one line per buyer (the CSV has everything)
                lines.append("   " + _summary(balance, locale))
        paid = {m: 0 for m in ("telegram", "cash", "transfer")}
        refunded = 0
        for e in balance.entries:
            if e.kind == EntryKind.PAYMENT:
                paid[e.method] = paid.get(e.method, 0) + e.amount
            else:
                refunded += e.amount
        writer.writerow(
            [spreadsheet_safe(v) for v in (
                order.id, order.user_id, name, order.status, cur,
                _minor(balance.due.amount, cur), _minor(balance.due.amount_cny, BASE_CURRENCY),
                "yes" if balance.due.provisional else "no",
                _minor(paid["telegram"], cur), _minor(paid["cash"], cur),
                _minor(paid["transfer"], cur), _minor(refunded, cur),
                _minor(balance.still_due, cur), _minor(balance.refund_due, cur),
                entry.point.name if entry.point else "",
            )]
        )  # fmt: skip
    if len(found.entries) > shown:
        more = len(found.entries) - shown
        lines += [
            "",
            ngettext(
                "… and {count} more order: see the CSV file.",
                "… and {count} more orders: see the CSV file.",
                more,
            ).format(count=more),
        ]
    if not found.entries:
        lines.append(_("No orders in this group."))
    else:
        count = len(found.entries)
        lines += [
            "",
            ngettext(
                "<b>Totals</b> ({count} order)", "<b>Totals</b> ({count} orders)", count
            ).format(count=count),
            _sum_line(_("Due"), due, locale),
        ]
        for method in ("telegram", "cash", "transfer"):
            if method in per_method:
                lines.append(_sum_line(q(method_name(method)), per_method[method], locale))
        lines.append(_sum_line(_("Still to collect"), to_collect, locale))
        lines.append(_sum_line(_("To refund"), to_refund, locale))

    return "\n".join(lines), out.getvalue().encode("utf-8-sig")


def _minor(value: int, currency: str) -> str:
    """Minor units as a plain decimal for spreadsheets (`12.54`), in the currency's precision."""
    from domain.money import to_decimal

    return str(to_decimal(value, currency))
