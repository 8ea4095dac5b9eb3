"""What /stats shows: the period's figures as text, and the words of its chart.

Every count goes through ngettext and Babel (`12 orders`, `1.234 Bestellungen`), every amount
through `ui.money.format_money`, the days through Babel's skeletons in the admin's locale. The
chart itself is drawn by `ui.chart` from plain numbers and the texts chosen here.
"""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from babel.dates import format_interval
from babel.numbers import format_decimal, format_percent, get_currency_symbol

from domain.catalog import localized
from domain.geo import babel_locale
from domain.money import BASE_CURRENCY
from services.stats import EUR, SalesStats, Totals
from ui import chart
from ui.agents import region_label
from ui.money import format_money, format_rate
from ui.render import fit, q, truncate

ADMIN_COMMANDS = (("stats", __("Sales over 7, 30 or 90 days, with a chart (admin)")),)
TOP = 5  # cities and products listed; the rest are counted
NAME_LIMIT = 60


def usage_text() -> str:
    return _(
        "Usage: /stats [7|30|90] — orders, buyers, revenue and groups of the last 7 days "
        "(the default), 30 or 90 days."
    )


def number(value: int, locale: str) -> str:
    return format_decimal(value, locale=babel_locale(locale))


def period_dates(stats: SalesStats, locale: str) -> str:
    """`Nov 25 – Dec 1` (with the year when the period spans two)."""
    period = stats.period
    skeleton = "MMMd" if period.first.year == period.last.year else "yMMMd"
    return format_interval(period.first, period.last, skeleton, locale=babel_locale(locale))


def change_text(current: int, previous: int, locale: str) -> str:
    """` (+25 %)` beside a figure, against the previous period; nothing from nothing."""
    if previous == 0:
        return ""
    fraction = (Decimal(current - previous) / previous).quantize(Decimal("0.01"))
    if fraction == 0:
        return ""
    shown = format_percent(fraction, locale=babel_locale(locale))
    return f" ({'+' if fraction > 0 else ''}{shown})"


def orders_text(count: int, locale: str) -> str:
    return ngettext("{count} order", "{count} orders", count).format(count=number(count, locale))


def buyers_text(count: int, locale: str) -> str:
    return ngettext("{count} buyer", "{count} buyers", count).format(count=number(count, locale))


def groups_text(totals: Totals, locale: str) -> str:
    parts = [
        ngettext("{count} group formed", "{count} groups formed", totals.formed).format(
            count=number(totals.formed, locale)
        ),
        ngettext("{count} group failed", "{count} groups failed", totals.failed).format(
            count=number(totals.failed, locale)
        ),
    ]
    if totals.cancelled:
        parts.append(
            ngettext(
                "{count} group cancelled", "{count} groups cancelled", totals.cancelled
            ).format(count=number(totals.cancelled, locale))
        )
    return " · ".join(parts)


def stats_text(stats: SalesStats, locale: str) -> str:
    """The summary: totals against the previous period, the top cities and products."""
    days = stats.period.days
    now, before = stats.current, stats.previous
    yuan = lambda amount: format_money(amount, BASE_CURRENCY, locale)  # noqa: E731
    lines = [
        ngettext(
            "📊 <b>Sales, last {days} day</b>", "📊 <b>Sales, last {days} days</b>", days
        ).format(days=number(days, locale)),
        q(period_dates(stats, locale)),
        "",
    ]
    if now.orders == 0:
        lines.append(
            ngettext(
                "No orders in the last {days} day.", "No orders in the last {days} days.", days
            ).format(days=number(days, locale))
        )
    else:
        lines.append(
            "🛒 "
            + q(orders_text(now.orders, locale) + change_text(now.orders, before.orders, locale))
        )
        lines.append(
            "👥 "
            + q(buyers_text(now.buyers, locale) + change_text(now.buyers, before.buyers, locale))
        )
        revenue = yuan(now.revenue_cny)
        eur = stats.revenue_eur
        if eur is not None and stats.eur_rate is not None:
            revenue = _("{yuan} ≈ {euro}").format(yuan=revenue, euro=format_money(eur, EUR, locale))
        lines.append("💰 " + q(revenue + change_text(now.revenue_cny, before.revenue_cny, locale)))
        if now.provisional_orders:
            lines.append(
                "⏳ "
                + q(
                    ngettext(
                        "Provisional: {amount} of it, {count} order in groups still open",
                        "Provisional: {amount} of it, {count} orders in groups still open",
                        now.provisional_orders,
                    ).format(
                        amount=yuan(now.provisional_cny),
                        count=number(now.provisional_orders, locale),
                    )
                )
            )
        if stats.eur_rate is None:
            lines.append(
                _("No EUR rate is set, so no amount in euro: set one with /rate EUR 0.128")
            )
        else:
            lines.append(
                q(
                    _("Euro at today’s rate: 1 {base} = {value} {currency}").format(
                        base=BASE_CURRENCY, value=format_rate(stats.eur_rate, locale), currency=EUR
                    )
                )
            )
    lines.append("📦 " + q(groups_text(now, locale)))
    if now.orders:
        lines += ["", _("<b>🏙 By city</b>")]
        for city in stats.cities[:TOP]:
            lines.append(
                q(
                    _("• {city}: {orders} · {amount}").format(
                        city=truncate(region_label(city.country, city.city, locale), NAME_LIMIT),
                        orders=orders_text(city.orders, locale),
                        amount=yuan(city.revenue_cny),
                    )
                )
            )
        more = len(stats.cities) - TOP
        if more > 0:
            lines.append(
                ngettext("… and {count} more city", "… and {count} more cities", more).format(
                    count=number(more, locale)
                )
            )
        lines += ["", _("<b>🧺 By product</b>")]
        for item in stats.products[:TOP]:
            name = truncate(localized(item.product.names, locale) or item.product.slug, NAME_LIMIT)
            lines.append(
                q(
                    _("• {quantity} × {product} · {amount}").format(
                        quantity=number(item.quantity, locale),
                        product=name,
                        amount=yuan(item.revenue_cny),
                    )
                )
            )
        more = len(stats.products) - TOP
        if more > 0:
            lines.append(
                ngettext("… and {count} more product", "… and {count} more products", more).format(
                    count=number(more, locale)
                )
            )
    lines += [
        "",
        ngettext(
            "The {days} day before: {orders} · {buyers} · {revenue}; {groups}",
            "The {days} days before: {orders} · {buyers} · {revenue}; {groups}",
            days,
        ).format(
            days=number(days, locale),
            orders=q(orders_text(before.orders, locale)),
            buyers=q(buyers_text(before.buyers, locale)),
            revenue=q(yuan(before.revenue_cny)),
            groups=q(groups_text(before, locale)),
        ),
    ]
    return fit(lines)


def chart_texts(days: int, locale: str) -> chart.ChartTexts:
    """The chart's words in the admin's language (chosen here, where gettext has its locale)."""
    symbol = get_currency_symbol(BASE_CURRENCY, locale=babel_locale(locale))
    return chart.ChartTexts(
        title=ngettext(
            "Orders and revenue, last {days} day", "Orders and revenue, last {days} days", days
        ).format(days=number(days, locale)),
        orders=_("Orders"),
        revenue=_("Revenue ({currency})").format(currency=symbol),
    )


def chart_caption(stats: SalesStats, locale: str) -> str:
    return _("📈 Orders and revenue per day, {dates}").format(dates=q(period_dates(stats, locale)))


def chart_png(stats: SalesStats, locale: str, texts: chart.ChartTexts) -> bytes:
    """The PNG (CPU-bound: the handler runs it in a worker thread, with `texts` worded
    beforehand)."""
    return chart.render(
        stats.period.dates,
        stats.daily_orders,
        stats.daily_revenue_cny,
        currency=BASE_CURRENCY,
        locale=locale,
        texts=texts,
    )
