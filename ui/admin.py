"""What admins see: the /gb_new dialog's steps and summary."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.group_spec import Draft
from models import Measure, Product, User
from services.catalog import localized
from ui.callbacks import AdminGroupAction, AdminGroupCb, MenuAction, MenuCb
from ui.context import current
from ui.groups import METHOD_ICONS, METHOD_NAMES, deadline_text, measure_text, yuan
from ui.render import q, tr


def step_markup(skip: bool = False) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if skip:
        kb.button(text=_("⏭ Skip"), callback_data=AdminGroupCb(id=0, a=AdminGroupAction.SKIP))
    kb.button(text=_("✖ Cancel"), callback_data=MenuCb(action=MenuAction.CANCEL))
    return kb.as_markup()


def draft_summary(draft: Draft, products: dict[str, Product], user: User) -> str:
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
        lines.append(
            _("Deadline: {when}").format(when=q(deadline_text(draft.deadline, user, locale)))
        )
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
    return "\n".join(lines)
