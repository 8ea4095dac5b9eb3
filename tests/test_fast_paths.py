"""The fast paths (issue "Fast paths"): what a buyer reads comes from memory, checked against
version numbers in the database; an update that only reads costs no statement for being handled
once; a redelivered write, on another worker, changes nothing twice; keyboards are laid out as
aiogram's builder lays them out."""

from __future__ import annotations

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import event, func, text
from sqlmodel import select

from bot.dispatcher import create_dispatcher
from models import CacheVersion, Category, Notification, Order, ProcessedUpdate, User
from services import cache
from tests.harness import Harness
from tests.test_group_orders import offer_id, open_group
from ui.callbacks import CategoryCb, GroupCb, ProductCb, QtyCb
from ui.keyboard import Keyboard


class Statements:
    def __init__(self, engine) -> None:  # noqa: ANN001
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._one)

    def _one(self, *_args: object) -> None:
        self.count += 1


@pytest.fixture
def still(monkeypatch):
    """No time passes for the version checks: only commits make them read the numbers again."""
    now = {"t": 0.0}
    monkeypatch.setattr(cache, "_monotonic", lambda: now["t"])
    return now


async def buyer_in_milan(app: Harness, name: str = "Giulia"):
    buyer = app.user(language_code="it", first_name=name)
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    return buyer


async def browse(app: Harness, buyer) -> list[str]:
    """/catalog → the first category → its first product → back: the texts shown."""
    shown = [(await app.send(buyer, "/catalog")).text]
    categories = [d for row in app.last(buyer).buttons for _t, d in row if d.startswith("c:")]
    await app.press(buyer, app.last(buyer), categories[0])
    shown.append(app.last(buyer).text)
    products = [d for row in app.last(buyer).buttons for _t, d in row if d.startswith("p:")]
    await app.press(buyer, app.last(buyer), products[0])
    shown.append(app.last(buyer).text or app.last(buyer).caption)
    await app.press(buyer, app.last(buyer), categories[0])
    shown.append(app.last(buyer).text)
    return shown


async def test_a_returning_buyer_browses_the_catalogue_without_a_statement(
    app: Harness, engine, still
):
    buyer = await buyer_in_milan(app)
    first = await browse(app, buyer)  # fills the caches
    statements = Statements(engine)
    again = await browse(app, buyer)
    assert again == first
    assert statements.count == 0
    async with app.session_factory() as session:  # reading claimed nothing either
        assert (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one() >= 1
        claimed = set((await session.exec(select(ProcessedUpdate.update_id))).all())
    assert app.offset - 1 not in claimed  # the last update (a tap on "back") only read


async def test_a_change_by_this_worker_shows_at_once_and_another_workers_within_a_second(
    app: Harness, engine, still
):
    buyer = await buyer_in_milan(app)
    menu = (await app.send(buyer, "/catalog")).buttons
    async with app.session_factory() as session:
        tea = (await session.exec(select(Category).where(Category.slug == "tea"))).one()
    assert any(f"c:{tea.id}:" in d for row in menu for _t, d in row)

    # another worker hides the tea: its commit moves the catalogue's number on in the database
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE categories SET is_active = false WHERE slug = 'tea'"))
        await conn.execute(
            text("UPDATE cache_versions SET version = version + 1 WHERE name = 'catalog'")
        )
    unchanged = (await app.send(buyer, "/catalog")).buttons
    assert unchanged == menu  # this worker has not looked at the numbers yet…
    still["t"] += cache.CHECK_SECONDS  # …and does within CHECK_SECONDS
    hidden = (await app.send(buyer, "/catalog")).buttons
    assert not any(f"c:{tea.id}:" in d for row in hidden for _t, d in row)

    # this worker's own change (an admin shows it again) is seen by the very next update
    admin = app.user(user_id=900, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    await app.send(admin, f"/category_show {tea.slug}")
    async with app.session_factory() as session:
        assert (await session.get(Category, tea.id)).is_active, app.last(admin).text
    shown = (await app.send(buyer, "/catalog")).buttons
    assert any(f"c:{tea.id}:" in d for row in shown for _t, d in row)


async def test_a_commit_moves_the_numbers_of_the_families_it_touched(app: Harness, still):
    buyer = await buyer_in_milan(app)
    async with app.session_factory() as session:
        before = {v.name: v.version for v in (await session.exec(select(CacheVersion))).all()}
    async with app.session_factory() as session:
        user = await session.get(User, buyer.id)
        user.city = "Roma"
        session.add(user)
        await session.commit()
        after = {v.name: v.version for v in (await session.exec(select(CacheVersion))).all()}
    assert after["users"] == before["users"] + 1
    assert after["catalog"] == before["catalog"] and after["groups"] == before["groups"]


async def test_a_write_delivered_again_to_another_worker_changes_nothing_twice(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    buyer = await buyer_in_milan(app)
    await app.send(buyer, "/groups")
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id).pack())
    offer = await offer_id(app, group.id)
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=1).pack())
    app.emulator.press_button(
        buyer, app.last(buyer).message_id, QtyCb(g=group.id, o=offer, n=2, a="ok").pack()
    )
    updates = await app.bot.get_updates(offset=app.offset, timeout=0)
    assert len(updates) == 1
    app.offset = updates[0].update_id + 1
    await app.dp.feed_update(app.bot, updates[0])  # the first worker joins

    async def state() -> tuple[int, int, int]:
        async with app.session_factory() as session:
            orders = (await session.exec(select(func.count()).select_from(Order))).one()
            notices = (await session.exec(select(func.count()).select_from(Notification))).one()
            claims = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
        return orders, notices, claims

    joined = await state()
    assert joined[0] == 1
    other = create_dispatcher(
        settings=app.settings, session_factory=app.session_factory, i18n=app.i18n, clock=app.clock
    )
    sent = len(app.emulator.calls("sendMessage")) + len(app.emulator.calls("editMessageText"))
    await other.feed_update(app.bot, updates[0])  # the same update reaches a second worker
    assert await state() == joined
    again = len(app.emulator.calls("sendMessage")) + len(app.emulator.calls("editMessageText"))
    assert again == sent  # nothing said twice either: it stopped at its first write
    assert app.unanswered_taps() == []


def layouts():
    yield [3], (), []
    yield [5], (2,), [1]
    yield [9], (), [2]
    yield [7, 2], (3, 1), [1]
    yield [12], (8,), []
    yield [4], (1, 2), [2, 1]


@pytest.mark.parametrize(("buttons", "sizes", "rows"), list(layouts()))
def test_keyboards_are_laid_out_as_aiograms_builder_lays_them_out(buttons, sizes, rows):
    ours, theirs = Keyboard(), InlineKeyboardBuilder()
    n = 0
    for count in buttons:
        for _ in range(count):
            n += 1
            ours.button(text=str(n), callback_data=CategoryCb(id=n))
            theirs.button(text=str(n), callback_data=CategoryCb(id=n))
    if sizes:
        ours.adjust(*sizes)
        theirs.adjust(*sizes)
    for width in rows:
        extra = [ProductCb(id=n + i, cat=1) for i in range(width)]
        from ui.render import button

        ours.row(*(button("x", e.pack()) for e in extra))
        theirs.row(*(button("x", e.pack()) for e in extra))
    assert ours.as_markup() == theirs.as_markup()


async def test_cached_rows_outlive_the_session_that_read_them_rolling_back(session_factory, seeded):
    """A use-case refused later in the same update rolls its session back, which expires every
    row the session holds: the catalogue's cached rows are not among them."""
    from services import catalog

    async with session_factory() as session:
        rows = await catalog.list_categories(session)
        product = await catalog.product_on_sale(
            session, (await catalog.active_products(session))[0].id
        )
        await session.rollback()
    async with session_factory() as session:
        assert await catalog.list_categories(session) is rows
        assert all(
            row.category.names for row in rows
        )  # readable: not expired, not detached-expired
        assert product.names and product.price_cny > 0


def test_magic_filters_are_checked_on_the_event_loop():
    """aiogram runs a filter that is not a coroutine in a worker thread: every `F.…` filter of
    every handler tried cost a thread hop. The routers built here check them on the loop."""
    from bot.dispatcher import create_dispatcher  # noqa: F401 - the routers' modules load
    from handlers import checkout, groups, payments

    for spec in (checkout.router, groups.router, payments.router):
        router = spec.build()
        for observer in (router.message, router.callback_query):
            for handler in observer.handlers:
                assert all(f.awaitable for f in handler.filters or []), handler.callback
