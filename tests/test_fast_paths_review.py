"""Hostile review of the fast paths: caches, memoised screens, claims, router gates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Product
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group
from ui.callbacks import CategoryCb, CurrencyCb, GroupCb, ProductCb


async def milan(app: Harness, name: str, lang: str = "it"):
    buyer = app.user(language_code=lang, first_name=name)
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    return buyer


async def shiitake(app: Harness) -> Product:
    async with app.session_factory() as session:
        return (await session.exec(select(Product).where(Product.slug == "dried-shiitake"))).one()


async def card(app: Harness, buyer, product: Product) -> tuple[str, list[str]]:
    await app.send(buyer, "/catalog")
    await app.press(
        buyer, app.last(buyer), ProductCb(id=product.id, cat=product.category_id).pack()
    )
    shown = app.last(buyer)
    return shown.text or shown.caption or "", app.button_texts(shown)


async def test_a_currency_change_shows_at_once_on_the_page_and_the_card(app: Harness):
    """After /settings → currency, the category page and product card use the new currency."""
    buyer = await milan(app, "Giulia")
    product = await shiitake(app)
    before, _b = await card(app, buyer, product)
    await app.press(buyer, app.last(buyer), CategoryCb(id=product.category_id).pack())
    page_before = app.button_texts(app.last(buyer))
    await app.press(buyer, app.last(buyer), CurrencyCb(code="CNY").pack())
    after, _a = await card(app, buyer, product)
    await app.press(buyer, app.last(buyer), CategoryCb(id=product.category_id).pack())
    page_after = app.button_texts(app.last(buyer))
    assert "€" in before and "€" not in after, (before, after)
    assert any("€" in t for t in page_before) and not any("€" in t for t in page_after)


async def test_the_card_s_join_buttons_follow_each_buyer_s_time_zone(app: Harness):
    """Two buyers of one city, one in another time zone: each sees the deadline in their own."""
    await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    product = await shiitake(app)
    rome = await milan(app, "Giulia")
    far = await milan(app, "Marco")
    await app.send(far, "/timezone Asia/Tokyo")
    _t, mine = await card(app, rome, product)
    _t, theirs = await card(app, far, product)
    joins = [t for t in mine if "👥" in t], [t for t in theirs if "👥" in t]
    assert joins[0] and joins[1] and joins[0] != joins[1], joins


async def test_a_group_past_its_deadline_leaves_the_card_and_the_list_at_once(app: Harness):
    """Once the deadline passes (before the deadline pass runs), no screen offers to join."""
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    product = await shiitake(app)
    buyer = await milan(app, "Giulia")
    _t, buttons = await card(app, buyer, product)
    joins = [t for t in buttons if "👥" in t]
    app.clock.advance(timedelta(days=3, minutes=1))
    _t, buttons = await card(app, buyer, product)
    assert len([t for t in buttons if "👥" in t]) == len(joins) - 1, (joins, buttons)
    await app.send(buyer, "/groups")
    assert GroupCb(id=group.id).pack() not in [
        d for row in app.last(buyer).buttons for _x, d in row
    ]


async def test_a_join_shows_the_new_total_to_the_next_buyer(app: Harness):
    """Another buyer opening the group right after a join sees its new total."""
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    first = await milan(app, "Giulia")
    second = await milan(app, "Marco")
    await app.send(second, "/groups")
    await app.press(second, app.last(second), GroupCb(id=group.id).pack())
    before = app.last(second).text
    await join_with_buttons(app, first, group, 3)
    await app.send(second, "/groups")
    await app.press(second, app.last(second), GroupCb(id=group.id).pack())
    assert app.last(second).text != before


async def test_a_hidden_product_leaves_the_page_and_its_card_is_refused(app: Harness):
    """An admin hides a product: the buyer's next page and the old card button drop it."""
    admin = app.user(user_id=900, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    buyer = await milan(app, "Giulia")
    product = await shiitake(app)
    await card(app, buyer, product)
    await app.send(admin, "/product_hide dried-shiitake")
    await app.tap(admin, "Hide it")
    await app.press(buyer, app.last(buyer), CategoryCb(id=product.category_id).pack())
    page = app.last(buyer)
    assert ProductCb(id=product.id, cat=product.category_id).pack() not in [
        d for row in page.buttons for _x, d in row
    ]


async def test_a_non_admin_s_admin_command_gets_the_unknown_command_reply(app: Harness):
    """/gb_new, /block, /rate from a buyer: the unknown-command reply, in their language."""
    buyer = await milan(app, "Giulia")
    unknown = app.t("I don't know that command. Send /help to see what I can do.", "it")
    for command in ("/gb_new country=IT", "/block 1", "/rate EUR 0.1", "/product_hide x"):
        assert (await app.send(buyer, command)).text == unknown, command


async def test_a_rate_change_shows_on_the_buyer_s_card_at_once(app: Harness):
    """/rate EUR …, confirmed: the buyer's next card shows the price at the new rate."""
    admin = app.user(user_id=900, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    buyer = await milan(app, "Giulia")
    product = await shiitake(app)
    before, _b = await card(app, buyer, product)
    prompt = await app.send(admin, "/rate EUR 0.5")
    if prompt.buttons:
        await app.press(admin, prompt, prompt.buttons[0][0][1])
    after, _a = await card(app, buyer, product)
    assert before != after, app.last(admin).text


async def test_a_row_the_session_already_held_is_not_cached_attached(session_factory, seeded):
    """services/cache.py `_detached` expunges only rows *new* to the identity map: a row the
    update's session had read before the cache missed is cached still attached, and the
    session's later rollback (a refused use-case) expires it for every later update."""
    from services import catalog

    async with session_factory() as session:
        product_id = (await catalog.active_products(session))[0].id
    async with session_factory() as session:
        held = await session.get(Product, product_id)  # the update holds it already…
        assert await catalog.product_on_sale(session, product_id) is held  # …a miss returns it
        await session.rollback()  # a use-case refused later in the update
    async with session_factory() as session:
        product = await catalog.product_on_sale(session, product_id)  # a hit, another update
        assert product.names and product.price_cny > 0  # DetachedInstanceError


async def test_a_pay_tap_delivered_again_to_another_worker_sends_one_invoice(invoicing: Harness):
    """The 💳 tap only reads (services/updates.py: nothing is claimed before the first write):
    the same update reaching a second worker (webhook retry) sends the buyer a second invoice;
    before the change the update's id was claimed before handling, and it sent none."""
    from bot.dispatcher import create_dispatcher
    from tests.test_payments import market, terms

    app = invoicing
    group, _agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    await terms(app, group.id, pay_when="now", pay_methods=["telegram"])
    await join_with_buttons(app, buyer, group, 1)
    pay = next(d for row in app.last(buyer).buttons for _, d in row if d.startswith("iv:"))
    app.emulator.press_button(buyer, app.last(buyer).message_id, pay)
    updates = await app.bot.get_updates(offset=app.offset, timeout=0)
    app.offset = updates[-1].update_id + 1
    await app.dp.feed_update(app.bot, updates[-1])
    assert len(app.invoices(buyer)) == 1
    other = create_dispatcher(
        settings=app.settings, session_factory=app.session_factory, i18n=app.i18n, clock=app.clock
    )
    await other.feed_update(app.bot, updates[-1])
    assert len(app.invoices(buyer)) == 1


@pytest.mark.allow_failures
async def test_a_failed_update_delivered_again_is_handled(app: Harness, monkeypatch):
    """A /catalog that failed (apology) and is delivered again (same id) shows the catalogue."""
    from services import catalog

    buyer = await milan(app, "Giulia")
    real = catalog.list_categories

    async def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog, "list_categories", broken)
    app.emulator.send_message(buyer, "/catalog")
    updates = await app.bot.get_updates(offset=app.offset, timeout=0)
    app.offset = updates[-1].update_id + 1
    await app.dp.feed_update(app.bot, updates[-1])
    failed = app.last(buyer).text
    monkeypatch.setattr(catalog, "list_categories", real)
    await app.dp.feed_update(app.bot, updates[-1])
    assert app.last(buyer).text != failed
    assert any(d.startswith("c:") for row in app.last(buyer).buttons for _t, d in row)


async def test_a_non_admin_s_admin_buttons_get_the_stale_toast_and_change_nothing(app: Harness):
    """Forged admin taps (hide a product, block a user) from a buyer: the stale-button toast."""
    from ui.callbacks import ShipCb
    from ui.catalog_admin import CatalogAction, CatalogCb
    from ui.people import PeopleAction, PeopleCb

    buyer = await milan(app, "Giulia")
    stale_text = app.t("This button is out of date. Please open the menu again with /start.", "it")
    product = await shiitake(app)
    taps = [
        CatalogCb(a=CatalogAction.HIDE, id=product.id).pack(),
        CatalogCb(a=CatalogAction.SHOW, id=product.id).pack(),
        PeopleCb(id=buyer.id, a=PeopleAction.BLOCK).pack(),
        ShipCb(id=0, a="list").pack(),
    ]
    for data in [t for t in taps if t]:
        answer = await app.press(buyer, app.last(buyer), data)
        assert answer.get("text") == stale_text, (data, answer)
    assert (await shiitake(app)).is_active
