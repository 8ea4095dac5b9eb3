"""What shipments look like: the admin's card with the buttons of the next steps, the list, a
status event as buyers and agents read it, and a buyer's /track timeline."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_skeleton, format_timedelta, get_timezone

from domain import geo
from domain import shipments as rules
from domain.shipments import Problem, Step
from domain.text import N_
from models import GroupOrder, Order, PickupPoint, Shipment, ShipmentEvent, User
from services.pickup import Collection
from services.shipments import ImportReport, ShipmentCard, ShipmentPage, Tracking, step_of
from ui.callbacks import ShipAction, ShipCb, TrackCb
from ui.context import RenderContext
from ui.groups import METHOD_ICONS, METHOD_NAMES, ORDER_STATUS_NAMES, deadline_text
from ui.keyboard import Keyboard
from ui.money import format_money
from ui.render import button, cancel_markup, fit, home_button, q, tr, truncate

MAX_TIMELINE = 12  # events a timeline shows (the card, /track); the older ones are counted
STEP_NAMES = {
    Step.PACKED: N_("packed"),
    Step.DEPARTED_ORIGIN: N_("departed from China"),
    Step.EXPORT_CLEARED: N_("export customs cleared"),
    Step.IN_TRANSIT: N_("travelling"),
    Step.ARRIVED_DESTINATION: N_("arrived in the destination country"),
    Step.CUSTOMS_REVIEW: N_("under customs review"),
    Step.DUTIES_REQUESTED: N_("import duties requested"),
    Step.DUTIES_PAID: N_("import duties paid"),
    Step.RELEASED: N_("released by customs"),
    Step.OUT_FOR_DELIVERY: N_("out for delivery"),
    Step.AT_PICKUP_POINT: N_("arrived at the pickup point"),
    Step.DELIVERED: N_("delivered"),
    Step.EXCEPTION: N_("problem reported"),
}
STEP_ICONS = {
    Step.PACKED: "📦", Step.DEPARTED_ORIGIN: "🛫", Step.EXPORT_CLEARED: "🛃",
    Step.IN_TRANSIT: "🚚", Step.ARRIVED_DESTINATION: "🛬", Step.CUSTOMS_REVIEW: "🔎",
    Step.DUTIES_REQUESTED: "🧾", Step.DUTIES_PAID: "💶", Step.RELEASED: "✅",
    Step.OUT_FOR_DELIVERY: "🛵", Step.AT_PICKUP_POINT: "🏪", Step.DELIVERED: "🎉",
    Step.EXCEPTION: "⚠️",
}  # fmt: skip
PROBLEM_NAMES = {
    Problem.DELAY: N_("delay"),
    Problem.CUSTOMS_HOLD: N_("customs hold"),
    Problem.DAMAGE: N_("damage"),
}


def step_name(step: str) -> str:
    try:
        return _(STEP_NAMES[Step(step)])
    except ValueError:
        return step


def sentence_case(text: str) -> str:
    """The first letter up, the rest as written (`Departed from China`, not `…china`)."""
    return text[:1].upper() + text[1:]


def step_label(step: str) -> str:
    try:
        icon = STEP_ICONS[Step(step)]
    except ValueError:
        icon = "•"
    return f"{icon} {step_name(step)}"


def day_text(moment: datetime, user: User, locale: str) -> str:
    """`Fri, Jan 15` in the user's time zone."""
    zone = get_timezone(user.timezone or "UTC")
    return format_skeleton("MMMEd", moment, tzinfo=zone, locale=geo.babel_locale(locale))


def eta_text(eta: datetime, user: User, ctx: RenderContext) -> str:
    """`in 3 weeks (Fri, Jan 15)`: Babel's relative time, and the day in the user's zone."""
    loc = geo.babel_locale(ctx.locale)
    delta = eta - ctx.now
    if delta.total_seconds() <= 0:
        return _("{day} (overdue)").format(day=day_text(eta, user, ctx.locale))
    relative = format_timedelta(delta, granularity="day", add_direction=True, locale=loc)
    return _("{relative} ({day})").format(relative=relative, day=day_text(eta, user, ctx.locale))


def method_text(method: str) -> str:
    return f"{METHOD_ICONS.get(method, '📦')} {_(METHOD_NAMES.get(method, method))}"


def destination(shipment: Shipment, locale: str) -> str:
    return f"{tr(shipment.city)}, {geo.country_name(shipment.country, locale)}"


def shipment_title(shipment: Shipment, locale: str) -> str:
    """`Shipment 3 · 🚆 rail · Milan, Italy` (plain text)."""
    return _("Shipment {id} · {method} · {place}").format(
        id=shipment.id, method=method_text(shipment.method), place=destination(shipment, locale)
    )


def event_detail(event: ShipmentEvent, locale: str, note_limit: int = 0) -> list[str]:
    """What an event says beyond its name: the duties due, the problem, the admin's note."""
    lines = []
    if event.step == Step.DUTIES_REQUESTED and event.amount is not None:
        lines.append(
            _("Amount due: {amount}").format(
                amount=q(format_money(event.amount, event.currency or "EUR", locale))
            )
        )
    if event.step == Step.EXCEPTION and event.problem:
        try:
            problem = _(PROBLEM_NAMES[Problem(event.problem)])
        except ValueError:
            problem = event.problem
        lines.append(_("Problem: {problem}").format(problem=q(problem)))
    if event.note:
        note = truncate(event.note, note_limit) if note_limit else event.note
        lines.append(f"<blockquote>{q(note)}</blockquote>")
    return lines


def point_lines(point: PickupPoint, agent: User | None) -> list[str]:
    """A pickup point with its address and hours, and the agent to contact."""
    lines = [_("📍 <b>{name}</b>, {address}").format(name=q(point.name), address=q(point.address))]
    if point.hours:
        lines.append(_("🕒 Opening hours: {hours}").format(hours=q(point.hours)))
    if agent is not None:
        name = q(agent.first_name or str(agent.id))
        who = f'<a href="tg://user?id={agent.id}">{name}</a>'
        if agent.username:
            who += f" @{q(agent.username)}"
        lines.append(_("Your agent: {who}").format(who=who))
    return lines


def places_lines(places: list[Collection], *, ready: bool) -> list[str]:
    """Where the buyer collects: one point for all their orders, or each order at its own."""
    lines: list[str] = []
    for place in places:
        numbers = ", ".join(str(o.id) for o in place.orders)
        count = len(place.orders)
        if place.point is None:
            if ready:
                lines += ["", ngettext(
                    "Order {numbers} is ready: your agent will tell you where to collect it.",
                    "Orders {numbers} are ready: your agent will tell you where to collect them.",
                    count,
                ).format(numbers=numbers)]  # fmt: skip
            continue
        if ready:
            head = ngettext(
                "Order {numbers} is ready for pickup at:",
                "Orders {numbers} are ready for pickup at:",
                count,
            ).format(numbers=numbers)
        else:
            head = ngettext(
                "You collect order {numbers} at:", "You collect orders {numbers} at:", count
            ).format(numbers=numbers)
        lines += ["", head] + point_lines(place.point, place.agent)
    return lines


def event_notice(
    shipment: Shipment, event: ShipmentEvent, orders: list[Order], places: list[Collection],
    user: User, ctx: RenderContext,
) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    """A status event as a buyer on board (or an agent of the destination) reads it."""
    locale = ctx.locale
    lines = [
        f"{STEP_ICONS.get(Step(event.step), '•')} <b>{q(sentence_case(step_name(event.step)))}</b>",
        q(shipment_title(shipment, locale)),
        _("🕒 {when}").format(when=q(deadline_text(event.occurred_at, user, locale))),
    ]
    lines += event_detail(event, locale)
    if orders:
        numbers = ", ".join(str(o.id) for o in orders)
        lines.append(
            ngettext("Your order: {numbers}", "Your orders: {numbers}", len(orders)).format(
                numbers=numbers
            )
        )
    if event.step == Step.AT_PICKUP_POINT and orders:
        lines += places_lines(places, ready=True)
    elif event.step == Step.DUTIES_REQUESTED and orders:
        lines.append(_("Your agent will tell you your share, if any."))
    if event.step != Step.DELIVERED:
        lines.append(
            _("📅 Expected arrival: {eta}").format(eta=q(eta_text(shipment.eta, user, ctx)))
        )
    kb = Keyboard()
    kb.row(button(_("🚚 Track"), TrackCb(new=True).pack()))
    return fit(lines), kb.as_markup()


# ── the admin's card and list ───────────────────────────────────────────────────────────


def timeline_lines(card: ShipmentCard, user: User, ctx: RenderContext) -> list[str]:
    """✓ each event posted with its day, then ▸ the next steps, then the ETA."""
    lines = []
    events = card.events
    if len(events) > MAX_TIMELINE:  # the latest steps, the rest counted
        hidden = len(events) - MAX_TIMELINE
        lines.append(
            ngettext("… {count} earlier step", "… {count} earlier steps", hidden).format(
                count=hidden
            )
        )
        events = events[hidden:]
    for event in events:
        mark = "⚠️" if event.step == Step.EXCEPTION else "✓"
        lines.append(
            f"{mark} {q(step_name(event.step))} · {q(day_text(event.occurred_at, user, ctx.locale))}"
        )
        if event.step == Step.EXCEPTION:
            lines += ["   " + line for line in event_detail(event, ctx.locale, note_limit=160)]
    current = step_of(card.shipment)
    if current != Step.DELIVERED:
        ahead = rules.upcoming(current)
        if ahead:
            lines.append(f"▸ <b>{q(step_name(ahead[0]))}</b>")
            lines += [f"· {q(step_name(step))}" for step in ahead[1:]]
        lines.append(
            _("📅 Expected arrival: {eta}").format(eta=q(eta_text(card.shipment.eta, user, ctx)))
        )
    return lines


def status_text(shipment: Shipment) -> str:
    current = step_of(shipment)
    return step_name(current) if current else _("not packed yet")


def card_view(
    card: ShipmentCard, user: User, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    shipment, locale = card.shipment, ctx.locale
    groups = ", ".join(str(group.id) for group in card.groups)
    lines = [
        f"<b>{q(shipment_title(shipment, locale))}</b>",
        _("Carrier: {carrier} · tracking number <code>{tracking}</code>").format(
            carrier=q(shipment.carrier), tracking=q(shipment.tracking)
        ),
        ngettext("Group {groups}", "Groups {groups}", len(card.groups)).format(groups=groups)
        + " · "
        + ngettext("{count} order", "{count} orders", card.orders).format(count=card.orders),
        _("Status: {status}").format(status=q(status_text(shipment))),
        "",
    ]
    lines += timeline_lines(card, user, ctx)
    kb = Keyboard()
    current = step_of(shipment)
    for step in rules.allowed_next(current):
        kb.button(
            text=step_label(step),
            callback_data=ShipCb(id=shipment.id or 0, v=shipment.version, s=step).pack(),
        )
    kb.adjust(2)
    kb.row(button(_("📋 All shipments"), ShipCb(id=0, a=ShipAction.LIST).pack()))
    return fit(lines), kb.as_markup()


def list_view(
    page: ShipmentPage, user: User, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    if not page.cards:
        return (
            _("No shipments yet. Ship formed groups with /ship GROUP_IDS."),
            InlineKeyboardMarkup(inline_keyboard=[[home_button()]]),
        )
    lines = [
        ngettext("🚚 <b>{count} shipment</b>", "🚚 <b>{count} shipments</b>", page.total).format(
            count=page.total
        )
    ]
    kb = Keyboard()
    for card in page.cards:
        shipment = card.shipment
        last = card.events[-1] if card.events else None
        when = f" · {day_text(last.occurred_at, user, ctx.locale)}" if last else ""
        lines += [
            "",
            f"<b>{shipment.id}</b> · {q(method_text(shipment.method))} · {q(destination(shipment, ctx.locale))}",
            f"   {q(status_text(shipment))}{q(when)} · {q(shipment.carrier)} <code>{q(shipment.tracking)}</code>",
        ]  # fmt: skip
        kb.button(
            text=_("Shipment {id}").format(id=shipment.id),
            callback_data=ShipCb(id=shipment.id or 0).pack(),
        )
    kb.adjust(3)
    nav = []
    if page.page > 0:
        nav.append(button("◀️", ShipCb(id=0, a=ShipAction.LIST, p=page.page - 1).pack()))
    if page.pages > 1:
        nav.append(
            button(
                f"{page.page + 1}/{page.pages}", ShipCb(id=0, a=ShipAction.LIST, p=page.page).pack()
            )
        )
    if page.page + 1 < page.pages:
        nav.append(button("▶️", ShipCb(id=0, a=ShipAction.LIST, p=page.page + 1).pack()))
    if nav:
        kb.row(*nav)
    return fit(lines), kb.as_markup()


# ── the buyer's /track ──────────────────────────────────────────────────────────────────


def track_view(
    found: list[Tracking], user: User, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    kb = Keyboard()
    kb.row(home_button())
    if not found:
        return (
            _(
                "🚚 No shipment to follow yet. When a group you joined is shipped, its journey "
                "shows here."
            ),
            kb.as_markup(),
        )
    lines = [_("🚚 <b>Your shipments</b>")]
    for tracking in found:
        card = tracking.card
        lines += ["", f"<b>{q(shipment_title(card.shipment, ctx.locale))}</b>"]
        lines.append(
            ", ".join(
                _("Order {number}: {status}").format(
                    number=o.id, status=q(_(ORDER_STATUS_NAMES.get(o.status, o.status)))
                )
                for o in tracking.orders
            )
        )
        lines += timeline_lines(card, user, ctx)
        if step_of(card.shipment) != Step.DELIVERED:
            lines += places_lines([p for p in tracking.places if p.point], ready=False)
    return fit(lines), kb.as_markup()


# ── the /ship dialog ────────────────────────────────────────────────────────────────────


def dialog_markup() -> InlineKeyboardMarkup:
    return cancel_markup()


def shippable_text(groups: list[GroupOrder], user: User, ctx: RenderContext) -> str:
    """Step 1: the formed groups waiting to be shipped, by destination."""
    lines = [_("New shipment, step 1 of 5. Which formed groups travel together?"), ""]
    for group in groups:
        lines.append(
            f"<b>{group.id}</b> · {q(method_text(group.method))} · "
            f"{q(tr(group.city))}, {q(geo.country_name(group.country, ctx.locale))}"
        )
    lines += ["", _("Send their numbers, e.g. <code>{example}</code> (one destination per shipment).")
              .format(example=",".join(str(g.id) for g in groups[:2]))]  # fmt: skip
    return fit(lines)


def method_markup() -> InlineKeyboardMarkup:
    kb = Keyboard()
    for method in rules.DEFAULT_LEAD_DAYS:
        kb.button(
            text=method_text(method), callback_data=ShipCb(id=0, a=ShipAction.METHOD, s=method)
        )
    kb.adjust(2)
    kb.row(*cancel_markup().inline_keyboard[0])
    return kb.as_markup()


def eta_markup(usual: datetime, days: int, user: User, ctx: RenderContext) -> InlineKeyboardMarkup:
    kb = Keyboard()
    label = ngettext(
        "📅 {day} (the usual {count} day)", "📅 {day} (the usual {count} days)", days
    ).format(day=day_text(usual, user, ctx.locale), count=days)
    kb.row(button(label, ShipCb(id=0, a=ShipAction.ETA).pack()))
    kb.row(*cancel_markup().inline_keyboard[0])
    return kb.as_markup()


def dialog_summary(
    draft: dict, groups: list[GroupOrder], eta: datetime, user: User, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup]:
    first = groups[0]
    lines = [
        _("<b>New shipment</b> to {place}").format(
            place=q(f"{tr(first.city)}, {geo.country_name(first.country, ctx.locale)}")
        ),
        ngettext("Group: {groups}", "Groups: {groups}", len(groups)).format(
            groups=", ".join(str(g.id) for g in groups)
        ),
        _("Carrier: {carrier} · tracking number <code>{tracking}</code>").format(
            carrier=q(draft.get("carrier", "")), tracking=q(draft.get("tracking", ""))
        ),
        _("Method: {method}").format(method=q(method_text(draft.get("method", "")))),
        _("📅 Expected arrival: {eta}").format(eta=q(eta_text(eta, user, ctx))),
    ]
    kb = Keyboard()
    kb.row(button(_("✅ Create the shipment"), ShipCb(id=0, a=ShipAction.CREATE).pack()))
    kb.row(*cancel_markup().inline_keyboard[0])
    return "\n".join(lines), kb.as_markup()


def import_report_text(report: ImportReport) -> str:
    if not report.applied:
        return ngettext(
            "Nothing new: the {count} event of this file was already applied.",
            "Nothing new: the {count} events of this file were already applied.",
            report.already,
        ).format(count=report.already)
    text = ngettext("✅ {count} event applied", "✅ {count} events applied", report.applied).format(
        count=report.applied
    )
    text += " · " + ngettext("Shipment {ids}", "Shipments {ids}", len(report.shipments)).format(
        ids=", ".join(str(i) for i in sorted(report.shipments))
    )
    if report.already:
        text += "\n" + ngettext(
            "{count} row was already applied and was skipped.",
            "{count} rows were already applied and were skipped.",
            report.already,
        ).format(count=report.already)
    return text
