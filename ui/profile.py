"""The profile screens: the language, country, city and currency pickers, settings, pickup
points (the delivery screens are in ui.checkout)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.locales import LANGUAGE_FLAGS, LANGUAGE_NAMES, LOCALES
from domain import geo
from domain.checkout import Delivery
from domain.money import BASE_CURRENCY
from models import ExchangeRate, PickupPoint, User
from ui.callbacks import (
    SETTINGS,
    CheckoutAction,
    CheckoutCb,
    CityCb,
    CountryCb,
    CurrencyCb,
    LangCb,
    MenuAction,
    MenuCb,
    PickupCb,
    SettingsAction,
    SettingsCb,
)
from ui.checkout import delivery_summary
from ui.context import current
from ui.keyboard import Keyboard
from ui.money import currency_label, currency_name
from ui.render import button, q


def language_markup(current: str | None, ctx: str) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for code in LOCALES:
        mark = "✓ " if code == current else ""
        kb.button(
            text=f"{mark}{LANGUAGE_FLAGS[code]} {LANGUAGE_NAMES[code]}",
            callback_data=LangCb(code=code, ctx=ctx),
        )
    kb.adjust(2)
    if ctx == SETTINGS:
        kb.row(button(_("⬅ Back"), SettingsCb(action=SettingsAction.SHOW).pack()))
    return kb.as_markup()


def country_markup(locale: str, ctx: str) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for code in geo.COMMON_COUNTRIES:
        kb.button(text=geo.country_name(code, locale), callback_data=CountryCb(code=code, ctx=ctx))
    kb.button(text=_("🌍 Another country"), callback_data=CountryCb(code="_", ctx=ctx))
    kb.adjust(2)
    back = SettingsCb(action=SettingsAction.SHOW) if ctx == SETTINGS else None
    if back:
        kb.row(button(_("⬅ Back"), back.pack()))
    return kb.as_markup()


def city_markup(country: str, ctx: str) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for index, city in enumerate(geo.cities(country)):
        kb.button(text=_(city.name), callback_data=CityCb(country=country, index=index, ctx=ctx))
    kb.button(text=_("🏙 Another city"), callback_data=CityCb(country=country, index=-1, ctx=ctx))
    kb.adjust(2)
    kb.row(button(_("⬅ Back"), CountryCb(code="back", ctx=ctx).pack()))
    return kb.as_markup()


def city_label(city: str | None) -> str:
    """A known city in the user's language; a typed one as typed."""
    return _(city) if city else "—"


def setup_done_text(user: User) -> str:
    """The end of onboarding: where orders go and the currency of prices."""
    assert user.country and user.locale and user.currency
    return _("✅ All set! Delivery to <b>{city}, {country}</b>; prices in {currency}.").format(
        city=q(city_label(user.city)),
        country=q(geo.country_name(user.country, user.locale)),
        currency=q(currency_label(user.currency, current().locale)),
    )


def settings_text(user: User) -> str:
    locale = current().locale
    lines = [
        _("⚙️ <b>Settings</b>"),
        "",
        _("Language: {value}").format(value=LANGUAGE_NAMES.get(locale, locale)),
        _("Country: {value}").format(
            value=q(geo.country_name(user.country, locale)) if user.country else "—"
        ),
        _("City: {value}").format(value=q(city_label(user.city))),
        _("Currency: {value}").format(
            value=q(currency_label(user.currency, locale)) if user.currency else "—"
        ),
    ]
    return "\n".join(lines)


def settings_markup() -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=_("🌐 Language"), callback_data=SettingsCb(action=SettingsAction.LANG))
    kb.button(text=_("🌍 Country"), callback_data=SettingsCb(action=SettingsAction.COUNTRY))
    kb.button(text=_("🏙 City"), callback_data=SettingsCb(action=SettingsAction.CITY))
    kb.button(text=_("💱 Currency"), callback_data=SettingsCb(action=SettingsAction.CURRENCY))
    kb.button(text=_("🚚 Delivery"), callback_data=CheckoutCb(a=CheckoutAction.SHOW))
    kb.button(text=_("☀️ Digest and alerts"), callback_data=SettingsCb(action=SettingsAction.DIGEST))
    kb.button(text=_("🏠 Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    kb.adjust(2, 2, 1, 1, 1)
    return kb.as_markup()


def settings_screen(user: User, points: list[PickupPoint]) -> tuple[str, InlineKeyboardMarkup]:
    """The settings screen, with how the buyer collects their orders (`points`: their city's
    pickup points, to name the one they chose)."""
    return settings_text(user) + "\n" + delivery_summary(user, points), settings_markup()


def pickup_view(points: list[PickupPoint], user: User) -> tuple[str, InlineKeyboardMarkup]:
    """The buyer's choice of pickup point in their city (Settings → Delivery → Pickup point):
    one of the points, or whichever each group names."""
    kb = Keyboard()
    collects = user.delivery == Delivery.PICKUP
    for point in points:
        mark = "✓ " if collects and point.id == user.pickup_point_id else ""
        kb.row(button(f"{mark}📍 {point.name}", PickupCb(id=point.id or 0).pack()))
    kb.row(
        button(
            ("✓ " if collects and not user.pickup_point_id else "")
            + _("📍 The pickup point each group names"),
            PickupCb(id=0).pack(),
        )
    )
    kb.row(button(_("⬅ Back"), CheckoutCb(a=CheckoutAction.SHOW).pack()))
    lines = [_("Where do you want to collect your orders?")]
    lines += [
        f"📍 <b>{q(p.name)}</b>: {q(p.address)}" + (f" · {q(p.hours)}" if p.hours else "")
        for p in points
    ]
    return "\n".join(lines), kb.as_markup()


def currency_markup(rates: list[ExchangeRate], user: User) -> InlineKeyboardMarkup:
    """The yuan and every currency with a rate, named in the buyer's language; theirs ticked."""
    locale = current().locale
    kb = Keyboard()
    codes = [rate.currency for rate in rates]
    for code in [BASE_CURRENCY, *codes]:
        mark = "✓ " if code == user.currency else ""
        label = f"{code} · {currency_name(code, locale)}"
        kb.button(text=f"{mark}{label}", callback_data=CurrencyCb(code=code))
    kb.adjust(2)
    kb.row(button(_("⬅ Back"), SettingsCb(action=SettingsAction.SHOW).pack()))
    return kb.as_markup()
