"""The structure issue 9 put in place, checked: every notification kind has a renderer and a
payload that survives the database, rendering a batch costs a fixed number of queries, the
render context follows one rule (also before onboarding), and the router tree is visible."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from core.locales import LOCALES
from domain.notices import (
    PAYLOADS,
    AgentAlert,
    AgentEvent,
    AlertEdit,
    BadPayload,
    BalanceNotice,
    BroadcastNotice,
    DigestNotice,
    GroupNotice,
    Kind,
    OrderNotice,
    ShipmentNotice,
    Text,
    decode,
    encode,
)
from models import Notification, User
from notifications import RENDERERS, prefetch, render
from services import groups, outbox
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group
from ui.context import RenderContext, use_context

pytestmark = pytest.mark.clock

SAMPLES = {
    Text: Text("hello <b>there</b>"),
    GroupNotice: GroupNotice(12),
    OrderNotice: OrderNotice(12, 34),
    AgentAlert: AgentAlert(12, 34, AgentEvent.CHANGED),
    ShipmentNotice: ShipmentNotice(5, 77),
    AlertEdit: AlertEdit(34),
    DigestNotice: DigestNotice("2027-01-04", [1, 2], [3], [], [5], [], [1, 0, 0], []),
    BroadcastNotice: BroadcastNotice(3),
    BalanceNotice: BalanceNotice(12, 34, "tier", 2),
}


def test_every_kind_has_a_renderer_and_a_payload():
    assert set(RENDERERS) == set(Kind)
    assert set(PAYLOADS) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_payload_round_trips(kind: Kind):
    payload = SAMPLES[PAYLOADS[kind]]
    stored = encode(kind, payload)
    assert all(
        isinstance(v, str | int) or (isinstance(v, list) and all(isinstance(i, int) for i in v))
        for v in stored.values()
    )  # plain JSON
    decoded_kind, decoded = decode(str(kind), stored)
    assert (decoded_kind, decoded) == (kind, payload)


def test_a_payload_that_does_not_fit_its_kind_is_refused():
    with pytest.raises(TypeError):
        encode(Kind.GROUP_FORMED, GroupNotice(1))
    for kind, data in [
        ("no_such_kind", {}),
        ("group_formed", {"group_id": 1}),
        ("group_formed", {"group_id": "1", "order_id": 2}),
        ("group_formed", {"group_id": True, "order_id": 2}),
        ("agent_order", {"group_id": 1, "order_id": 2, "event": "exploded"}),
        ("text", {"text": 5}),
    ]:
        with pytest.raises(BadPayload):
            decode(kind, data)


async def test_enqueue_checks_a_dict_payload(session):
    from datetime import UTC, datetime

    with pytest.raises(BadPayload):
        await outbox.enqueue(
            session, user_id=1, kind="group_formed", payload={"group": 1}, now=datetime.now(UTC)
        )
    assert not session.new


async def _close_for(app: Harness, buyers: int) -> tuple[int, list[Notification], dict]:
    """A group joined by `buyers` buyers in all nine locales, closed: its formed notices."""
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=1 offer=dried-shiitake:38"
    )
    async with app.session_factory() as session:
        offer, _product = (await groups.offers(session, group.id))[0]
        for n in range(buyers):
            locale = LOCALES[n % len(LOCALES)]
            session.add(User(id=90_000 + n, first_name=f"b{n}", locale=locale, country="IT",
                             city="Milan", currency="EUR", timezone="Europe/Rome"))  # fmt: skip
        await session.commit()
        for n in range(buyers):
            await groups.set_quantity(
                session, group_id=group.id, offer_id=offer.id, user_id=90_000 + n,
                quantity=1 + n % 3, now=app.clock.now(),
            )  # fmt: skip
    async with app.session_factory() as session:
        await groups.close(session, group_id=group.id, now=app.clock.now(), force=True)
        rows = (
            await session.exec(select(Notification).where(Notification.kind == Kind.GROUP_FORMED))
        ).all()
        users = {u.id: u for u in (await session.exec(select(User))).all()}
    return group.id, list(rows), users


async def _render_counting(app: Harness, rows, users) -> tuple[int, list[str]]:
    statements = 0

    def count(*_args) -> None:  # noqa: ANN002
        nonlocal statements
        statements += 1

    engine = app.session_factory.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    texts = []
    try:
        async with app.session_factory() as session:
            batch = await prefetch(session, rows)
            for row in rows:
                ctx = RenderContext.for_user(users[row.user_id], app.clock.now())
                with app.i18n.context(), app.i18n.use_locale(ctx.locale), use_context(ctx):
                    rendered = render(row, users[row.user_id], batch, ctx)
                assert rendered is not None
                texts.append(rendered[0])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements, texts


async def test_a_batch_costs_the_same_queries_whatever_its_size(app: Harness):
    _group, rows, users = await _close_for(app, 12)
    assert len(rows) == 12
    small, _ = await _render_counting(app, rows[:2], users)
    large, texts = await _render_counting(app, rows, users)
    assert small == large  # 12 rows read as cheaply as 2
    assert large <= 6  # groups, orders, lines; the balances' buyers, entries and rates
    # each in its reader's language: nine locales, nine different headlines
    assert len({text.split("\n")[0].split("</b>")[-1] for text in texts}) == len(LOCALES)


async def test_agent_alerts_render_in_a_batch(app: Harness):
    from tests.test_agents import setup

    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    async with app.session_factory() as session:
        rows = (
            await session.exec(
                select(Notification).where(
                    Notification.kind == Kind.AGENT_ORDER, Notification.user_id == agent.id
                )
            )
        ).all()  # (the demo's own Milan agent is alerted too)
        users = {u.id: u for u in (await session.exec(select(User))).all()}
    statements, texts = await _render_counting(app, list(rows), users)
    assert len(texts) == 1 and "2 ×" in texts[0]
    assert statements <= 10  # the card's reads, and its balance's entries and rates


async def test_an_invited_agent_reads_dates_and_places_in_their_language(app: Harness):
    """Before onboarding, gettext followed the Telegram language while Babel formatted in English:
    "Ahora eres el agente de Madrid, Spain". One render context now decides both."""
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, "/agent_invite ES Madrid")
    token = reply.text.split("start=agent_")[1].split()[0]
    newcomer = app.user(language_code="es")
    await app.send(newcomer, f"/start agent_{token}")
    told = next(text for text in app.texts(newcomer) if "Madrid" in text)
    assert "España" in told and "Spain" not in told
    assert told.startswith(app.t("🤝 You are now the agent for {region}. You will get an alert for every order there; see /region, /picklist, /paid and /handed.", "es").split("{region}")[0])  # fmt: skip


async def test_the_router_tree_is_logged_in_order(harness: Harness, caplog):
    from bot.dispatcher import create_dispatcher

    with caplog.at_level(logging.INFO, logger="bot.dispatcher"):
        create_dispatcher(
            settings=harness.settings, session_factory=harness.session_factory,
            i18n=harness.i18n, clock=harness.clock,
        )  # fmt: skip
    tree = next(r.getMessage() for r in caplog.records if "router tree" in r.getMessage())
    lines = tree.splitlines()[1:]
    assert lines[0] == "dispatcher"
    names = [line.strip() for line in lines[1:]]
    assert names[0].startswith("bot.errors") and names[-1] == "handlers.fallback"
    assert "handlers.admin.groups  [admins only]" in names
    assert "handlers.admin.new_group  [admins only]" in names
    assert "handlers.admin.agents  [admins only]" in names
    assert names.index("handlers.profile") < names.index("handlers.search")


async def test_reminder_renders_nothing_once_the_deadline_passed(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=5 offer=dried-shiitake:38"
    )
    async with app.session_factory() as session:
        row = await outbox.enqueue(
            session, user_id=ADMIN_ID, kind=Kind.GROUP_REMINDER,
            payload=GroupNotice(group.id), now=app.clock.now(),
        )  # fmt: skip
        await session.commit()
        user = User(id=ADMIN_ID, first_name="a", locale="en")
        assert row is not None
        batch = await prefetch(session, [row])
    late = RenderContext.for_user(user, app.clock.now() + timedelta(days=4))
    with app.i18n.context(), app.i18n.use_locale("en"), use_context(late):
        assert render(row, user, batch, late) is None
    on_time = dataclasses.replace(late, now=app.clock.now())
    with app.i18n.context(), app.i18n.use_locale("en"), use_context(on_time):
        assert render(row, user, batch, on_time) is not None
