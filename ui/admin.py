"""What admins see: the /gb_new dialog's steps and summary, product codes, open groups,
exchange rates and agents."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_datetime, get_timezone
from babel.numbers import format_decimal, format_percent

from domain import geo
from domain.catalog import localized
from domain.group_spec import Draft
from domain.money import BASE_CURRENCY, MAX_RATE, RateProblem, rate_change
from models import Agent, ExchangeRate, GroupOrder, Measure, PickupPoint, Product, User
from services.groups import OrderStats
from ui.agents import region_label
from ui.callbacks import AdminGroupAction, AdminGroupCb, MenuAction, MenuCb
from ui.context import current
from ui.groups import (
    METHOD_ICONS,
    METHOD_NAMES,
    admin_time,
    group_title,
    measure_text,
    progress_line,
    yuan,
)
from ui.money import format_price, format_rate
from ui.render import fit, q, tr


def step_markup(skip: bool = False, step: int = 0) -> InlineKeyboardMarkup:
    """Cancel, and Skip for step `step` of /gb_new: a Skip pressed twice, or on an older
    message, must not skip the step after it."""
    kb = InlineKeyboardBuilder()
    if skip:
        kb.button(text=_("⏭ Skip"), callback_data=AdminGroupCb(id=step, a=AdminGroupAction.SKIP))
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    return kb.as_markup()


def pickup_markup(points: list[PickupPoint]) -> InlineKeyboardMarkup:
    """/gb_new's step 2: the city's pickup points, Skip and Cancel."""
    kb = InlineKeyboardBuilder()
    for point in points[:20]:
        kb.row(
            InlineKeyboardButton(
                text=f"📍 {point.name}"[:64],
                callback_data=AdminGroupCb(id=point.id or 0, a=AdminGroupAction.PICKUP).pack(),
            )
        )
    kb.row(*step_markup(skip=True, step=2).inline_keyboard[0])
    return kb.as_markup()


def method_markup() -> InlineKeyboardMarkup:
    """/gb_new's shipping methods."""
    kb = InlineKeyboardBuilder()
    for code, icon in METHOD_ICONS.items():
        kb.button(
            text=f"{icon} {_(METHOD_NAMES[code])}",
            callback_data=AdminGroupCb(id=0, a=AdminGroupAction(f"method_{code}")),
        )
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    kb.adjust(3, 1)
    return kb.as_markup()


def open_markup() -> InlineKeyboardMarkup:
    """/gb_new's last step: open the group, or cancel."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("✅ Open the group"), callback_data=AdminGroupCb(id=0, a=AdminGroupAction.NEW_OK)
    )
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    return kb.as_markup()


def no_agent_warning(draft_city: str, country: str) -> str:
    return _(
        "⚠️ {city} has no agent yet, but buyers are told their agent will contact them. "
        "Appoint one with /agent_add or /agent_invite."
    ).format(city=q(tr(draft_city)), country=q(country))


def times_in(user: User) -> str:
    """The footer of an admin's list: which zone its times are in."""
    if user.timezone == "UTC" and not user.country:
        return _("🕒 Times in UTC (you have not set a time zone: /timezone)")
    return _("🕒 Times in {zone}").format(zone=q(user.timezone))


def zone_hint(user: User) -> str:
    """How an admin's typed times are read: in their zone, named; a UTC nobody chose is said."""
    if user.timezone == "UTC" and not user.country:
        return _(
            "Times are read in UTC: you have not set a time zone. Set yours with "
            "<code>/timezone Europe/Rome</code> (the dialog goes on)."
        )
    return _("Times are read in your time zone, {zone} (change it with /timezone).").format(
        zone=q(user.timezone)
    )


def draft_summary(
    draft: Draft, products: dict[str, Product], user: User, *, has_agent: bool = True
) -> str:
    """What /gb_new is about to open, step by step as it is filled in."""
    locale = current().locale
    measure = draft.measure or Measure.WEIGHT
    lines = [_("<b>New group order</b>")]
    lines.append(
        _("Destination: {city}, {country}").format(
            city=q(tr(draft.city)), country=q(draft.country or "")
        )
    )
    if draft.pickup_point:
        lines.append(_("📍 Pickup point: {place}").format(place=q(draft.pickup_point)))
    if draft.method:
        lines.append(
            _("Shipping: {icon} {method}").format(
                icon=METHOD_ICONS[draft.method], method=q(_(METHOD_NAMES[draft.method]))
            )
        )
    if draft.deadline:
        lines.append(_("Deadline: {when}").format(when=q(admin_time(draft.deadline, user, locale))))
    if draft.min_total:
        lines.append(
            _("Minimum: {amount}").format(amount=q(measure_text(draft.min_total, measure, locale)))
        )
    if draft.capacity:
        lines.append(
            _("Capacity: {amount}").format(amount=q(measure_text(draft.capacity, measure, locale)))
        )
    if len(draft.tiers) > 1:
        lines.append(
            _("Tiers from: {tiers}").format(
                tiers=q(" · ".join(measure_text(t, measure, locale) for t in draft.tiers))
            )
        )
    for slug, prices in draft.offers:
        product = products.get(slug)
        name = localized(product.names, locale) if product else slug
        lines.append(
            "• {name}: {prices}".format(
                name=q(name), prices=q(" / ".join(yuan(p, locale) for p in prices))
            )
        )
    if not has_agent and draft.city and draft.country:
        lines += ["", no_agent_warning(draft.city, draft.country)]
    return "\n".join(lines)


def product_codes_text(products: list[Product]) -> str:
    """/gb_products: every product on sale with its code and price."""
    locale = current().locale
    lines = [_("<b>Product codes</b>")]
    lines += [
        f"<code>{q(p.slug)}</code> — {q(localized(p.names, locale))} ({q(yuan(p.price_cny, locale))})"
        for p in products
    ]
    return fit(lines)


def open_groups_text(found: list[GroupOrder], stats: dict[int, OrderStats], user: User) -> str:
    """/gb_list: the open groups with their progress and order counts."""
    locale = current().locale
    lines = [_("<b>Open group orders</b>")]
    for group in found:
        count = stats[group.id or 0].orders
        lines.append(
            ngettext(
                "<b>{id}</b> · {title}\n   {progress} · {count} order",
                "<b>{id}</b> · {title}\n   {progress} · {count} orders",
                count,
            ).format(
                id=group.id,
                title=q(group_title(group, user, locale)),
                progress=q(progress_line(group, locale)),
                count=count,
            )
        )
    lines += ["", times_in(user)]
    return fit(lines)


def rates_text(rates: list[ExchangeRate], user: User) -> str:
    """/rates: each rate with when it was set, in the admin's time zone."""
    locale = current().locale
    lines = [_("💱 <b>Exchange rates</b> (1 {base} =)").format(base=BASE_CURRENCY)]
    for rate in rates:
        when = format_datetime(
            rate.updated_at,
            "short",
            tzinfo=get_timezone(user.timezone),
            locale=geo.babel_locale(locale),
        )
        lines.append(
            f"{q(rate.currency)}: <code>{q(format_rate(rate.per_cny_micro, locale))}</code> · {q(when)}"
        )
    lines += ["", times_in(user), _("Change one with /rate CUR value, e.g. /rate EUR 0.128")]
    return "\n".join(lines)


def agents_text(rows: list[tuple[Agent, User | None]], points: dict[int, list[PickupPoint]]) -> str:
    """/agents: every agent's region, who they are, and their pickup points."""
    locale = current().locale
    lines = [_("<b>Agents</b>")]
    for agent, person in rows:
        name = q(person.first_name if person else agent.user_id)
        handle = f" @{q(person.username)}" if person and person.username else ""
        lines.append(
            f"• {q(region_label(agent.country, agent.city, locale))}: "
            f'<a href="tg://user?id={agent.user_id}">{name}</a>{handle} (<code>{agent.user_id}</code>)'
        )
        for point in points.get(agent.id or 0, []):
            lines.append(f"   📍 {q(point.name)}, {q(point.address)} {q(point.hours)}".rstrip())
    return fit(lines)


def rate_usage() -> str:
    return _(
        "Usage: /rate CUR value — how much of the currency one yuan buys, e.g. /rate EUR 0.128"
    )


def remove_usage() -> str:
    return _("Usage: /rate_remove CUR, e.g. /rate_remove GBP")


def rate_problem_text(problem: RateProblem | None, typed: str) -> str:
    value = q(typed[:32])
    locale = current().locale
    if problem == RateProblem.NOT_POSITIVE:
        return _("The rate must be more than zero (you wrote “{value}”).").format(value=value)
    if problem == RateProblem.TOO_SMALL:
        return _("“{value}” is too small: the smallest rate is {min}.").format(
            value=value, min=format_rate(1, locale)
        )
    if problem == RateProblem.TOO_LARGE:
        return _("“{value}” is too large: a rate is at most {max} per yuan.").format(
            value=value, max=format_rate(MAX_RATE, locale)
        )
    return _("“{value}” is not a number. Write it like 0.128 or 0,128.").format(value=value)


def rate_set_text(currency: str, per_cny: int, *, unchanged: bool = False) -> str:
    line = _("1 {base} = {value} {currency}").format(
        base=BASE_CURRENCY, value=q(format_rate(per_cny, current().locale)), currency=q(currency)
    )
    return (_("✅ Nothing changed: {rate} already.") if unchanged else _("✅ {rate}")).format(
        rate=line
    )


def rate_change_text(currency: str, old: int, new: int, product: Product | None) -> str:
    """The confirmation of a big rate change: by how much, and what one product then costs."""
    locale = current().locale
    change = format_percent(
        rate_change(old, new), format="+#,##0%;-#,##0%", locale=geo.babel_locale(locale)
    )
    lines = [
        _("⚠️ {currency} changes by {change}: 1 {base} = {old} → {new} {currency}.").format(
            currency=q(currency),
            change=q(change),
            base=BASE_CURRENCY,
            old=q(format_rate(old, locale)),
            new=q(format_rate(new, locale)),
        )  # fmt: skip
    ]
    if product is not None:
        lines.append(
            _("{product}: {old} → {new}").format(
                product=q(localized(product.names, locale)),
                old=q(format_price(product.price_cny, currency, old, locale)),
                new=q(format_price(product.price_cny, currency, new, locale)),
            )
        )
    lines.append(
        _(
            "Set the new rate? Groups already formed keep their amounts; orders in open groups "
            "are charged at the rate in force when their group forms."
        )
    )
    return "\n".join(lines)


def remove_refused_text(currency: str, users: int) -> str:
    return ngettext(
        "{code} can't be removed: {n} person sees prices in it. They can choose another "
        "currency in /settings; remove it when nobody uses it.",
        "{code} can't be removed: {n} people see prices in it. They can choose another "
        "currency in /settings; remove it when nobody uses it.",
        users,
    ).format(code=q(currency), n=format_decimal(users, locale=geo.babel_locale(current().locale)))
