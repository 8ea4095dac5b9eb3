"""/start, onboarding (language → country → city) and /settings, which reuse the same pickers."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.locales import LANGUAGE_NAMES, LOCALES
from domain import geo
from domain.checkout import CheckoutError
from domain.money import BASE_CURRENCY
from domain.text import clean_line
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import agents, catalog, checkout, digests, groups, users
from services.groups import GroupError
from ui.agents import region_label
from ui.callbacks import (
    ONBOARDING,
    SETTINGS,
    CityCb,
    CountryCb,
    CurrencyCb,
    LangCb,
    MenuCb,
    PickupCb,
    SettingsCb,
)
from ui.checkout import (
    CHECKOUT_STATES,
    CheckoutState,
    NoteState,
    cancelled_text,
    delivery_screen,
    note_cancelled_view,
    saved_view,
    send_new,
)
from ui.commands import set_chat_commands
from ui.context import current, switch_locale
from ui.digests import digest_screen, zone_text
from ui.errors import error_text
from ui.groups import card_view
from ui.links import parse_group_link, share_url
from ui.menu import main_menu_markup, welcome_text
from ui.money import currency_label
from ui.profile import (
    city_markup,
    country_markup,
    currency_markup,
    language_markup,
    pickup_view,
    settings_screen,
    setup_done_text,
)
from ui.render import cancel_markup, q, show, stale
from ui.states import DigestState, JoinState, Search

router = RouterSpec(__name__)

MAX_PAYLOAD = 64
DEEP_LINK = "deep_link"


class Profile(StatesGroup):
    country = State()  # typing a country not offered as a button
    city = State()  # typing a city not offered as a button


def _ctx_ok(ctx: str) -> bool:
    return ctx in (ONBOARDING, SETTINGS)


# ── pickers ──────────────────────────────────────────────────────────────────────────────


# ── /start and onboarding ───────────────────────────────────────────────────────────────


async def open_deep_link(
    target: Message | CallbackQuery, session: AsyncSession, bot: Bot, user: User, payload: str, now
) -> bool:  # noqa: ANN001
    """Open what a deep link points at; False if it points at nothing (any more)."""
    link = parse_group_link(payload)
    if link is None:
        return False
    group_id, referrer = link
    try:
        await groups.get_group(session, group_id)
    except GroupError:
        return False
    await groups.record_visit(session, group_id=group_id, user_id=user.id, referrer_id=referrer)
    screen = await groups.group_screen(session, group_id=group_id, user=user)
    await show(target, *card_view(screen, user, now, await share_url(bot, group_id, user.id)))
    return True


async def redeem_agent_link(
    message: Message, session: AsyncSession, user: User, token: str, now,  # noqa: ANN001
    bot: Bot, is_admin: bool,
) -> None:  # fmt: skip
    try:
        agent = await agents.redeem_invite(session, token=token, user_id=user.id, now=now)
    except agents.AgentError as error:
        await message.answer(error_text(error))
        return
    await set_chat_commands(bot, user.id, current().locale, is_admin=is_admin, is_agent=True)
    await message.answer(
        _(
            "🤝 You are now the agent for {region}. You will get an alert for every order there; "
            "see /region, /picklist, /paid and /handed."
        ).format(region=q(region_label(agent.country, agent.city, current().locale)))
    )


@router.message(CommandStart())
async def cmd_start(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    i18n: I18n,
    bot: Bot,
    clock: Clock,
    is_admin: bool = False,
) -> None:
    await confirm.clear_dialog(state)
    payload = (command.args or "").strip()
    if payload.startswith("agent_") and len(payload) <= MAX_PAYLOAD:
        await redeem_agent_link(
            message, session, user, payload.removeprefix("agent_"), clock.now(), bot, is_admin
        )
        if user.onboarded:
            return
        payload = ""
    if payload and len(payload) <= MAX_PAYLOAD:
        if user.start_payload is None:
            user.start_payload = payload  # the first deep link is kept (where users come from)
            await users.save(session, user)
        if user.onboarded:
            if await open_deep_link(message, session, bot, user, payload, clock.now()):
                return
        else:
            await state.update_data({DEEP_LINK: payload})  # opened once set-up is finished
    if not user.onboarded:
        await message.answer(
            _(
                "👋 Welcome to <b>Qingtian Bridge</b>: specialities from Qingtian, "
                "shipped together to your city.\n\nFirst, choose your language:"
            ),
            reply_markup=language_markup(i18n.current_locale, ONBOARDING),
        )
        return
    await message.answer(welcome_text(user), reply_markup=main_menu_markup())


@router.callback_query(LangCb.filter())
async def on_language(
    callback: CallbackQuery,
    callback_data: LangCb,
    session: AsyncSession,
    user: User,
    i18n: I18n,
    bot: Bot,
    is_admin: bool = False,
) -> None:
    if callback_data.code not in LOCALES or not _ctx_ok(callback_data.ctx):
        await stale(callback)
        return
    users.set_locale(user, callback_data.code)
    await users.save(session, user)
    switch_locale(i18n, callback_data.code)
    is_agent = bool(await agents.agents_of_user(session, user.id))
    await set_chat_commands(bot, user.id, callback_data.code, is_admin=is_admin, is_agent=is_agent)
    await callback.answer(
        _("Language: {language}").format(language=LANGUAGE_NAMES[callback_data.code])
    )
    if callback_data.ctx == SETTINGS and user.onboarded:
        await show(callback, *await settings_view(session, user))
        return
    await show(
        callback, _("Which country do you live in?"), country_markup(callback_data.code, ONBOARDING)
    )


@router.callback_query(CountryCb.filter())
async def on_country(
    callback: CallbackQuery,
    callback_data: CountryCb,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    i18n: I18n,
) -> None:
    ctx, code = callback_data.ctx, callback_data.code
    if not _ctx_ok(ctx) or not user.locale:
        await stale(callback)
        return
    if code == "back":
        await state.set_state(None)
        await show(callback, _("Which country do you live in?"), country_markup(user.locale, ctx))
        await callback.answer()
        return
    if code == "_":
        await state.set_state(Profile.country)
        await state.update_data(ctx=ctx)
        await show(
            callback,
            _(
                "Type the name of your country (for example: Italia, España, 荷兰) or its two-letter code."
            ),
            cancel_markup(),
        )
        await callback.answer()
        return
    if not geo.is_country(code):
        await stale(callback)
        return
    users.set_country(user, code)
    await users.save(session, user)
    await callback.answer()
    await _ask_city(callback, state, user, ctx)


async def _ask_city(
    target: Message | CallbackQuery, state: FSMContext, user: User, ctx: str
) -> None:
    assert user.country and user.locale
    country = q(geo.country_name(user.country, user.locale))
    if geo.cities(user.country):
        await state.set_state(None)
        await show(
            target,
            _("Which city in {country}? Pick one, or choose “Another city” to type it.").format(
                country=country
            ),
            city_markup(user.country, ctx),
        )
        return
    await state.set_state(Profile.city)
    await state.update_data(ctx=ctx)
    await show(
        target,
        _("Type the name of your city in {country}:").format(country=country),
        cancel_markup(),
    )


@router.message(StateFilter(Profile.country), F.text, ~F.text.startswith("/"))
async def on_country_typed(
    message: Message, session: AsyncSession, user: User, state: FSMContext
) -> None:
    assert message.text is not None and user.locale
    text = clean_line(message.text, 64)
    code = geo.find_country(text, user.locale) if text else None
    if code is None:
        await message.answer(
            _(
                "I don't know a country called “{text}”. Type its name (for example: Italia) "
                "or its two-letter code (IT), or press Cancel."
            ).format(text=q((text or message.text)[:64])),
            reply_markup=cancel_markup(),
        )
        return
    ctx = (await state.get_data()).get("ctx", ONBOARDING)
    users.set_country(user, code)
    await users.save(session, user)
    await _ask_city(message, state, user, ctx)


@router.callback_query(CityCb.filter())
async def on_city(
    callback: CallbackQuery,
    callback_data: CityCb,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    bot: Bot,
    clock: Clock,
) -> None:
    ctx = callback_data.ctx
    cities = geo.cities(callback_data.country)
    if (
        not _ctx_ok(ctx)
        or callback_data.country != user.country
        or not (-1 <= callback_data.index < len(cities))
    ):
        await stale(callback)
        return
    if callback_data.index == -1:
        await state.set_state(Profile.city)
        await state.update_data(ctx=ctx)
        await show(callback, _("Type the name of your city:"), cancel_markup())
        await callback.answer()
        return
    users.set_city(user, cities[callback_data.index].name)
    await users.save(session, user)
    await callback.answer()
    await _finish(callback, user, ctx, state=state, session=session, bot=bot, clock=clock)


@router.message(StateFilter(Profile.city), F.text, ~F.text.startswith("/"))
async def on_city_typed(
    message: Message,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    bot: Bot,
    clock: Clock,
) -> None:
    assert message.text is not None
    text = clean_line(message.text, users.MAX_CITY_LENGTH)
    if text is None or not user.country:
        await message.answer(
            _("Please type a city name of at most {limit} characters, or press Cancel.").format(
                limit=users.MAX_CITY_LENGTH
            ),
            reply_markup=cancel_markup(),
        )
        return
    ctx = (await state.get_data()).get("ctx", ONBOARDING)
    await state.set_state(None)
    users.set_city(user, text)
    await users.save(session, user)
    await _finish(message, user, ctx, state=state, session=session, bot=bot, clock=clock)


@router.message(StateFilter(Profile.country, Profile.city), ~F.text)
async def on_not_text(message: Message) -> None:
    await message.answer(
        _("Please type it as text, or press Cancel."), reply_markup=cancel_markup()
    )


async def _finish(
    target: Message | CallbackQuery,
    user: User,
    ctx: str,
    *,
    state: FSMContext,
    session: AsyncSession,
    bot: Bot,
    clock: Clock,
) -> None:
    if ctx == SETTINGS:
        await show(target, *await settings_view(session, user))
        return
    payload = (await state.get_data()).get(DEEP_LINK)
    if payload:
        await state.update_data({DEEP_LINK: None})
        if await open_deep_link(target, session, bot, user, payload, clock.now()):
            return
    await show(target, setup_done_text(user) + "\n\n" + welcome_text(user), main_menu_markup())


# ── /settings ───────────────────────────────────────────────────────────────────────────


async def settings_view(session: AsyncSession, user: User) -> tuple[str, InlineKeyboardMarkup]:
    """The settings screen; the pickup point appears where the city has pickup points."""
    points = await agents.pickup_points(session, country=user.country, city=user.city)
    return settings_screen(user, points)


@router.message(Command("settings"))
async def cmd_settings(
    message: Message, user: User, state: FSMContext, session: AsyncSession
) -> None:
    await state.set_state(None)
    text, markup = await settings_view(session, user)
    await message.answer(text, reply_markup=markup)


@router.callback_query(SettingsCb.filter())
async def on_settings(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    user: User,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    action = callback_data.action
    locale = current().locale
    if action == "show":
        await state.set_state(None)
        await show(callback, *await settings_view(session, user))
    elif action == "lang":
        await show(callback, _("Choose your language:"), language_markup(user.locale, SETTINGS))
    elif action == "country":
        await show(callback, _("Which country do you live in?"), country_markup(locale, SETTINGS))
    elif action == "city" and user.country:
        await _ask_city(callback, state, user, SETTINGS)
    elif action == "pickup" and user.onboarded:
        points = await agents.pickup_points(session, country=user.country, city=user.city)
        await show(callback, *pickup_view(points, user))
    elif action == "digest" and user.onboarded:
        await show(callback, *digest_screen(user, current()))
    elif action == "currency":
        rates = await catalog.list_rates(session)
        await show(callback, _("Show prices in which currency?"), currency_markup(rates, user))
    else:
        await stale(callback)
        return
    await callback.answer()


@router.callback_query(CurrencyCb.filter())
async def on_currency(
    callback: CallbackQuery, callback_data: CurrencyCb, user: User, session: AsyncSession
) -> None:
    code = callback_data.code
    if code != BASE_CURRENCY and await catalog.get_rate(session, code) is None:
        await stale(callback)
        return
    users.set_currency(user, code)
    await users.save(session, user)
    await callback.answer(
        _("Currency: {value}").format(value=currency_label(code, current().locale))
    )
    await show(callback, *await settings_view(session, user))


@router.message(Command("timezone"))
async def cmd_timezone(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    """See or set your time zone: dates and times you read and type are in it (digests come at
    your local hour; an admin's deadlines are read in it). Before set-up too: an admin may
    never set up a buyer's profile."""
    if not command.args:
        await message.answer(zone_text(user))
        return
    match = geo.find_zone(command.args)
    if match is None:
        await message.answer(
            _("“{value}” is not a time zone I know. Try e.g. <code>Europe/Rome</code>.").format(
                value=q(command.args[:64])
            )
        )
        return
    await digests.set_preferences(session, user=user, now=clock.now(), timezone=match)
    await message.answer(_("🕒 Time zone: {zone}").format(zone=q(match)))


BUYER_DIALOGS = frozenset(
    group.__full_group_name__
    for group in (Profile, Search, JoinState, DigestState, CheckoutState, NoteState)
)


@router.callback_query(MenuCb.filter(F.action == "cancel"))
async def on_cancel(
    callback: CallbackQuery, user: User, state: FSMContext, session: AsyncSession,
    is_admin: bool = False,
) -> None:  # fmt: skip
    data = await state.get_data()
    dialog = await state.get_state()
    await confirm.clear_dialog(state)
    await callback.answer(_("Cancelled."))
    if dialog == NoteState.text.state:  # handlers.checkout: back to the group
        await show(callback, *note_cancelled_view(int(data.get("note_group", 0))))
        return
    if dialog in CHECKOUT_STATES:  # handlers.checkout: back to Settings → Delivery
        points = await checkout.pickup_points_of(session, user)
        if dialog == CheckoutState.phone.state:
            await show(callback, *delivery_screen(user, points))
            # the share-my-number button goes with a message of its own (no inline buttons)
            await send_new(callback, cancelled_text(), ReplyKeyboardRemove())
        else:
            await show(callback, *delivery_screen(user, points, note=cancelled_text()))
        return
    if is_admin and dialog is not None and dialog.split(":")[0] not in BUYER_DIALOGS:
        # an admin's dialog (/gb_new, /ship, …): it ends where it was, nothing is created, and
        # an admin who never set up a profile is not taken into the buyers' set-up
        await show(callback, _("Cancelled. Nothing was changed."))
        return
    if data.get("ctx") == SETTINGS:
        await show(callback, *await settings_view(session, user))
        return
    if user.onboarded:
        await show(callback, welcome_text(user), main_menu_markup())
        return
    await show(
        callback,
        _("Which country do you live in?"),
        country_markup(current().locale, ONBOARDING),
    )


@router.message(Command("cancel"))
async def cmd_cancel(
    message: Message, user: User, state: FSMContext, is_admin: bool = False
) -> None:
    dialog = await state.get_state()
    await confirm.clear_dialog(state)
    if is_admin and dialog is not None and dialog.split(":")[0] not in BUYER_DIALOGS:
        await message.answer(_("Cancelled. Nothing was changed."))  # as the dialog's ✖ button
        return
    if dialog == CheckoutState.phone.state:  # the share-my-number button goes too
        await message.answer(cancelled_text(), reply_markup=ReplyKeyboardRemove())
        return
    if user.onboarded:
        await message.answer(_("Cancelled."), reply_markup=main_menu_markup())
    else:
        await message.answer(_("Cancelled."), reply_markup=language_markup(user.locale, ONBOARDING))


# ── buyers choose a pickup point ─────────────────────────────────────────────────────────


@router.callback_query(PickupCb.filter())
async def on_pickup(
    callback: CallbackQuery, callback_data: PickupCb, session: AsyncSession, user: User
) -> None:
    """A pickup point of the buyer's city (0: whichever each group names): they collect there."""
    try:
        await checkout.choose_pickup(session, user=user, point_id=callback_data.id or None)
    except CheckoutError:  # not a point of their city (any more)
        await stale(callback)
        return
    await callback.answer(_("Saved."))
    await show(callback, *saved_view(user, await checkout.pickup_points_of(session, user)))
