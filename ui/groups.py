"""How a group order reads: title, progress, time left, tiers, an order's lines and amount.
Shared by the buyer's screens, the admin's and the notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_skeleton, get_timezone
from babel.lists import format_list
from babel.units import format_unit

from domain import geo, pricing
from domain.balance import Balance, buyer_may_pay
from domain.catalog import localized
from domain.groups import forms, is_joinable
from domain.money import BASE_CURRENCY, line_amount
from domain.orders import OrderView
from domain.text import N_
from models import GroupOffer, GroupOrder, Measure, OrderLine, PickupPoint, Product, User
from services.groups import Change, GroupScreen, OrdersScreen
from ui.callbacks import DigestAction, DigestCb, GroupAction, GroupCb, NoteCb, QtyCb, TrackCb
from ui.context import current
from ui.keyboard import Keyboard
from ui.moments import deadline_text
from ui.money import format_amounts, format_money, format_price, unit_length
from ui.render import button, fit, home_button, q, tr

METHOD_ICONS = {"air": "✈️", "rail": "🚆", "sea": "🚢", "express": "📮"}
METHOD_NAMES = {"air": N_("air"), "rail": N_("rail"), "sea": N_("sea"), "express": N_("express")}
ORDER_STATUS_NAMES = {
    "placed": N_("placed"),
    "confirmed": N_("confirmed"),
    "paid": N_("paid"),
    "shipped": N_("shipped"),
    "ready_for_pickup": N_("ready for pickup"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}
GROUP_STATUS_NAMES = {
    "open": N_("open"),
    "formed": N_("formed"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "shipped": N_("shipped"),
    "delivered": N_("delivered"),
}


def measure_text(value: int, measure: str, locale: str) -> str:
    """Grams as kilograms (`126 kg`, `12,5 kg`), or a count of units."""
    if measure == Measure.WEIGHT:
        kilos = (Decimal(value) / 1000).normalize()
        if kilos == kilos.to_integral_value():
            kilos = kilos.quantize(Decimal(1))
        loc = geo.babel_locale(locale)
        return format_unit(kilos, "mass-kilogram", length=unit_length(locale), locale=loc)
    return ngettext("{count} unit", "{count} units", value).format(count=value)


def admin_time(moment: datetime, user: User, locale: str) -> str:
    """A time as an admin reads it: in their zone, which is named (`Sat, Dec 12, 12:00
    (Europe/Rome)`), since what they type is read in it too."""
    return f"{deadline_text(moment, user, locale)} ({user.timezone or 'UTC'})"


def time_left(deadline: datetime, now: datetime, locale: str) -> str:
    """`2 days 4 hours`, `5 hours 30 minutes`, `12 minutes` — two units at most, each worded in
    full by Babel for the locale (abbreviations like `9gg` or `13 T` read badly)."""
    loc = geo.babel_locale(locale)
    seconds = max(0, int((deadline - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = [(days, "duration-day"), (hours, "duration-hour"), (minutes, "duration-minute")]
    while len(units) > 1 and units[0][0] == 0:
        units.pop(0)
    shown = [(count, unit) for count, unit in units[:2] if count] or [units[0]]
    parts = [format_unit(count, unit, length="long", locale=loc) for count, unit in shown]
    if locale.startswith("zh"):
        return format_list(parts, style="unit", locale=loc)  # 9天4小时
    return format_list(parts, style="standard", locale=loc)  # 9 giorni e 4 ore


def city_name(group: GroupOrder) -> str:
    return _(group.city)


def group_title(group: GroupOrder, user: User, locale: str) -> str:
    """`🚆 Milan · rail · closes Fri, Dec 12, 12:00` (plain text, for buttons too)."""
    return _("{icon} {city} · {method} · closes {deadline}").format(
        icon=METHOD_ICONS.get(group.method, "📦"),
        city=city_name(group),
        method=_(METHOD_NAMES.get(group.method, group.method)),
        deadline=deadline_text(group.deadline, user, locale),
    )


def group_name(group: GroupOrder) -> str:
    """`🚆 Milan · rail`: the title without its deadline, for sentences that say when it closes."""
    return _("{icon} {city} · {method}").format(
        icon=METHOD_ICONS.get(group.method, "📦"),
        city=city_name(group),
        method=_(METHOD_NAMES.get(group.method, group.method)),
    )


def progress_line(group: GroupOrder, locale: str) -> str:
    return f"{measure_text(group.total, group.measure, locale)} / {measure_text(group.min_total, group.measure, locale)} {pricing.progress_bar(group.total, group.min_total)}"


def yuan(amount: int, locale: str) -> str:
    return format_money(amount, "CNY", locale)


def price_for(amount_cny: int, user: User, rate: int | None, locale: str) -> str:
    return format_price(amount_cny, user.currency or "CNY", rate, locale)


def tier_line(
    group: GroupOrder,
    offers: list[tuple[GroupOffer, Product]],
    locale: str,
    user: User | None = None,
    rate: int | None = None,
) -> str | None:
    """`12 kg more for the next tier (¥16.00 for Rice…)`, or None at the top tier."""
    nxt = pricing.next_tier(group.tiers, group.total)
    if nxt is None:
        return _("🏆 The best price tier is reached.") if len(group.tiers) > 1 else None
    offer, product = offers[0]
    return _("⬇️ {missing} more and the price drops to {price} for {product}").format(
        missing=q(measure_text(nxt.missing, group.measure, locale)),
        price=q(
            price_for(offer.prices[nxt.index], user, rate, locale)
            if user
            else yuan(offer.prices[nxt.index], locale)
        ),
        product=q(localized(product.names, locale)),
    )


def pickup_line(group: GroupOrder, point: PickupPoint | None) -> str | None:
    """Where the buyer collects: the pickup point's name, address and hours (the free text of
    a group from before pickup points were linked, if that is all there is)."""
    if point is not None:
        text = _("📍 Pickup point: {place}").format(place=q(f"{point.name}, {point.address}"))
        if point.hours:
            text += " · " + q(point.hours)
        return text
    if group.pickup_point:
        return _("📍 Pickup point: {place}").format(place=q(group.pickup_point))
    return None


def arrival_line(group: GroupOrder, user: User, locale: str) -> str | None:
    """An open or formed group's expected arrival: its deadline plus the method's lead time."""
    if group.status not in ("open", "formed"):
        return None
    from services.shipments import expected_arrival

    loc = geo.babel_locale(locale)
    zone = get_timezone(user.timezone or "UTC")
    day = format_skeleton(
        "MMMEd", expected_arrival(group.deadline, group.method), tzinfo=zone, locale=loc
    )
    return _("📅 Expected arrival: about {day}").format(day=q(day))


def group_card(
    group: GroupOrder,
    offers: list[tuple[GroupOffer, Product]],
    mine: OrderView | None,
    user: User,
    rate: int | None,
    now: datetime,
    locale: str,
    point: PickupPoint | None = None,
    balance: Balance | None = None,
    people: dict[int, User] | None = None,
) -> str:
    tier = pricing.tier_index(group.tiers, group.total)
    lines = [f"<b>{q(group_title(group, user, locale))}</b>"]
    place = pickup_line(group, point)
    if place:
        lines.append(place)
    if group.status == "open" and group.deadline > now:
        lines.append(
            _("⏰ Closes in {time}").format(time=q(time_left(group.deadline, now, locale)))
        )
    else:
        lines.append(
            _("Status: {status}").format(
                status=q(_(GROUP_STATUS_NAMES.get(group.status, group.status)))
            )
        )
    lines.append(q(progress_line(group, locale)))
    arrival = arrival_line(group, user, locale)
    if arrival:
        lines.append(arrival)
    if forms(group.total, group.min_total):
        lines.append(_("✅ The minimum is reached: this group will form."))
    else:
        lines.append(
            _("{missing} more needed for the group to form.").format(
                missing=q(measure_text(group.min_total - group.total, group.measure, locale))
            )
        )
    if group.capacity is not None:
        lines.append(
            _("Capacity: {left} left").format(
                left=q(measure_text(max(0, group.capacity - group.total), group.measure, locale))
            )
        )
    extra = tier_line(group, offers, locale, user, rate) if offers else None
    if extra:
        lines.append(extra)
    lines += ["", _("<b>Products</b> (price now, per unit):")]
    for offer, product in offers:
        lines.append(
            f"• {q(localized(product.names, locale))} — {q(price_for(offer.prices[tier], user, rate, locale))}"
        )
    if mine and mine.order.status == "placed" and mine.lines:
        lines += ["", _("<b>Your order</b>:")]
        currency, fixed = user.currency or BASE_CURRENCY, rate
        if balance is not None:  # the order's own currency and rate, once a payment fixed it
            currency, fixed = balance.due.currency, balance.due.rate
        lines += order_lines(mine, tier, currency, fixed, locale)
    if mine and balance is not None and (balance.entries or buyer_may_pay(mine.order, group)):
        from ui.payments import balance_lines, how_to_pay_lines

        ctx = current()
        lines += balance_lines(
            balance, user, ctx, order=mine.order, group=group, people=people, items=mine.lines
        )
        lines += how_to_pay_lines(group, mine.order, balance, point=point, buyer=user)
    return fit(lines)  # always fits one message, however many products and lines


def order_lines(
    view: OrderView, tier: int, currency: str, rate: int | None, locale: str
) -> list[str]:
    """Each line as `quantity × unit price = amount`, then the total, in the buyer's currency
    beside the yuan. The unit price is converted once and multiplied, so the arithmetic holds
    in the currency shown and the lines add up to the total."""
    if rate is None:
        currency = BASE_CURRENCY
    rows = []
    total_cny = total_local = 0
    for line, offer, product in view.lines:
        unit = offer.prices[tier]
        if not line.supplied:  # taken off the bill: shown, not charged
            rows.append(
                _("• {product}: {quantity} — ✖ not supplied, not charged").format(
                    product=q(localized(product.names, locale)), quantity=line.quantity
                )
            )
            continue
        rows.append(
            _("• {product}: {quantity} × {price} = {amount}").format(
                product=q(localized(product.names, locale)),
                quantity=line.quantity,
                price=q(format_price(unit, currency, rate, locale)),
                amount=q(format_price(unit, currency, rate, locale, quantity=line.quantity)),
            )
        )
        total_cny += pricing.line_amount(unit, line.quantity)
        total_local += line_amount(unit, line.quantity, rate, currency)
    rows.append(
        _("Total: {amount}").format(
            amount=q(format_amounts(total_cny, total_local, currency, locale))
        )
    )
    return rows


def confirmed_lines(view: OrderView, group: GroupOrder, locale: str) -> list[str]:
    """A confirmed order's lines at the final tier and at the rate fixed on the order."""
    order = view.order
    tier = pricing.tier_index(group.tiers, group.total)
    return order_lines(view, tier, order.currency or BASE_CURRENCY, order.rate_micro, locale)


def final_amount_text(view: OrderView, locale: str) -> str:
    """The amount fixed when the group formed, in the buyer's currency beside the yuan."""
    order = view.order
    assert order.amount_cny is not None
    if order.currency and order.currency != BASE_CURRENCY and order.amount_local is not None:
        return format_amounts(order.amount_cny, order.amount_local, order.currency, locale)
    return yuan(order.amount_cny, locale)


def product_group_buttons(
    found: Sequence[tuple[GroupOrder, object]], user: User, locale: str
) -> list[InlineKeyboardButton]:
    return [
        button(
            _("👥 Join: {group}").format(group=group_title(group, user, locale)),
            GroupCb(id=group.id or 0).pack(),
        )
        for group, _offer in found[:3]
    ]


def card_view(
    screen: GroupScreen, user: User, now: datetime, share: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A group's card with its buttons: a product each (➕ or ✏️ with the quantity), reminders,
    leaving, sharing (`share`: the link to pass on)."""
    locale = current().locale
    group, offers, mine, watch, rate = (
        screen.group,
        screen.offers,
        screen.mine,
        screen.watch,
        screen.rate,
    )
    text = group_card(
        group, offers, mine, user, rate, now, locale, screen.point, screen.balance, screen.people
    )
    kb = Keyboard()
    if mine is not None and screen.balance is not None:
        from ui.payments import pay_button

        pay = pay_button(group, mine.order, screen.balance, locale)
        if pay is not None:
            kb.row(pay)
    joinable = is_joinable(group, now)
    quantities = {}
    if mine and mine.order.status == "placed":
        quantities = {offer.id: line.quantity for line, offer, _p in mine.lines}
    if joinable:
        for offer, product in offers:
            have = quantities.get(offer.id, 0)
            label = localized(product.names, locale)
            text_button = (
                _("✏️ {product}: {quantity}").format(product=label, quantity=have)
                if have
                else _("➕ {product}").format(product=label)
            )
            kb.row(
                button(text_button, QtyCb(g=group.id or 0, o=offer.id or 0, n=max(1, have)).pack())
            )
        reminded = watch is not None and watch.remind and not watch.muted
        if watch is not None and watch.muted:
            kb.row(
                button(
                    _("🔔 Turn reminders back on"),
                    GroupCb(id=group.id or 0, a=GroupAction.REMIND).pack(),
                )
            )
        elif reminded or quantities:
            kb.row(
                button(_("🔕 Mute reminders"), GroupCb(id=group.id or 0, a=GroupAction.MUTE).pack())
            )
        else:
            kb.row(
                button(
                    _("🔔 Remind me before it closes"),
                    GroupCb(id=group.id or 0, a=GroupAction.REMIND).pack(),
                )
            )
        if quantities and mine is not None:
            for note in note_buttons(group.id or 0, mine.lines):
                kb.row(note)
            kb.row(
                button(
                    _("🚪 Leave this group"), GroupCb(id=group.id or 0, a=GroupAction.LEAVE).pack()
                )
            )
        kb.row(InlineKeyboardButton(text=_("📤 Share with a friend"), url=share))
    kb.row(button(_("⬅ Groups"), GroupCb(id=0, a=GroupAction.LIST).pack()), home_button())
    return text, kb.as_markup()


def list_view(
    found: Sequence[GroupOrder], nearby: Sequence[GroupOrder], user: User
) -> tuple[str, InlineKeyboardMarkup]:
    """/groups: the open groups of the buyer's city (the first 20), a button each; when it has
    none, those of the cities nearby, and whether the buyer hears when one opens."""
    locale = current().locale
    kb = Keyboard()
    for group in (found or nearby)[:20]:
        kb.row(button(group_title(group, user, locale), GroupCb(id=group.id or 0).pack()))
    if found:
        kb.row(home_button())
        return _(
            "👥 <b>Open group orders for {city}</b>\nOrders travel together and get cheaper as the group grows."
        ).format(city=q(tr(user.city))), kb.as_markup()
    lines = [_("There is no open group order for {city} right now.").format(city=q(tr(user.city)))]
    if nearby:
        lines.append(_("Open nearby, within 50 km:"))
    if user.group_alerts:
        lines.append(
            _("🔔 You will get a message when one opens in {city}.").format(city=q(tr(user.city)))
        )
    else:
        kb.row(button(_("🔔 Tell me when one opens"), DigestCb(a=DigestAction.ALERTS, v=1).pack()))
    kb.row(home_button())
    return "\n".join(lines), kb.as_markup()


def note_buttons(
    group_id: int, lines: Sequence[tuple[OrderLine, GroupOffer, Product]]
) -> list[InlineKeyboardButton]:
    """One button per line of the buyer's order to write (or change) its note: "📝 Seal" or
    "📝 Seal: 王伟…" (button labels are plain text: nothing to escape)."""
    found = []
    for line, offer, product in lines:
        name = shorten(localized(product.names, current().locale), 40)
        label = (
            _("📝 {product}: {note}").format(product=name, note=shorten(line.note, 24))
            if line.note
            else f"📝 {name}"
        )
        found.append(button(label, NoteCb(g=group_id, o=offer.id or 0).pack()))
    return found


def shorten(text: str, limit: int) -> str:
    """The text, cut to `limit` characters with an ellipsis when longer (for button labels)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def leave_view(
    group_id: int, paid: int = 0, balance: Balance | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Leaving a group, asked first (saying that what was paid comes back)."""
    text = _("Leave this group order? Your order in it will be cancelled.")
    if paid > 0 and balance is not None:
        text += "\n" + _("You paid {amount}: it will be refunded to you.").format(
            amount=q(format_money(paid, balance.currency, current().locale))
        )
    kb = Keyboard()
    kb.button(text=_("🚪 Yes, leave"), callback_data=GroupCb(id=group_id, a=GroupAction.LEAVE_OK))
    kb.button(text=_("⬅ No, stay"), callback_data=GroupCb(id=group_id, a=GroupAction.SHOW))
    return text, kb.as_markup()


def quantity_note(change: Change, quantity: int) -> str:
    """What a new quantity did to the buyer's order."""
    if change.previous == quantity:
        return _("Nothing changed: you already have {quantity}.").format(quantity=quantity)
    if change.order.status == "cancelled":
        return _("Removed. You have nothing left in this group, so your order is cancelled.")
    if change.previous == 0 and quantity:
        return _("✅ Added to the group order.")
    return _("✅ Your order is updated.")


def orders_view(
    screen: OrdersScreen, user: User, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """/orders: the buyer's orders, a button for each group still taking orders."""
    locale = current().locale
    rows, rate = screen.orders, screen.rate
    kb = Keyboard()
    if not rows:
        kb.row(
            button(_("👥 Open group orders"), GroupCb(id=0, a=GroupAction.LIST).pack()),
            home_button(),
        )
        return _("You have no orders yet. Join a group order with /groups."), kb.as_markup()
    parts = [_("📦 <b>Your orders</b>")]
    for view, group in rows:
        status = _(ORDER_STATUS_NAMES.get(view.order.status, view.order.status))
        parts += [
            "",
            _("<b>Order {number}</b> · {group}").format(
                number=view.order.id, group=q(group_title(group, user, locale))
            ),
            _("Status: {status}").format(status=q(status)),
        ]
        arrival = arrival_line(group, user, locale) if view.order.status != "cancelled" else None
        if arrival:
            parts.append(arrival)
        if view.order.amount_cny is not None:
            parts += confirmed_lines(view, group, locale)[:-1]
            parts.append(
                _("Final amount: {amount}").format(amount=q(final_amount_text(view, locale)))
            )
        elif view.order.status == "placed":
            tier = pricing.tier_index(group.tiers, group.total)
            held = screen.balances.get(view.order.id or 0)
            currency, fixed = user.currency or "CNY", rate
            if held is not None:  # the order's own currency and rate, once a payment fixed it
                currency, fixed = held.due.currency, held.due.rate
            parts += order_lines(view, tier, currency, fixed, locale)
            parts.append(_("(price at the group's current tier; final at the deadline)"))
        balance = screen.balances.get(view.order.id or 0)
        if balance is not None and (balance.entries or balance.due.amount):
            from ui.payments import balance_lines, how_to_pay_lines, pay_button

            ctx = current()
            parts += balance_lines(
                balance,
                user,
                ctx,
                order=view.order,
                group=group,
                people=screen.people,
                items=view.lines,
            )
            point = screen.points.get(view.order.id or 0)
            parts += how_to_pay_lines(group, view.order, balance, point=point, buyer=user)
            pay = pay_button(group, view.order, balance, locale)
            if pay is not None:
                kb.row(
                    InlineKeyboardButton(
                        text=_("{pay} · order {number}").format(pay=pay.text, number=view.order.id),
                        callback_data=pay.callback_data,
                    )
                )
        if view.order.status == "placed" and is_joinable(group, now):
            kb.row(button(group_title(group, user, locale), GroupCb(id=group.id or 0).pack()))
    if any(group.shipment_id is not None for _view, group in rows):
        kb.row(button(_("🚚 Track"), TrackCb().pack()))
    kb.row(home_button())
    return fit(parts), kb.as_markup()
