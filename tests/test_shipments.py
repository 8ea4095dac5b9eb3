"""Shipments: the state machine, the parsers, and the whole story through the emulator — two
formed groups for Milan shipped together, seven events to buyers in three languages, /track,
the agent's handover, a bulk file, and 2,000 buyers notified once each."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func
from sqlmodel import col, select

from domain import shipments as rules
from domain.pickup import collect_point
from domain.shipment_files import FileError, read_rows, read_table
from domain.shipments import Posting, PostingError, Step, TransitionError, parse_posting
from models import (
    GroupOrder,
    Notification,
    Order,
    OrderStatus,
    PickupPoint,
    Shipment,
    ShipmentEvent,
    User,
)
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_agents import appoint
from tests.test_group_orders import join_with_buttons, open_group, order_of
from ui.callbacks import AgentCb, ShipAction, ShipCb, TrackCb
from ui.shipments import sentence_case

pytestmark = pytest.mark.clock

# ── the state machine ────────────────────────────────────────────────────────────────────

STATES: list[Step | None] = [None, *rules.MILESTONES]


@pytest.mark.parametrize(
    ("current", "step"), list(itertools.product(STATES, list(Step))), ids=lambda v: str(v)
)
def test_every_transition(current: Step | None, step: Step):
    legal = step == Step.EXCEPTION or step in rules.NEXT[current]
    if legal:
        after = rules.check(step, current)
        assert after == (current if step == Step.EXCEPTION else step)
        assert step in rules.allowed_next(current)
    else:
        with pytest.raises(TransitionError) as refused:
            rules.check(step, current)
        assert refused.value.allowed == rules.allowed_next(current)
        assert step not in refused.value.allowed


def test_the_named_refusals():
    with pytest.raises(TransitionError) as early:
        rules.check(Step.DELIVERED, Step.PACKED)  # delivered before departing
    assert early.value.allowed == (Step.DEPARTED_ORIGIN, Step.EXCEPTION)
    for step in Step:
        if step != Step.EXCEPTION:
            with pytest.raises(TransitionError):
                rules.check(step, Step.DELIVERED)  # nothing after delivered…
    assert rules.check(Step.EXCEPTION, Step.DELIVERED) == Step.DELIVERED  # …but a note


def test_every_milestone_is_reachable_and_the_path_ends_delivered():
    seen: set[Step | None] = {None}
    frontier: list[Step | None] = [None]
    while frontier:
        for step in rules.NEXT[frontier.pop()]:
            if step not in seen:
                seen.add(step)
                frontier.append(step)
    assert seen == set(STATES)
    assert rules.replay([Step.PACKED, Step.DEPARTED_ORIGIN, Step.IN_TRANSIT,
                         Step.ARRIVED_DESTINATION, Step.RELEASED, Step.AT_PICKUP_POINT,
                         Step.DELIVERED]) == Step.DELIVERED  # fmt: skip


def test_postings_are_parsed_and_refused_clearly():
    duties = parse_posting("duties_requested", "125,50 eur at Malpensa", currency="EUR")
    assert (duties.amount, duties.currency, duties.note) == (12550, "EUR", "at Malpensa")
    assert parse_posting("Departed-Origin", "", currency="EUR").step == Step.DEPARTED_ORIGIN
    zone = ZoneInfo("Europe/Rome")
    from domain.shipment_files import parse_time

    late = parse_posting(
        "exception", "delay eta=2027-01-25 storm", currency="EUR",
        parse_date=lambda t: parse_time(t, zone),
    )  # fmt: skip
    assert late.problem == "delay" and late.note == "storm"
    assert late.new_eta.astimezone(zone).day == 25
    for step, rest, code in [
        ("teleported", "", "unknown_event"),
        ("duties_requested", "lots", "duties_amount"),
        ("duties_requested", "-5", "duties_amount"),
        ("exception", "", "exception_kind"),
        ("exception", "delay", "exception_note"),
        ("in_transit", "x" * 600, "note_too_long"),
    ]:
        with pytest.raises(PostingError) as refused:
            parse_posting(step, rest, currency="EUR")
        assert refused.value.code == code
    assert parse_posting("packed", "a\x00b", currency="EUR").note == "a b"


def test_lead_times_are_configurable():
    assert rules.lead_days("air") == 7 and rules.lead_days("rail") == 25
    assert rules.lead_days("sea") == 40
    assert rules.parse_lead_times("rail=21, sea=35") == {"rail": 21, "sea": 35}
    assert rules.lead_days("rail", {"rail": 21}) == 21
    for bad in ("rail", "plane=3", "sea=0", "air=x"):
        with pytest.raises(ValueError):
            rules.parse_lead_times(bad)


def test_one_pickup_point_rule():
    def point(pid: int, city: str = "Milan", active: bool = True) -> PickupPoint:
        return PickupPoint(id=pid, agent_id=1, country="IT", city=city, name=f"P{pid}",
                           address="", is_active=active)  # fmt: skip

    two = [point(1), point(2), point(3, "Rome")]
    pick = lambda chosen, group: collect_point(  # noqa: E731
        chosen=chosen, group_point=group, city_points=two, country="IT", city="milan"
    )
    assert pick(2, 1).id == 2  # the buyer's own choice
    assert pick(3, 1).id == 1  # a point of another city is not theirs: the group's
    assert pick(None, None) is None  # several and none named: not chosen yet
    one = [point(1)]
    assert collect_point(chosen=None, group_point=None, city_points=one,
                         country="IT", city="Milan").id == 1  # fmt: skip


def test_a_file_is_read_row_by_row():
    zone = ZoneInfo("Europe/Rome")
    text = (
        "Tracking,Event,Time,Note\n"
        "CRE1,packed,2027-01-02 10:00,\n"
        "\n"
        "CRE1,teleported,2027-01-03 10:00,\n"
        "CRE1,in_transit,yesterday,\n"
        "3,duties_requested,2027-01-04,\n"
    )
    rows, errors = read_rows(read_table(text.encode(), "e.csv", zone), zone=zone, currency="EUR")
    assert [r.number for r in rows] == [2]
    assert rows[0].occurred_at.astimezone(zone).hour == 10
    assert [(e.number, e.error.code) for e in errors] == [
        (4, "unknown_event"), (5, "bad_time"), (6, "duties_amount")
    ]  # fmt: skip
    with pytest.raises(FileError):
        read_table(b"\x89PNG", "photo.png", zone)
    with pytest.raises(FileError):
        read_table(b"\xff\xfe\x00", "latin.csv", zone)


# ── end to end ───────────────────────────────────────────────────────────────────────────


async def formed_milan(app: Harness):
    """Two Milan groups, an agent with a pickup point, buyers in Italian, Chinese and German
    (Giulia in both groups); both groups formed."""
    g1 = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=2 offer=dried-shiitake:38"
    )
    g2 = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=1 offer=qingtian-green-tea:50"
    )
    agent = app.user(language_code="zh-CN", first_name="陈")
    await app.onboard(agent, language="zh_Hans", country="意大利", city="米兰")
    assert "✅" in await appoint(
        app, agent, "IT", "Milano", " | Ristorante Roma | Via Paolo Sarpi 10 | 10–22"
    )
    async with app.session_factory() as session:
        roma = (
            await session.exec(select(PickupPoint).where(PickupPoint.name == "Ristorante Roma"))
        ).one()
        for group_id in (g1.id, g2.id):  # the groups collect at the agent's point
            group = await session.get(GroupOrder, group_id)
            group.pickup_point_id = roma.id
            session.add(group)
        await session.commit()
    giulia = app.user(language_code="it", first_name="Giulia")
    await app.onboard(giulia, language="it", country="Italia", city="Milano")
    wang = app.user(language_code="zh-CN", first_name="王")
    await app.onboard(wang, language="zh_Hans", country="意大利", city="米兰")
    jonas = app.user(language_code="de", first_name="Jonas")
    await app.onboard(jonas, language="de", country="Italien", city="Mailand")
    await join_with_buttons(app, giulia, g1, 1)
    await join_with_buttons(app, giulia, g2, 1)
    await join_with_buttons(app, wang, g1, 1)
    await join_with_buttons(app, jonas, g2, 2)
    await app.deliver()
    from services import groups as groups_service

    async with app.session_factory() as session:
        for group in (g1, g2):
            await groups_service.close(session, group_id=group.id, now=app.clock.now(), force=True)
    await app.deliver()
    return g1, g2, agent, (giulia, wang, jonas)


def admin_of(app: Harness):
    return app.user(user_id=ADMIN_ID, language_code="en")


async def test_two_groups_one_shipment_seven_events_to_every_buyer(app: Harness):
    g1, g2, agent, buyers = await formed_milan(app)
    giulia, wang, jonas = buyers
    summary = [t for t in app.texts(agent) if t.startswith("✅ 🚆")]
    assert len(summary) == 2  # the agent heard each group form, with what to collect
    admin = admin_of(app)
    before = {u.id: len(app.texts(u)) for u in (*buyers, agent)}

    reply = await app.send(admin, f"/ship {g1.id},{g2.id} | China Railway Express | CRE2027 | rail")
    assert "CRE2027" in reply.text
    async with app.session_factory() as session:
        shipment = (await session.exec(select(Shipment))).one()
        assert shipment.method == "rail" and shipment.status == ""
        # no ETA given: the railway's usual 25 days
        assert abs((shipment.eta - app.clock.now()) - timedelta(days=25)) < timedelta(minutes=1)
        statuses = {g.status for g in (await session.exec(select(GroupOrder).where(
            col(GroupOrder.shipment_id) == shipment.id))).all()}  # fmt: skip
        assert statuses == {"shipped"}
    sid = shipment.id

    # an illegal step is refused, listing what may come next; nothing is posted
    refused = await app.send(admin, f"/ship_status {sid} delivered")
    assert "packed" in refused.text and "✅" not in refused.text
    # the first event from the card's button, after a confirmation
    card = await app.send(admin, f"/shipment {sid}")
    await app.press(admin, card, ShipCb(id=sid, a=ShipAction.POST, v=0, s="packed").pack())
    await app.tap(admin, "✅")
    # a stale button (drawn at version 0) changes nothing now
    stale = await app.press(
        admin, card, ShipCb(id=sid, a=ShipAction.POST, v=0, s="departed_origin").pack()
    )
    assert stale.get("show_alert")
    steps = [
        "departed_origin", "in_transit <b>Kazakhstan</b> & Poland", "arrived_destination",
        "customs_review", "released", "at_pickup_point",
    ]  # fmt: skip
    for step in steps:
        app.clock.advance(timedelta(days=2))
        reply = await app.send(admin, f"/ship_status {sid} {step}")
        assert "✅" in reply.text, reply.text
    await app.deliver()

    async with app.session_factory() as session:
        events = (await session.exec(select(ShipmentEvent))).all()
        assert len(events) == 7
        rows = (await session.exec(
            select(Notification.user_id, func.count()).where(
                Notification.kind == "shipment_update").group_by(Notification.user_id)
        )).all()  # fmt: skip
    counts = dict(rows)
    for person in (*buyers, agent):
        assert counts[person.id] == 7  # one message per event per person (Giulia: 2 groups)
        notices = [m for m in app.emulator.bot_messages(person.id)[before[person.id]:]
                   if m.buttons and TrackCb(new=True).pack() in str(m.buttons)]  # fmt: skip
        assert len(notices) == 7

    # in each recipient's language and time zone, the note quoted and escaped
    from ui.groups import deadline_text

    for person, locale in ((giulia, "it"), (wang, "zh_Hans"), (jonas, "de")):
        notices = app.emulator.bot_messages(person.id)[before[person.id] :]
        heading = sentence_case(app.t("departed from China", locale))
        assert heading != "Departed from China"  # translated
        departed = next(m for m in notices if m.text.startswith("🛫 " + heading))
        async with app.session_factory() as session:
            user = await session.get(User, person.id)
            event_row = (await session.exec(select(ShipmentEvent).where(
                ShipmentEvent.step == "departed_origin"))).one()  # fmt: skip
        assert user.timezone == "Europe/Rome"
        assert deadline_text(event_row.occurred_at, user, locale) in departed.text
        transit = next(m for m in notices if "Kazakhstan" in (m.text or ""))
        assert "<blockquote>&lt;b&gt;Kazakhstan&lt;/b&gt; &amp; Poland</blockquote>" in transit.html
        ready = notices[-1]
        assert "Ristorante Roma" in ready.text and "Via Paolo Sarpi 10" in ready.text
        assert "10–22" in ready.text and "陈" in ready.text  # the point's hours and its agent

    # /track: the timeline with done steps and the ETA; the orders are ready for pickup
    track = await app.send(giulia, "/track")
    assert track.text.count("✓") == 7 and "📅" in track.text
    assert track.text.count(app.t("ready for pickup", "it")) == 2
    async with app.session_factory() as session:
        orders = (await session.exec(select(Order).where(col(Order.status) != "cancelled"))).all()
    assert {o.status for o in orders} == {OrderStatus.READY_FOR_PICKUP}

    # the agent hands Giulia's shiitake over: that order ends delivered
    order = await order_of(app, g1.id, giulia.id)
    answer = await app.press(agent, app.last(agent), AgentCb(id=order.id, a="handed").pack())
    assert not answer.get("show_alert"), answer
    assert (await order_of(app, g1.id, giulia.id)).status == OrderStatus.DELIVERED
    await app.deliver()
    again = await app.send(giulia, "/orders")
    assert app.t("delivered", "it") in again.text


async def test_the_ship_dialog_can_be_cancelled_and_completed(app: Harness):
    g1, g2, _agent, _buyers = await formed_milan(app)
    admin = admin_of(app)
    first = await app.send(admin, "/ship")
    assert str(g1.id) in first.text
    await app.tap(admin, "✖")  # cancel: nothing made
    reply = await app.send(admin, "lost text")
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(Shipment.id))))).one() == 0
    await app.send(admin, "/ship")
    bad = await app.send(admin, "99999")
    assert "99999" in bad.text
    await app.send(admin, f"{g1.id} {g2.id}")
    await app.send(admin, "DHL Express")
    await app.send(admin, "JD 0145")  # spaces are refused
    await app.send(admin, "JD0145")
    await app.tap(admin, app.t("air", "en"))
    await app.tap(admin, "📅")  # the usual lead time
    summary = app.last(admin)
    assert "JD0145" in summary.text
    await app.tap(admin, "✅")
    async with app.session_factory() as session:
        shipment = (await session.exec(select(Shipment))).one()
    assert shipment.tracking == "JD0145" and shipment.method == "air"
    assert abs((shipment.eta - app.clock.now()) - timedelta(days=7)) < timedelta(minutes=1)
    assert reply is not None


async def test_ship_refuses_what_cannot_ship(app: Harness):
    g1, _g2, _agent, (giulia, *_rest) = await formed_milan(app)
    admin = admin_of(app)
    open_one = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=2 offer=dried-shiitake:38"
    )
    paris = await open_group(
        app, "country=FR city=Paris method=air deadline=+3d min=1 offer=dried-shiitake:38"
    )
    for args, expected in [
        (f"{open_one.id} | DHL | X1 | rail", "has not formed"),
        ("424242 | DHL | X1 | rail", "424242"),
        (f"{g1.id} | DHL | X1 | zeppelin", "zeppelin"),
        (f"{g1.id} | DHL | X1 | rail | 2020-01-01", "future"),
    ]:
        reply = await app.send(admin, f"/ship {args}")
        assert expected in reply.text, (args, reply.text)
    assert paris.id
    refused = await app.send(giulia, f"/ship {g1.id} | DHL | X1 | rail")
    assert refused.text == app.t(
        "I don't know that command. Send /help to see what I can do.", "it"
    )
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(Shipment.id))))).one() == 0


async def test_a_bulk_file_applies_whole_or_not_at_all_and_once(app: Harness):
    g1, _g2, _agent, (giulia, *_rest) = await formed_milan(app)
    admin = admin_of(app)
    await app.send(admin, f"/ship {g1.id} | CRE | CRE77 | rail")
    day = app.clock.now().astimezone(ZoneInfo("Europe/Rome")) - timedelta(hours=5)

    def table(rows: list[list[str]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["shipment", "event", "time", "note"])
        writer.writerows(rows)
        return out.getvalue().encode()

    stamp = lambda h: (day + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    bad = table([["CRE77", "packed", stamp(0), ""], ["CRE77", "departed_origin", stamp(1), ""],
                 ["CRE77", "delivered", stamp(2), ""], ["NOPE", "packed", stamp(2), ""]])  # fmt: skip
    app.emulator.send_document(admin, "events.csv", bad)
    await app.process()
    reply = app.last(admin).text
    assert "⛔" in reply and "Row 4" in reply and "Row 5" in reply and "Row 2" not in reply
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(ShipmentEvent.id))))).one() == 0

    good = table([["CRE77", "packed", stamp(0), ""], ["CRE77", "departed_origin", stamp(1), "Yiwu"],
                  ["CRE77", "in_transit", stamp(2), ""]])  # fmt: skip
    app.emulator.send_document(admin, "events.csv", good)
    await app.process()
    assert "3" in app.last(admin).text and "✅" in app.last(admin).text
    app.emulator.send_document(admin, "events-again.csv", good)
    await app.process()
    assert "✅" not in app.last(admin).text
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(ShipmentEvent.id))))).one() == 3
        shipment = (await session.exec(select(Shipment))).one()
    assert shipment.status == "in_transit"
    await app.deliver()
    async with app.session_factory() as session:
        giulias = (await session.exec(select(func.count(col(Notification.id))).where(
            Notification.kind == "shipment_update", Notification.user_id == giulia.id))).one()  # fmt: skip
    # the file's latest event is announced (the earlier ones are on the timeline), once,
    # though the file came twice
    assert giulias == 1
    assert app.texts(giulia)[-1].startswith("🚚 " + sentence_case(app.t("travelling", "it")))

    # XLSX works the same; a buyer's file is not read as one
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["tracking", "event", "time", "note"])
    book.active.append(["CRE77", "arrived_destination", stamp(3), "Duisburg"])
    data = io.BytesIO()
    book.save(data)
    app.emulator.send_document(admin, "events.xlsx", data.getvalue())
    await app.process()
    assert "✅" in app.last(admin).text
    app.emulator.send_document(giulia, "events.xlsx", data.getvalue())
    await app.process()
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(ShipmentEvent.id))))).one() == 4


async def test_two_thousand_buyers_each_hear_each_event_once(session_factory, seeded, clock):
    """Every buyer gets exactly one row per event, and the statements needed to render a
    batch of them do not grow with the batch (printed)."""
    import notifications
    from services import shipments
    from services.shipments import ShipSpec

    now = clock.now()
    async with session_factory() as session:
        group = GroupOrder(country="IT", city="Milan", method="rail", deadline=now,
                           measure="units", min_total=1, status="formed")  # fmt: skip
        session.add(group)
        await session.flush()
        for i in range(2000):
            uid = 700000 + i
            session.add(User(id=uid, first_name=f"B{i}", locale=["it", "zh_Hans", "de"][i % 3],
                             country="IT", city="Milan", currency="EUR",
                             timezone="Europe/Rome"))  # fmt: skip
            session.add(Order(group_id=group.id, user_id=uid, status="confirmed"))
        await session.commit()
        shipment = await shipments.create_shipment(
            session, spec=ShipSpec([group.id], "CRE", "CRE1", "rail"), created_by=None, now=now
        )
        for step in ("packed", "departed_origin"):
            await shipments.post_event(session, shipment_id=shipment.id, posting=Posting(Step(step)),
                                       created_by=None, now=now)  # fmt: skip
    async with session_factory() as session:
        rows = (await session.exec(select(Notification).where(
            Notification.kind == "shipment_update").order_by(Notification.id))).all()  # fmt: skip
    per_person = {}
    for row in rows:
        per_person.setdefault(row.user_id, []).append(row.payload["event_id"])
    from services.seed import DEMO_AGENT

    assert set(per_person) == set(range(700000, 702000)) | {DEMO_AGENT["id"]}  # + Milan's agent
    assert all(len(events) == 2 == len(set(events)) for events in per_person.values())

    from aiogram.utils.i18n import I18n

    from core.config import PROJECT_ROOT
    from ui.context import RenderContext, use_context

    i18n = I18n(path=PROJECT_ROOT / "locales", default_locale="en", domain="messages")
    counts = {}
    for size in (50, 500):
        batch_rows = rows[:size]
        statements: list[str] = []
        async with session_factory() as session:
            engine = session.sync_session.get_bind()

            def listener(*args, seen=statements):  # noqa: ANN002, ANN202
                seen.append(args[2])

            event.listen(engine, "before_cursor_execute", listener)
            try:
                users = {u.id: u for u in (await session.exec(select(User).where(
                    col(User.id).in_([r.user_id for r in batch_rows])))).all()}  # fmt: skip
                statements.clear()
                batch = await notifications.prefetch(session, batch_rows)
                for row in batch_rows:
                    user = users[row.user_id]
                    ctx = RenderContext.for_user(user, now)
                    with i18n.context(), i18n.use_locale(ctx.locale), use_context(ctx):
                        text, _markup = notifications.render(row, user, batch, ctx)
                    assert "CRE" in text or "1" in text
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        counts[size] = len(statements)
    print(f"\nSQL statements to render a batch of shipment notices: {counts}")
    assert counts[50] == counts[500]


async def test_customs_and_problems_from_the_buttons_and_track_forgets_old_shipments(app: Harness):
    g1, _g2, agent, (giulia, *_rest) = await formed_milan(app)
    admin = admin_of(app)
    await app.send(admin, f"/ship {g1.id} | CRE | CRE9 | rail | +20d")
    async with app.session_factory() as session:
        sid = (await session.exec(select(Shipment))).one().id
    for step in ("packed", "departed_origin", "in_transit", "arrived_destination",
                 "customs_review"):  # fmt: skip
        await app.send(admin, f"/ship_status {sid} {step}")
    # duties from the card's button: the amount is asked for, a wrong one refused
    card = app.last(admin)
    version = 5
    await app.press(admin, card, ShipCb(id=sid, a=ShipAction.POST, v=version,
                                        s="duties_requested").pack())  # fmt: skip
    wrong = await app.send(admin, "a lot")
    assert "125.50" in wrong.text
    done = await app.send(admin, "312.40 EUR storage at Milano Smistamento")
    assert "✅" in done.text
    # an exception with a new ETA: a delay moves the expected arrival
    new_eta = (app.clock.now() + timedelta(days=30)).strftime("%Y-%m-%d")
    reply = await app.send(
        admin, f"/ship_status {sid} exception delay eta={new_eta} Strike at the port"
    )
    assert "✅" in reply.text, reply.text
    await app.deliver()
    texts = app.texts(giulia)
    assert any("312,40" in t and "€" in t for t in texts)  # Italian money format
    problem = next(t for t in reversed(texts) if "Strike at the port" in t)
    assert app.t("delay", "it") in problem
    async with app.session_factory() as session:
        shipment = await session.get(Shipment, sid)
    assert shipment.status == "duties_requested"  # an exception leaves the milestone
    assert abs(shipment.eta - (app.clock.now() + timedelta(days=30))) < timedelta(days=1)
    region = await app.send(agent, "/region")
    assert app.t("import duties requested", "zh_Hans") in region.text
    # finish it; 30 days after delivery it leaves /track
    for step in ("duties_paid", "released", "out_for_delivery", "delivered"):
        reply = await app.send(admin, f"/ship_status {sid} {step}")
        assert "✅" in reply.text, (step, reply.text)
    after = await app.send(admin, f"/ship_status {sid} packed")
    assert "✅" not in after.text  # nothing after delivered…
    note = await app.send(admin, f"/ship_status {sid} exception damage One sack torn")
    assert "✅" in note.text  # …but a note of a problem
    assert (await order_of(app, g1.id, giulia.id)).status == OrderStatus.DELIVERED
    assert "CRE9" in (await app.send(giulia, "/track")).text or "✓" in app.last(giulia).text
    app.clock.advance(timedelta(days=31))
    gone = await app.send(giulia, "/track")
    assert "✓" not in gone.text


async def test_milan_buyers_choose_among_the_citys_pickup_points(app: Harness):
    """The demo Milan group's card named a pickup point while the pick list put every buyer
    under "no pickup point", and Milan buyers had nothing to choose in /settings."""
    from services.seed import DEMO_AGENT
    from ui.callbacks import GroupCb, SettingsCb

    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).where(GroupOrder.city == "Milan"))).first()
        hangzhou = await session.get(PickupPoint, group.pickup_point_id)
    assert hangzhou.name == "Ristorante Hangzhou"
    anna = app.user(language_code="it", first_name="Anna")
    await app.onboard(anna, language="it", country="Italia", city="Milano")
    card = await app.press(anna, app.last(anna), GroupCb(id=group.id).pack())
    assert card is not None
    shown = app.last(anna).text
    assert "Ristorante Hangzhou, Via Paolo Sarpi 24" in shown and "11:30" in shown
    await app.send(anna, "/settings")
    await app.press(anna, app.last(anna), SettingsCb(action="pickup").pack())
    sarpi = next(d for row in app.last(anna).buttons for t, d in row if "Bazar Sarpi" in t)
    await app.press(anna, app.last(anna), sarpi)
    await app.press(anna, app.last(anna), GroupCb(id=group.id).pack())
    assert "Bazar Sarpi, Via Paolo Sarpi 7" in app.last(anna).text
    tom = app.user(language_code="en", first_name="Tom")
    await app.onboard(tom, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, anna, group, 1)
    await join_with_buttons(app, tom, group, 1)
    from services import agents

    async with app.session_factory() as session:
        entries = await agents.pick_list(session, group_id=group.id)
    where = {e.buyer.first_name: e.pickup_point.name for e in entries}
    assert where == {"Anna": "Bazar Sarpi", "Tom": "Ristorante Hangzhou"}
    assert DEMO_AGENT["city"] == "Milan"


async def test_an_agents_earlier_alert_is_edited_to_the_orders_state(app: Harness):
    from tests.payments_helpers import prompt_button
    from tests.test_agents import setup
    from ui.callbacks import PayAction

    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    await app.deliver()
    alert = app.last(agent)
    assert "💰" in str(alert.buttons)  # Mark paid
    order = await order_of(app, group.id, buyer.id)
    reply = await app.send(agent, f"/paid {order.id}")  # by command: the alert is not the reply
    assert "💰" in reply.text
    await app.press(agent, reply, prompt_button(app, reply, PayAction.OK, "cash"))
    await app.deliver()
    edited = app.emulator.message(agent.id, alert.message_id)
    assert edited.edited >= 1
    labels = " ".join(t for row in edited.buttons for t, _d in row)
    assert "💰" not in labels  # paid: no more "Mark paid"
    from services import groups as groups_service

    async with app.session_factory() as session:
        await groups_service.close(session, group_id=group.id, now=app.clock.now(), force=True)
    await app.deliver()
    edited = app.emulator.message(agent.id, alert.message_id)
    labels = " ".join(t for row in edited.buttons for t, _d in row)
    assert "📦" in labels  # formed and paid: it keeps "Handed over"
    assert app.t("paid", "zh_Hans") in edited.text
    async with app.session_factory() as session:
        rows = (await session.exec(select(Notification).where(
            Notification.kind == "agent_order_edit", Notification.user_id == agent.id))).all()  # fmt: skip
    assert rows and all(r.status == "sent" for r in rows)
    sent_before = len(app.emulator.bot_messages(agent.id))
    await app.deliver()
    assert len(app.emulator.bot_messages(agent.id)) == sent_before  # edits send nothing new


# ── what a hostile review found (each failed before its fix) ─────────────────────────────


def test_amounts_currencies_and_files_that_used_to_crash():
    zone = ZoneInfo("Asia/Shanghai")
    assert rules.parse_money("1e30") is None  # raised InvalidOperation
    assert rules.parse_money("125.505") is None and rules.parse_money("125,50") == 12550
    duties = parse_posting("duties_requested", "125 due by friday", currency=None)
    assert duties.currency is None and duties.note == "due by friday"  # not currency "DUE"
    # CR-only line endings (Excel's "CSV (Macintosh)") and a semicolon file with a comma
    mac = b"shipment;event;time;note\r1;packed;2027-01-02 10:00;Yiwu, gate 3\r\r"
    rows, errors = read_rows(read_table(mac, "mac.csv", zone), zone=zone)
    assert not errors and rows[0].posting.note == "Yiwu, gate 3"
    with pytest.raises(FileError):
        read_table(b'shipment,event\n1,"' + b"x" * 140_000 + b'"\n', "big.csv", zone)
    with pytest.raises(FileError) as header_only:
        read_rows([["shipment", "event", "time"]], zone=zone)
    assert header_only.value.code == "empty"
    # the year 1 east of UTC cannot be stored: a row error, not a crash
    rows, errors = read_rows([["1", "packed", "0001-01-01 00:00"]], zone=zone)
    assert [e.error.code for e in errors] == ["bad_time"]
    # a broken workbook (its sheet cut short) is an unreadable file
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["shipment", "event", "time"])
    book.active.append(["1", "packed", "2027-01-02"])
    whole = io.BytesIO()
    book.save(whole)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole.getvalue())) as src, zipfile.ZipFile(broken, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, data[: len(data) // 2] if "sheet1" in item.filename else data)
    with pytest.raises(FileError):
        read_table(broken.getvalue(), "broken.xlsx", zone)


async def test_etas_times_and_references_are_bounded(app: Harness):
    g1, g2, _agent, (giulia, *_rest) = await formed_milan(app)
    admin = admin_of(app)
    await app.send(admin, f"/ship {g1.id} | CRE | SAME | rail")
    await app.send(admin, f"/ship {g2.id} | CRE | 1 | rail")  # shipment 2's tracking is "1"
    far = await app.send(admin, "/ship_status 1 exception delay eta=9999-12-31 Lost at sea")
    assert "9999-12-31" in far.text and "✅" not in far.text
    far_ship = await app.send(admin, f"/ship {g1.id} | CRE | X | rail | 2099-01-01")
    assert "2099-01-01" in far_ship.text
    await app.send(admin, "/ship_status 1 packed")
    await app.send(admin, "/ship_status 1 departed_origin")
    await app.deliver()
    now = app.clock.now().astimezone(ZoneInfo("Europe/Rome"))
    lines = [
        "shipment,event,time,note,eta",
        f"SAME,in_transit,{(now - timedelta(days=9)).strftime('%Y-%m-%d %H:%M')},,",  # before
        f"1,in_transit,{now.strftime('%Y-%m-%d %H:%M')},,",  # id 1 or tracking "1"?
        f"#1,exception,{now.strftime('%Y-%m-%d %H:%M')},delay storm,2020-01-01",  # ETA past
    ]
    app.emulator.send_document(admin, "events.csv", "\n".join(lines).encode())
    await app.process()
    reply = app.last(admin).text
    assert "Row 2" in reply and "Row 3" in reply and "Row 4" in reply and "⛔" in reply
    assert "#12" in reply  # how to name an id without ambiguity
    async with app.session_factory() as session:
        assert (await session.exec(select(func.count(col(ShipmentEvent.id))))).one() == 2
    # a buyer's PDF is not an admin matter
    app.emulator.send_document(giulia, "menu.pdf", b"%PDF-1.4")
    await app.process()
    assert "admin" not in app.last(giulia).text.lower()


async def test_duties_in_a_file_default_to_the_destinations_currency(
    session_factory, seeded, clock
):
    from services import shipments
    from services.shipments import ImportRow, ShipSpec

    now = clock.now()
    async with session_factory() as session:
        group = GroupOrder(country="GB", city="London", method="air", deadline=now,
                           measure="units", min_total=1, status="formed")  # fmt: skip
        session.add(group)
        await session.commit()
        shipment = await shipments.create_shipment(
            session, spec=ShipSpec([group.id], "DHL", "GB1", "air"), created_by=None, now=now
        )
        steps = ["packed", "departed_origin", "in_transit", "arrived_destination",
                 "customs_review"]  # fmt: skip
        rows = [ImportRow(i + 2, "GB1", Posting(Step(s)), now - timedelta(hours=10 - i))
                for i, s in enumerate(steps)]  # fmt: skip
        duties = parse_posting("duties_requested", "40.10", currency=None)
        rows.append(ImportRow(9, "GB1", duties, now - timedelta(hours=1)))
        report = await shipments.import_rows(session, rows, created_by=None, now=now)
        assert report.applied == 6
        event = (await session.exec(select(ShipmentEvent).where(
            ShipmentEvent.step == "duties_requested"))).one()  # fmt: skip
        assert (event.amount, event.currency) == (4010, "GBP")
        assert shipment.id


async def test_a_notice_that_cannot_be_rendered_does_not_hold_back_the_others(
    app: Harness, monkeypatch
):
    from domain.notices import Kind, Text
    from notifications import registry
    from services import outbox

    a, b = app.user(first_name="A"), app.user(first_name="B")
    await app.onboard(a, language="en", country="Italy", city="Milan")
    await app.onboard(b, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        await outbox.enqueue(session, user_id=a.id, kind=Kind.TEXT, payload=Text("boom"),
                             now=app.clock.now())  # fmt: skip
        await outbox.enqueue(session, user_id=b.id, kind=Kind.TEXT, payload=Text("fine"),
                             now=app.clock.now())  # fmt: skip
        await session.commit()

    def renderer(payload, user, batch, ctx):  # noqa: ANN001, ANN202
        if payload.text == "boom":
            raise OverflowError("date value out of range")
        return payload.text, None

    monkeypatch.setitem(registry.RENDERERS, Kind.TEXT, renderer)
    await app.deliver()
    assert app.last(b).text == "fine"
    async with app.session_factory() as session:
        statuses = {r.user_id: r.status for r in (await session.exec(select(Notification))).all()}
    assert statuses[a.id] == "failed" and statuses[b.id] == "sent"


async def test_the_ship_dialog_says_to_use_the_buttons_for_the_method(app: Harness):
    g1, _g2, _agent, _buyers = await formed_milan(app)
    admin = admin_of(app)
    await app.send(admin, "/ship")
    await app.send(admin, str(g1.id))
    await app.send(admin, "Cosco")
    await app.send(admin, "CS123")
    typed = await app.send(admin, "rail")
    assert "button" in typed.text and typed.buttons
