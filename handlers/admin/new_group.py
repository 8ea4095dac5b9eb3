"""Admins open group orders: /gb_new, as a guided dialog (destination, pickup point, method,
deadline, minimum, capacity, tiers, products, then at the confirmation when and how buyers pay:
the moment, the ways to pay, and for a bank transfer the IBAN and beneficiary) or in one line;
/gb_products lists the codes."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from domain.group_spec import (
    PAY_METHOD_ORDER,
    Draft,
    SpecError,
    ordered_methods,
    parse_account_iban,
    parse_amount,
    parse_beneficiary,
    parse_deadline,
    parse_destination,
    parse_offer,
    parse_one_line,
    parse_tiers,
)
from handlers import confirm
from handlers.routing import RouterSpec
from models import Measure, PayMethod, PayWhen, User
from services import agents, catalog, groups
from services.groups import GroupError, GroupSpec, OfferSpec
from services.groups.creating import last_payment_account
from ui.admin import (
    METHODS_DONE,
    USE_LAST_ACCOUNT,
    beneficiary_step_text,
    confirm_prompt,
    draft_summary,
    group_error_text,
    iban_markup,
    iban_step_text,
    method_markup,
    no_agent_warning,
    no_method_text,
    offered_methods,
    open_markup,
    pay_methods_markup,
    pay_methods_text,
    payment_lines,
    pickup_markup,
    product_codes_text,
    spec_error_text,
    step_markup,
    times_in,
    zone_hint,
)
from ui.callbacks import AdminGroupAction, AdminGroupCb
from ui.context import current
from ui.errors import error_text
from ui.groups import METHOD_ICONS, group_title
from ui.links import group_link
from ui.render import q, show, stale

router = RouterSpec(__name__, admin_only=True)
DRAFT = "gb_draft"


class NewGroup(StatesGroup):
    destination = State()
    pickup = State()
    method = State()
    deadline = State()
    minimum = State()
    capacity = State()
    tiers = State()
    offers = State()
    confirm = State()  # the summary: when buyers pay (buttons), more products, or open it
    pay_methods = State()  # the ways to pay, toggled
    iban = State()  # a bank transfer's IBAN
    beneficiary = State()  # and whom it is made out to


async def load_draft(state: FSMContext) -> Draft:
    return Draft.from_dict((await state.get_data()).get(DRAFT) or {})


async def save_draft(state: FSMContext, draft: Draft) -> None:
    await state.update_data({DRAFT: draft.to_dict()})


async def resolve_offers(session: AsyncSession, draft: Draft) -> list[OfferSpec]:
    specs = []
    products = await catalog.products_by_slug(session, [slug for slug, _prices in draft.offers])
    for slug, prices in draft.offers:
        product = products.get(slug)
        if product is None or not product.is_active:
            raise SpecError("unknown_product", slug)
        specs.append(OfferSpec(product_id=product.id or 0, prices=prices))
    return specs


def invoices_on(settings: Settings) -> bool:
    """Telegram Payments can be offered: a payment provider token is configured."""
    return bool(settings.provider_token)


async def create_from_draft(
    message: Message,
    session: AsyncSession,
    bot: Bot,
    user: User,
    draft: Draft,
    now: datetime,
    settings: Settings,
) -> None:
    try:
        offers = await resolve_offers(session, draft)
        assert (
            draft.country
            and draft.city
            and draft.method
            and draft.deadline
            and draft.measure
            and draft.min_total
        )
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country=draft.country, city=draft.city, method=draft.method, deadline=draft.deadline,
                measure=draft.measure, min_total=draft.min_total, tiers=draft.tiers,
                capacity=draft.capacity, pickup_point=draft.pickup_point, offers=offers,
                pay_when=draft.pay_when, pay_methods=list(draft.pay_methods), iban=draft.iban,
                beneficiary=draft.beneficiary,
            ),
            created_by=user.id,
            now=now,
            invoices=invoices_on(settings),
        )  # fmt: skip
    except SpecError as error:
        await message.answer(spec_error_text(error))
        return
    except GroupError as error:
        await message.answer(group_error_text(error))
        return
    me = await bot.me()
    text = _("✅ Group order {id} is open: {title}\nShare it: {link}").format(
        id=group.id,
        title=q(group_title(group, user, current().locale)),
        link=q(group_link(me.username, group.id or 0)),
    )
    text += "\n" + "\n".join(
        payment_lines(group.pay_when, group.pay_methods, group.iban, group.beneficiary)
    )
    text += "\n" + times_in(user)
    if not await agents.city_has_agent(session, country=group.country, city=group.city):
        text += "\n\n" + no_agent_warning(group.city, group.country)
    await message.answer(text)


@router.message(Command("gb_new"))
async def cmd_gb_new(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
    settings: Settings,
) -> None:
    now = clock.now()
    if command.args:
        try:
            draft = parse_one_line(
                command.args, locale=current().locale, timezone=user.timezone, now=now,
                invoices=invoices_on(settings),
            )  # fmt: skip
        except SpecError as error:
            await message.answer(
                spec_error_text(error) + "\n\n" + _("Send /gb_new alone for the guided dialog.")
            )
            return
        await create_from_draft(message, session, bot, user, draft, now, settings)
        return
    await state.set_state(NewGroup.destination)
    await save_draft(state, Draft())
    await message.answer(
        _(
            "New group order, step 1 of 8.\nWhere does it ship to? Send the country and the city, e.g. <code>IT Milan</code> or <code>ES Madrid</code>."
        ),
        reply_markup=step_markup(),
    )


async def ask_pickup(
    message: Message, state: FSMContext, session: AsyncSession, draft: Draft
) -> None:
    """Step 2: one of the city's pickup points (its agents run them), or none."""
    await state.set_state(NewGroup.pickup)
    points = await agents.pickup_points(session, country=draft.country, city=draft.city)
    if points:
        text = _(
            "Step 2 of 8. Where do buyers collect? Pick a pickup point of the city, or Skip (buyers choose theirs in /settings)."
        )
    else:
        text = _(
            "Step 2 of 8. This city has no pickup point yet, so buyers will hear from their agent where to collect. (An admin adds one with /agent_add … | name | address | hours.) Skip to go on."
        )
    await message.answer(text, reply_markup=pickup_markup(points))


async def ask_method(target: Message, state: FSMContext) -> None:
    await state.set_state(NewGroup.method)
    await target.answer(_("Step 3 of 8. How does it ship?"), reply_markup=method_markup())


@router.message(StateFilter(NewGroup.destination), F.text, ~F.text.startswith("/"))
async def on_destination(
    message: Message, state: FSMContext, user: User, session: AsyncSession
) -> None:
    try:
        country, city = parse_destination(message.text or "", current().locale)
    except SpecError as error:
        await message.answer(error_text(error), reply_markup=step_markup())
        return
    draft = await load_draft(state)
    draft.country, draft.city = country, city
    await save_draft(state, draft)
    await ask_pickup(message, state, session, draft)


@router.message(StateFilter(NewGroup.pickup), F.text, ~F.text.startswith("/"))
async def on_pickup(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """A pickup point typed by name (the buttons are easier)."""
    draft = await load_draft(state)
    text = " ".join((message.text or "").split())
    try:
        point = await groups.find_pickup_point(
            session, country=draft.country or "", city=draft.city or "", text=text[:256]
        )
    except GroupError as error:
        points = await agents.pickup_points(session, country=draft.country, city=draft.city)
        await message.answer(error_text(error, admin=True), reply_markup=pickup_markup(points))
        return
    draft.pickup_point = point.name
    await save_draft(state, draft)
    await ask_method(message, state)


@router.callback_query(StateFilter(NewGroup.pickup), AdminGroupCb.filter(F.a == "pickup"))
async def on_pickup_button(
    callback: CallbackQuery, callback_data: AdminGroupCb, state: FSMContext,
    session: AsyncSession,
) -> None:  # fmt: skip
    draft = await load_draft(state)
    points = await agents.pickup_points(session, country=draft.country, city=draft.city)
    point = next((p for p in points if p.id == callback_data.id), None)
    if point is None:
        await stale(callback)
        return
    draft.pickup_point = point.name
    await save_draft(state, draft)
    await callback.answer(point.name)
    assert callback.message is not None
    await ask_method(callback.message, state)  # type: ignore[arg-type]


SKIPPABLE = {NewGroup.pickup.state: 2, NewGroup.capacity.state: 6, NewGroup.tiers.state: 7}


@router.callback_query(AdminGroupCb.filter(F.a == "skip"))
async def on_skip(callback: CallbackQuery, callback_data: AdminGroupCb, state: FSMContext) -> None:
    current = await state.get_state()
    if SKIPPABLE.get(current or "") != callback_data.id:
        # a Skip of another step (pressed twice, or on an older message): nothing is skipped
        await stale(callback)
        return
    await callback.answer()
    assert callback.message is not None
    if current == NewGroup.pickup.state:
        await ask_method(callback.message, state)  # type: ignore[arg-type]
    elif current == NewGroup.capacity.state:
        await ask_tiers(callback.message, state)  # type: ignore[arg-type]
    else:
        await ask_offers(callback.message, state)  # type: ignore[arg-type]


@router.callback_query(AdminGroupCb.filter(F.a.startswith("method_")))
async def on_method(
    callback: CallbackQuery,
    callback_data: AdminGroupCb,
    state: FSMContext,
    user: User,
) -> None:
    method = callback_data.a.split("_", 1)[1]
    if await state.get_state() != NewGroup.method.state or method not in METHOD_ICONS:
        await stale(callback)
        return
    draft = await load_draft(state)
    draft.method = method
    await save_draft(state, draft)
    await state.set_state(NewGroup.deadline)
    await callback.answer()
    assert callback.message is not None
    await callback.message.answer(
        _(
            "Step 4 of 8. When does it close? A date and time like <code>2026-12-20 12:00</code>, or <code>+7d</code>."
        )
        + "\n"
        + zone_hint(user),
        reply_markup=step_markup(),
    )


@router.message(StateFilter(NewGroup.deadline), F.text, ~F.text.startswith("/"))
async def on_deadline(message: Message, state: FSMContext, user: User, clock: Clock) -> None:
    try:
        deadline = parse_deadline(message.text or "", timezone=user.timezone, now=clock.now())
    except SpecError as error:
        await message.answer(error_text(error), reply_markup=step_markup())
        return
    draft = await load_draft(state)
    draft.deadline = deadline
    await save_draft(state, draft)
    await state.set_state(NewGroup.minimum)
    await message.answer(
        _(
            "Step 5 of 8. The minimum for the group to form: a total weight like <code>200kg</code>, or a number of units like <code>50</code>."
        ),
        reply_markup=step_markup(),
    )


@router.message(StateFilter(NewGroup.minimum), F.text, ~F.text.startswith("/"))
async def on_minimum(message: Message, state: FSMContext) -> None:
    try:
        measure, amount = parse_amount(message.text or "")
    except SpecError as error:
        await message.answer(error_text(error), reply_markup=step_markup())
        return
    draft = await load_draft(state)
    draft.measure, draft.min_total = measure, amount
    await save_draft(state, draft)
    await state.set_state(NewGroup.capacity)
    await message.answer(
        _("Step 6 of 8. A capacity cap (the most the shipment can take), or Skip."),
        reply_markup=step_markup(skip=True, step=6),
    )


@router.message(StateFilter(NewGroup.capacity), F.text, ~F.text.startswith("/"))
async def on_capacity(message: Message, state: FSMContext) -> None:
    draft = await load_draft(state)
    try:
        _measure, amount = parse_amount(message.text or "", draft.measure)
    except SpecError as error:
        await message.answer(error_text(error), reply_markup=step_markup(skip=True, step=6))
        return
    if draft.min_total and amount < draft.min_total:
        await message.answer(
            error_text(GroupError("capacity_below_minimum"), admin=True),
            reply_markup=step_markup(skip=True, step=6),
        )
        return
    draft.capacity = amount
    await save_draft(state, draft)
    await ask_tiers(message, state)


async def ask_tiers(message: Message, state: FSMContext) -> None:
    await state.set_state(NewGroup.tiers)
    await message.answer(
        _(
            "Step 7 of 8. Price tiers: where each tier starts, in the same measure, e.g. <code>0,100,300</code>. Skip for a single price."
        ),
        reply_markup=step_markup(skip=True, step=7),
    )


@router.message(StateFilter(NewGroup.tiers), F.text, ~F.text.startswith("/"))
async def on_tiers(message: Message, state: FSMContext) -> None:
    draft = await load_draft(state)
    try:
        draft.tiers = parse_tiers(message.text or "", draft.measure or Measure.WEIGHT)
    except SpecError as error:
        await message.answer(error_text(error), reply_markup=step_markup(skip=True, step=7))
        return
    await save_draft(state, draft)
    await ask_offers(message, state)


async def ask_offers(message: Message, state: FSMContext) -> None:
    draft = await load_draft(state)
    await state.set_state(NewGroup.offers)
    await message.answer(
        ngettext(
            "Step 8 of 8. Products, one per line: the product code and {count} price in yuan per unit, e.g. <code>rice-fish-rice-5kg 98</code>. Codes are listed by /gb_products.",
            "Step 8 of 8. Products, one per line: the product code and {count} prices in yuan per unit, one per tier, e.g. <code>rice-fish-rice-5kg 98,90,85</code>. Codes are listed by /gb_products.",
            len(draft.tiers),
        ).format(count=len(draft.tiers)),
        reply_markup=step_markup(),
    )


@router.message(StateFilter(NewGroup.offers), F.text, ~F.text.startswith("/"))
async def on_offers(message: Message, state: FSMContext, session: AsyncSession, user: User) -> None:
    draft = await load_draft(state)
    for raw in (message.text or "").splitlines():
        if not raw.strip():
            continue
        try:
            slug, prices = parse_offer(raw, len(draft.tiers))
            product = await catalog.product_by_slug(session, slug)
            if product is None or not product.is_active:
                raise SpecError("unknown_product", slug)
            if not catalog.can_ship(product, draft.country):
                raise GroupError("not_shippable", product=slug, country=draft.country or "")
        except SpecError as error:
            await message.answer(error_text(error), reply_markup=step_markup())
            return
        except GroupError as error:
            await message.answer(error_text(error, admin=True), reply_markup=step_markup())
            return
        draft.offers = [o for o in draft.offers if o[0] != slug] + [(slug, prices)]
    await save_draft(state, draft)
    await ask_confirm(message, state, session, user, draft)


async def ask_confirm(
    message: Message, state: FSMContext, session: AsyncSession, user: User, draft: Draft
) -> None:
    """The summary, with when and how buyers pay: the two moments lead on to the ways to pay;
    more product lines add products; or open the group as shown."""
    await state.set_state(NewGroup.confirm)
    await message.answer(
        draft_summary(
            draft,
            await catalog.products_by_slug(session, [s for s, _p in draft.offers]),
            user,
            has_agent=await agents.city_has_agent(
                session, country=draft.country or "", city=draft.city or ""
            ),
        )  # fmt: skip
        + "\n\n"
        + confirm_prompt(),
        reply_markup=open_markup(draft.pay_when),
    )


@router.message(StateFilter(NewGroup.confirm), F.text, ~F.text.startswith("/"))
async def on_more_offers(
    message: Message, state: FSMContext, session: AsyncSession, user: User
) -> None:
    await on_offers(message, state, session, user)


@router.callback_query(AdminGroupCb.filter(F.a == "new_ok"))
async def on_new_ok(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    bot: Bot,
    user: User,
    clock: Clock,
    settings: Settings,
) -> None:
    if await state.get_state() != NewGroup.confirm.state:
        await stale(callback)
        return
    draft = await load_draft(state)
    await confirm.clear_dialog(state)
    await callback.answer()
    assert callback.message is not None
    await create_from_draft(
        callback.message, session, bot, user, draft, clock.now(), settings,  # type: ignore[arg-type]
    )  # fmt: skip


# ── when and how buyers pay ──

PAY_WHEN_ACTIONS = {
    AdminGroupAction.PAY_FORMED: PayWhen.FORMED,
    AdminGroupAction.PAY_NOW: PayWhen.NOW,
}


def _offered(draft: Draft, settings: Settings) -> list[str]:
    """The draft's ways to pay that can still be offered (Telegram Payments need the token)."""
    allowed = offered_methods(invoices_on(settings))
    return [m for m in ordered_methods(draft.pay_methods) if m in allowed]


@router.callback_query(
    AdminGroupCb.filter(F.a.in_({AdminGroupAction.PAY_FORMED, AdminGroupAction.PAY_NOW}))
)
async def on_pay_when(
    callback: CallbackQuery, callback_data: AdminGroupCb, state: FSMContext, settings: Settings
) -> None:
    """When do buyers pay: chosen on the summary (or again on the ways-to-pay step)."""
    if await state.get_state() not in (NewGroup.confirm.state, NewGroup.pay_methods.state):
        await stale(callback)
        return
    draft = await load_draft(state)
    draft.pay_when = PAY_WHEN_ACTIONS[callback_data.a]
    draft.pay_methods = _offered(draft, settings)
    await save_draft(state, draft)
    await state.set_state(NewGroup.pay_methods)
    await callback.answer()
    assert callback.message is not None
    invoices = invoices_on(settings)
    await callback.message.answer(
        pay_methods_text(draft.pay_when, invoices),
        reply_markup=pay_methods_markup(draft.pay_methods, invoices),
    )


@router.message(StateFilter(NewGroup.pay_methods), F.text, ~F.text.startswith("/"))
async def on_pay_methods_typed(message: Message, state: FSMContext, settings: Settings) -> None:
    """The ways to pay are buttons: a typed word gets the step again."""
    draft = await load_draft(state)
    invoices = invoices_on(settings)
    await message.answer(
        pay_methods_text(draft.pay_when, invoices),
        reply_markup=pay_methods_markup(_offered(draft, settings), invoices),
    )


@router.callback_query(AdminGroupCb.filter(F.a == AdminGroupAction.PAY_METHOD))
async def on_pay_method(
    callback: CallbackQuery, callback_data: AdminGroupCb, state: FSMContext, settings: Settings
) -> None:
    """A way to pay toggled on or off (the id indexes PAY_METHOD_ORDER)."""
    invoices = invoices_on(settings)
    if (
        await state.get_state() != NewGroup.pay_methods.state
        or callback_data.id >= len(PAY_METHOD_ORDER)
        or PAY_METHOD_ORDER[callback_data.id] not in offered_methods(invoices)
    ):
        await stale(callback)
        return
    method = PAY_METHOD_ORDER[callback_data.id]
    draft = await load_draft(state)
    chosen = _offered(draft, settings)
    draft.pay_methods = ordered_methods(
        [m for m in chosen if m != method] if method in chosen else [*chosen, method]
    )
    await save_draft(state, draft)
    await callback.answer()
    await show(
        callback,
        pay_methods_text(draft.pay_when, invoices),
        pay_methods_markup(draft.pay_methods, invoices),
    )


@router.callback_query(AdminGroupCb.filter(F.a == AdminGroupAction.PAY_DONE))
async def on_pay_done(
    callback: CallbackQuery, callback_data: AdminGroupCb, state: FSMContext,
    session: AsyncSession, user: User, settings: Settings,
) -> None:  # fmt: skip
    """Done with the ways to pay (on to the IBAN for a transfer, else the summary), or, on the
    IBAN step, the account of the admin's last group taken as it is."""
    current_state = await state.get_state()
    assert callback.message is not None
    message: Message = callback.message  # type: ignore[assignment]
    draft = await load_draft(state)
    if callback_data.id == METHODS_DONE and current_state == NewGroup.pay_methods.state:
        draft.pay_methods = _offered(draft, settings)
        if not draft.pay_methods:
            await callback.answer(no_method_text(), show_alert=True)
            return
        await callback.answer()
        if PayMethod.TRANSFER in draft.pay_methods:
            await save_draft(state, draft)
            await state.set_state(NewGroup.iban)
            last = await last_payment_account(session, user.id)
            await message.answer(iban_step_text(last), reply_markup=iban_markup(last))
            return
        draft.iban = draft.beneficiary = None
        await save_draft(state, draft)
        await ask_confirm(message, state, session, user, draft)
        return
    if callback_data.id == USE_LAST_ACCOUNT and current_state == NewGroup.iban.state:
        last = await last_payment_account(session, user.id)
        if last is None:
            await stale(callback)
            return
        draft.iban, draft.beneficiary = last
        await save_draft(state, draft)
        await callback.answer()
        await ask_confirm(message, state, session, user, draft)
        return
    await stale(callback)  # pressed twice, or on an older message


@router.message(StateFilter(NewGroup.iban), F.text, ~F.text.startswith("/"))
async def on_iban(message: Message, state: FSMContext, session: AsyncSession, user: User) -> None:
    try:
        iban = parse_account_iban(message.text or "")
    except SpecError as error:
        last = await last_payment_account(session, user.id)
        await message.answer(spec_error_text(error), reply_markup=iban_markup(last))
        return
    draft = await load_draft(state)
    draft.iban = iban
    await save_draft(state, draft)
    await state.set_state(NewGroup.beneficiary)
    await message.answer(beneficiary_step_text(iban), reply_markup=step_markup())


@router.message(StateFilter(NewGroup.beneficiary), F.text, ~F.text.startswith("/"))
async def on_beneficiary(
    message: Message, state: FSMContext, session: AsyncSession, user: User
) -> None:
    try:
        name = parse_beneficiary(message.text or "")
    except SpecError as error:
        await message.answer(spec_error_text(error), reply_markup=step_markup())
        return
    draft = await load_draft(state)
    draft.beneficiary = name
    await save_draft(state, draft)
    await ask_confirm(message, state, session, user, draft)


@router.message(Command("gb_products"))
async def cmd_gb_products(message: Message, session: AsyncSession, user: User) -> None:
    await message.answer(product_codes_text(await catalog.active_products(session)))
