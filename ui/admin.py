"""What admins see: the /gb_new dialog's steps and summary, product codes, open groups,
exchange rates and agents."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_datetime, get_timezone
from babel.numbers import format_decimal, format_percent

from domain import geo
from domain.catalog import localized
from domain.errors import GroupError
from domain.group_spec import MAX_BENEFICIARY, PAY_METHOD_ORDER, Draft, SpecError
from domain.iban import (
    COUNTRY_LENGTHS,
    MAX_LENGTH,
    MIN_LENGTH,
    IbanProblem,
    compact,
    format_iban,
    mask_iban,
)
from domain.money import BASE_CURRENCY, MAX_RATE, RateProblem, rate_change
from domain.text import N_
from models import (
    Agent,
    ExchangeRate,
    GroupOrder,
    Measure,
    PayMethod,
    PayWhen,
    PickupPoint,
    Product,
    User,
)
from services.groups import OrderStats
from ui.agents import region_label
from ui.callbacks import AdminGroupAction, AdminGroupCb, MenuAction, MenuCb
from ui.context import current
from ui.errors import error_text
from ui.groups import (
    METHOD_ICONS,
    METHOD_NAMES,
    admin_time,
    group_title,
    measure_text,
    progress_line,
    yuan,
)
from ui.keyboard import Keyboard
from ui.money import format_price, format_rate
from ui.render import fit, q, tr


def step_markup(skip: bool = False, step: int = 0) -> InlineKeyboardMarkup:
    """Cancel, and Skip for step `step` of /gb_new: a Skip pressed twice, or on an older
    message, must not skip the step after it."""
    kb = Keyboard()
    if skip:
        kb.button(text=_("⏭ Skip"), callback_data=AdminGroupCb(id=step, a=AdminGroupAction.SKIP))
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    return kb.as_markup()


def pickup_markup(points: list[PickupPoint]) -> InlineKeyboardMarkup:
    """/gb_new's step 2: the city's pickup points, Skip and Cancel."""
    kb = Keyboard()
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
    kb = Keyboard()
    for code, icon in METHOD_ICONS.items():
        kb.button(
            text=f"{icon} {_(METHOD_NAMES[code])}",
            callback_data=AdminGroupCb(id=0, a=AdminGroupAction(f"method_{code}")),
        )
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    kb.adjust(3, 1)
    return kb.as_markup()


def open_markup(pay_when: str | None = None) -> InlineKeyboardMarkup:
    """/gb_new's last step: when buyers pay (the current choice ticked; either leads on to the
    ways to pay), open the group, or cancel."""
    kb = Keyboard()
    for when, action in ((PayWhen.FORMED, AdminGroupAction.PAY_FORMED),
                         (PayWhen.NOW, AdminGroupAction.PAY_NOW)):  # fmt: skip
        mark = "✓ " if when == pay_when else ""
        kb.row(
            InlineKeyboardButton(
                text=mark + _(PAY_WHEN_BUTTONS[when]),
                callback_data=AdminGroupCb(id=0, a=action).pack(),
            )
        )
    kb.row(
        InlineKeyboardButton(
            text=_("✅ Open the group"),
            callback_data=AdminGroupCb(id=0, a=AdminGroupAction.NEW_OK).pack(),
        ),
        InlineKeyboardButton(
            text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL).pack()
        ),
    )
    return kb.as_markup()


def confirm_prompt() -> str:
    """Below /gb_new's summary: the payment question, and what else the admin can do."""
    return _(
        "<b>When do buyers pay?</b> Choose below to set it and then the ways to pay, or open the "
        "group as shown. Send more product lines to add products."
    )


# ── how buyers pay (/gb_new) ──

PAY_WHEN_BUTTONS: dict[str, str] = {
    PayWhen.FORMED: N_("💰 When the group forms (final price)"),
    PayWhen.NOW: N_("⚡ Now, when they join (refund if the price drops)"),
}
PAY_METHOD_LABELS: dict[str, str] = {
    PayMethod.TELEGRAM: N_("💳 Telegram Payments"),
    PayMethod.CASH: N_("💵 Cash at the pickup point"),
    PayMethod.TRANSFER: N_("🏦 Bank transfer"),
}
METHODS_DONE = 0  # PAY_DONE's id on the ways-to-pay step
USE_LAST_ACCOUNT = 1  # PAY_DONE's id on the IBAN step: the account of the admin's last group


def pay_method_label(method: str) -> str:
    label = PAY_METHOD_LABELS.get(method)
    return _(label) if label else method


def offered_methods(invoices: bool) -> list[str]:
    """The ways to pay an admin may choose: Telegram Payments only with a provider token."""
    return [m for m in PAY_METHOD_ORDER if invoices or m != PayMethod.TELEGRAM]


def pay_methods_text(pay_when: str, invoices: bool) -> str:
    """/gb_new: how buyers may pay, each way explained, the moment chosen just before named."""
    lines = [
        _("💰 Buyers pay when the group forms, at the final price.")
        if pay_when == PayWhen.FORMED
        else _("⚡ Buyers pay when they join, at the current price; if it drops, they get the difference back."),
        "",
        _("<b>How can they pay?</b> Tap each way to offer (✓ marks the chosen ones), then Done."),
    ]  # fmt: skip
    if invoices:
        lines.append(
            _(
                "💳 Telegram Payments: each buyer gets an invoice in the chat and pays by card; "
                "the payment is recorded by itself."
            )
        )
    lines.append(
        _("💵 Cash at the pickup point: buyers pay the agent, who records it on the order.")
    )
    lines.append(
        _(
            "🏦 Bank transfer: buyers transfer to your IBAN with their order's reference; the "
            "agent records it when the money arrives. You give the IBAN next."
        )
    )
    if not invoices:
        lines.append(
            _(
                "(Telegram Payments are off: they need a payment provider token, "
                "PAYMENT_PROVIDER_TOKEN, in the bot's configuration.)"
            )
        )
    return "\n".join(lines)


def pay_methods_markup(chosen: list[str], invoices: bool) -> InlineKeyboardMarkup:
    """A toggle per way to pay (its id: the index in PAY_METHOD_ORDER), Done and Cancel."""
    kb = Keyboard()
    for method in offered_methods(invoices):
        mark = "✓ " if method in chosen else ""
        kb.row(
            InlineKeyboardButton(
                text=mark + pay_method_label(method),
                callback_data=AdminGroupCb(
                    id=PAY_METHOD_ORDER.index(method), a=AdminGroupAction.PAY_METHOD
                ).pack(),
            )
        )
    kb.row(
        InlineKeyboardButton(
            text=_("✅ Done"),
            callback_data=AdminGroupCb(id=METHODS_DONE, a=AdminGroupAction.PAY_DONE).pack(),
        ),
        InlineKeyboardButton(
            text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL).pack()
        ),
    )
    return kb.as_markup()


def no_method_text() -> str:
    return _("Choose at least one way to pay, then press Done.")


def iban_step_text(last: tuple[str, str] | None) -> str:
    """/gb_new: the account buyers transfer to; the admin's last one offered."""
    text = _(
        "🏦 Bank transfer: send the IBAN buyers transfer to, e.g. "
        "<code>DE89 3704 0044 0532 0130 00</code> (spaces are fine)."
    )
    if last:
        text += "\n" + _(
            "Or use the account of your last group: <code>{iban}</code> ({name})."
        ).format(iban=q(format_iban(last[0])), name=q(last[1]))
    return text


def iban_markup(last: tuple[str, str] | None) -> InlineKeyboardMarkup:
    kb = Keyboard()
    if last:
        name = last[1] if len(last[1]) <= 24 else last[1][:23] + "…"
        kb.row(
            InlineKeyboardButton(
                text=_("Use {iban} ({name})").format(iban=mask_iban(last[0]), name=name),
                callback_data=AdminGroupCb(id=USE_LAST_ACCOUNT, a=AdminGroupAction.PAY_DONE).pack(),
            )
        )
    kb.row(
        InlineKeyboardButton(
            text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL).pack()
        )
    )
    return kb.as_markup()


def beneficiary_step_text(iban: str) -> str:
    return ngettext(
        "IBAN <code>{iban}</code>. Whom is the transfer made out to? Send the beneficiary's "
        "name as the bank has it (buyers' banks check it against the IBAN), at most {count} "
        "character.",
        "IBAN <code>{iban}</code>. Whom is the transfer made out to? Send the beneficiary's "
        "name as the bank has it (buyers' banks check it against the IBAN), at most {count} "
        "characters.",
        MAX_BENEFICIARY,
    ).format(iban=q(format_iban(iban)), count=MAX_BENEFICIARY)


def payment_lines(
    pay_when: str, methods: list[str], iban: str | None, beneficiary: str | None
) -> list[str]:
    """When and how a group's buyers pay, as /gb_new's summary and its confirmation show it."""
    lines = [
        _("💰 Buyers pay when the group forms, at the final price.")
        if pay_when == PayWhen.FORMED
        else _("⚡ Buyers pay when they join, at the current price; if it drops, they get the difference back."),
        _("Ways to pay: {methods}").format(
            methods=q(" · ".join(pay_method_label(m) for m in methods))
        ),
    ]  # fmt: skip
    if PayMethod.TRANSFER in methods and iban:
        lines.append(
            _("🏦 IBAN: <code>{iban}</code> · Beneficiary: {name}").format(
                iban=q(format_iban(iban)), name=q(beneficiary or "")
            )
        )
    return lines


IBAN_TEXTS: dict[str, str] = {
    IbanProblem.CHARACTERS: N_(
        "“{value}” is not an IBAN: it holds only letters and digits (spaces are fine)."
    ),
    IbanProblem.SHAPE: N_(
        "“{value}” is not an IBAN: it starts with two letters (the country) and two digits, "
        "e.g. <code>IT60 X054 2811 1010 0000 0123 456</code>."
    ),
    IbanProblem.CHECKSUM: N_(
        "The check digits of “{value}” do not match: a character is mistyped or two are "
        "swapped. Check the IBAN and send it again."
    ),
}


def iban_problem_text(problem: str, value: str, *, length: int = 0, expected: int = 0) -> str:
    """What is wrong with a typed IBAN (domain.iban.IbanProblem), in the admin's language."""
    shown = q(value.strip()[:64])
    if problem == IbanProblem.COUNTRY_LENGTH:
        country = compact(value)[:2]
        return ngettext(
            "“{value}” has {count} character, but an IBAN from {country} has {expected}.",
            "“{value}” has {count} characters, but an IBAN from {country} has {expected}.",
            length,
        ).format(
            value=shown, count=length, expected=expected,
            country=q(geo.country_name(country, current().locale)),
        )  # fmt: skip
    if problem == IbanProblem.LENGTH:
        return ngettext(
            "“{value}” is not an IBAN: it has {count} character, and an IBAN has {low} to {high}.",
            "“{value}” is not an IBAN: it has {count} characters, and an IBAN has {low} to {high}.",
            length,
        ).format(value=shown, count=length, low=MIN_LENGTH, high=MAX_LENGTH)
    text = IBAN_TEXTS.get(IbanProblem(problem)) if problem in tuple(IbanProblem) else None
    return _(text or IBAN_TEXTS[IbanProblem.SHAPE]).format(value=shown)


def spec_error_text(error: SpecError) -> str:
    """A mistake in /gb_new's input: its payment terms worded here, the rest by ui.errors."""
    value = q(error.value[:64])
    if error.code.startswith("iban_"):
        raw = compact(error.value)
        return iban_problem_text(
            error.code.removeprefix("iban_"), error.value, length=len(raw),
            expected=COUNTRY_LENGTHS.get(raw[:2], 0),
        )  # fmt: skip
    texts = {
        "pay_when": _("“{value}” is not when buyers pay: use <code>pay=formed</code> (when the group forms) or <code>pay=now</code> (when they join)."),
        "pay_method": _("“{value}” is not a way to pay: use cash, transfer or telegram, e.g. <code>methods=cash,transfer</code>."),
        "no_pay_method": _("Give at least one way to pay, e.g. <code>methods=cash</code>."),
        "invoices_off": _("Telegram Payments are off: the bot has no payment provider token (PAYMENT_PROVIDER_TOKEN in its configuration). Offer cash or transfer instead."),
        "transfer_without_iban": _("A bank transfer needs the account: add <code>iban=…</code> and <code>beneficiary=\"…\"</code>."),
        "transfer_without_beneficiary": _("A bank transfer needs whom it is made out to: add <code>beneficiary=\"…\"</code>, the name as the bank has it."),
        "account_without_transfer": _("An IBAN and beneficiary are only for bank transfers: add transfer to <code>methods=</code>, or leave them out."),
        "beneficiary": _("Give the beneficiary's name as the bank has it: 1 to {max} characters on one line.").format(max=MAX_BENEFICIARY),
    }  # fmt: skip
    text = texts.get(error.code)
    if text is None:
        return error_text(error)
    return text.replace("{value}", value)


def group_error_text(error: GroupError) -> str:
    """A refused /gb_new as its admin reads it: payment terms worded here, the rest by
    ui.errors."""
    texts = {
        "bad_pay_when": _("Buyers pay either when the group forms or when they join."),
        "bad_pay_method": _("“{value}” is not a way to pay: cash, transfer or Telegram Payments."),
        "no_pay_method": _("Choose at least one way to pay."),
        "invoices_off": _("Telegram Payments are off: the bot has no payment provider token (PAYMENT_PROVIDER_TOKEN in its configuration). Offer cash or transfer instead."),
        "transfer_without_iban": _("A bank transfer needs the IBAN buyers transfer to."),
        "transfer_without_beneficiary": _("A bank transfer needs the beneficiary's name."),
        "bad_iban": _("“{value}” is not a valid IBAN."),
        "bad_beneficiary": _("Give the beneficiary's name as the bank has it: 1 to {max} characters on one line.").format(max=MAX_BENEFICIARY),
    }  # fmt: skip
    text = texts.get(error.code)
    if text is None:
        return error_text(error, admin=True)
    return text.replace("{value}", q(str(error.details.get("value", ""))[:64]))


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
    lines.append("")
    lines += payment_lines(draft.pay_when, draft.pay_methods, draft.iban, draft.beneficiary)
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
