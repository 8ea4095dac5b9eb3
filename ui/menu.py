"""The main menu and the help text."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from models import User
from ui.callbacks import (
    CategoryCb,
    GroupAction,
    GroupCb,
    MenuAction,
    MenuCb,
    SettingsAction,
    SettingsCb,
)
from ui.keyboard import Keyboard
from ui.render import q


def welcome_text(user: User) -> str:
    return _(
        "Hello, {name}! Browse specialities from Qingtian with /catalog, or just type what you "
        "are looking for (for example: 香菇, tea, riso)."
    ).format(name=q(user.first_name or "👋"))


def main_menu_markup() -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=_("🛒 Catalogue"), callback_data=CategoryCb(id=0))
    kb.button(text=_("👥 Group orders"), callback_data=GroupCb(id=0, a=GroupAction.LIST))
    kb.button(text=_("📦 My orders"), callback_data=MenuCb(action=MenuAction.ORDERS))
    kb.button(text=_("🔍 Search"), callback_data=MenuCb(action=MenuAction.SEARCH))
    kb.button(text=_("⚙️ Settings"), callback_data=SettingsCb(action=SettingsAction.SHOW))
    kb.button(text=_("❓ Help"), callback_data=MenuCb(action=MenuAction.HELP))
    kb.adjust(2)
    return kb.as_markup()


def help_markup() -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=_("🏠 Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return kb.as_markup()


def help_text(is_admin: bool, is_agent: bool = False) -> str:
    lines = [
        _("<b>Qingtian Bridge</b> brings specialities from Qingtian to your city."),
        "",
        _("/catalog — browse the catalogue by category"),
        _("/groups — open group orders for your city: join, change or leave until the deadline"),
        _("/orders — your orders, their status, what you paid and what is left to pay"),
        _("/track — where your shipments are, step by step, and when they arrive"),
        _("/search <i>words</i> — find a product (or just type the words)"),
        _("/settings — language, country, city, currency, and how you get your orders"),
        _("/digest — your morning digest (daily, weekly or off) and alerts about new groups"),
        _("/cancel — stop what you are typing"),
        _("/help — this help"),
        "",
        _(
            "Prices are shown in your currency at the exchange rate set by the export centre, "
            "beside the price in yuan. Each product says whether it may be shipped to your country."
        ),
        _(
            "A group order ships together to your city. It forms at its deadline if it reached "
            "its minimum, and everyone pays the price of the tier the whole group reached."
        ),
    ]
    if is_agent:
        lines += [
            "",
            _("<b>Agent</b>"),
            _("/region — the group orders of your regions and where each stands"),
            _("/picklist <i>ID</i> — per-buyer lines by pickup point, also as a CSV file"),
            _(
                "/collect <i>ID</i> — per buyer what is due, paid and how, and to refund; totals per way of paying, also as a CSV file"
            ),
            _(
                "/paid <i>ORDER</i> [<i>AMOUNT</i>] — record a payment, after you confirm it (undo within 10 minutes); the buyer is told"
            ),
            _("/refund <i>ORDER</i> — record the refund due; the buyer is told"),
            _(
                "/not_supplied <i>ORDER</i> <i>PRODUCT</i> — take a product that could not be supplied off the order"
            ),
            _("/handed <i>ORDER</i> — mark an order handed over; the buyer is told"),
        ]
    if is_admin:
        lines += ["", _("<b>Admin</b>"), _("/admin — every admin command, with help")]
    return "\n".join(lines)
