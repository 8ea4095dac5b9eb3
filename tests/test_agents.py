"""Agents end to end: appointed by admins or invite links, alerted for every order of their city,
marking orders paid and handed over; everyone else is refused and nothing changes."""

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from models import Agent, AgentInvite, GroupOrder, Notification, Order
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.payments_helpers import record
from tests.test_group_orders import join_with_buttons, open_group, order_of
from ui.callbacks import AgentCb, GroupCb, PickupCb, QtyCb, SettingsCb

pytestmark = pytest.mark.clock


async def appoint(app: Harness, agent, country: str, city: str, extra: str = "") -> str:
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    reply = await app.send(admin, f"/agent_add {agent.id} {country} {city}{extra}")
    return reply.text


async def setup(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=2 offer=dried-shiitake:38"
    )
    agent = app.user(language_code="zh-CN", first_name="陈")
    await app.onboard(agent, language="zh_Hans", country="意大利", city="米兰")
    text = await appoint(
        app, agent, "IT", "Milano", " | Ristorante Roma | Via Paolo Sarpi 10 | 10–22"
    )
    assert "✅" in text
    buyer = app.user(language_code="it", first_name="Giulia <3", username="giulia_t")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    return group, agent, buyer


async def test_alert_paid_handed_end_to_end(app: Harness):
    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    await app.deliver()
    alert = app.last(agent)
    assert f"tg://user?id={buyer.id}" in alert.html
    assert "Giulia &lt;3" in alert.html and "@giulia_t" in alert.text
    assert "2 ×" in alert.text and "¥76.00" in alert.text.replace("\xa0", " ")
    order = await order_of(app, group.id, buyer.id)
    assert AgentCb(id=order.id, a="paid").pack() in [d for row in alert.buttons for _, d in row]

    answer = await app.press(agent, alert, AgentCb(id=order.id, a="paid").pack())
    assert answer.get("show_alert") is False
    assert (await order_of(app, group.id, buyer.id)).paid_at is None  # asked first
    await record(app, agent, order.id)
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None
    await app.deliver()
    told = app.last(buyer).text.split("\n")[0]
    assert str(order.id) in told and told == app.t(
        "💰 A payment for order {number} ({title}) was recorded. Thank you!", "it"
    ).format(number=order.id, title=told.split("(")[1].split(")")[0]).replace("<b>", "")

    # handed over before the group formed is refused (placed, not yet paid → delivered)
    early = await app.press(agent, app.last(agent), AgentCb(id=order.id, a="handed").pack())
    assert early.get("show_alert") is True
    await app.tick(timedelta(days=3, minutes=1))
    formed = await order_of(app, group.id, buyer.id)
    assert formed.status == "paid"  # paid in advance: confirmed and paid at once
    reply = await app.send(agent, f"/handed {order.id}")
    assert str(order.id) in reply.text
    assert (await order_of(app, group.id, buyer.id)).status == "delivered"
    await app.deliver()
    assert str(order.id) in app.last(buyer).text and "📦" in app.last(buyer).text


async def test_change_and_cancel_alert_the_agent(app: Harness):
    group, agent, buyer = await setup(app)
    heads = [
        app.t(h, "zh_Hans").replace("<b>", "").replace("</b>", "")
        for h in ("🆕 <b>New order</b>", "✏️ <b>Order changed</b>", "❌ <b>Order cancelled</b>")
    ]
    seen = []
    await join_with_buttons(app, buyer, group, 2)
    await app.deliver()  # each alert goes out before the next change
    seen.append(app.last(agent).text)
    await join_with_buttons(app, buyer, group, 5)
    await app.deliver()
    seen.append(app.last(agent).text)
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id, a="leave_ok").pack())
    await app.deliver()
    seen.append(app.last(agent).text)
    assert [next(h for h in heads if t.startswith(h)) for t in seen] == heads
    # the earlier alerts are edited to what the order is now: cancelled, nothing to record
    alerts = [m for m in app.emulator.bot_messages(agent.id) if "订单" in (m.text or "")]
    assert all(m.text.startswith(heads[2]) for m in alerts[-3:])
    assert not any(
        "py:" in d or ":paid" in d for m in alerts[-3:] for row in m.buttons for _, d in row
    )


async def test_forged_agent_buttons_change_nothing(app: Harness):
    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    madrid = app.user(language_code="es")
    await app.onboard(madrid, language="es", country="España", city="Madrid")
    await appoint(app, madrid, "ES", "Madrid")
    stranger = app.user(language_code="en")
    await app.onboard(stranger, language="en", country="Italy", city="Milan")
    for intruder in (buyer, stranger, madrid):
        for action in ("paid", "handed"):
            answer = await app.press(
                intruder, app.last(intruder), AgentCb(id=order.id, a=action).pack()
            )
            assert answer.get("show_alert") is True, (intruder.id, action)
        reply = await app.send(intruder, f"/paid {order.id}")
        assert "⛔" in reply.text
        picklist = await app.send(intruder, f"/picklist {group.id}")
        assert "⛔" in picklist.text
    unknown = await app.press(agent, app.last(agent), AgentCb(id=987_654, a="paid").pack())
    assert unknown.get("show_alert") is True
    fresh = await order_of(app, group.id, buyer.id)
    assert (fresh.status, fresh.paid_at, fresh.handed_at) == ("placed", None, None)


async def test_invite_link_once_and_expiring(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, "/agent_invite IT Prato")
    token = reply.text.split("start=agent_")[1].split()[0]
    newcomer = app.user(language_code="it")
    welcome = await app.send(newcomer, f"/start agent_{token}")
    assert welcome is not None
    async with app.session_factory() as session:
        agent = (await session.exec(select(Agent).where(Agent.user_id == newcomer.id))).one()
    assert (agent.country, agent.city) == ("IT", "Prato")
    second = app.user(language_code="en")
    await app.onboard(second, language="en", country="Italy", city="Prato")
    again = await app.send(second, f"/start agent_{token}")
    assert again.text == app.t("This invitation link has already been used.", "en")
    reply = await app.send(admin, "/agent_invite IT Rome")
    late_token = reply.text.split("start=agent_")[1].split()[0]
    app.clock.advance(timedelta(days=8))
    late = await app.send(second, f"/start agent_{late_token}")
    assert late.text == app.t("This invitation link has expired. Ask for a new one.", "en")
    async with app.session_factory() as session:
        assert (await session.exec(select(Agent).where(Agent.user_id == second.id))).first() is None
        assert (
            await session.exec(select(AgentInvite).where(AgentInvite.token == late_token))
        ).one().used_by is None


async def test_picklist_by_pickup_point_and_csv(app: Harness):
    group, agent, buyer = await setup(app)
    # the buyer chooses the agent's pickup point in /settings
    await app.send(buyer, "/settings")
    await app.press(buyer, app.last(buyer), SettingsCb(action="pickup").pack())
    point_button = next(
        d for row in app.last(buyer).buttons for t, d in row if "Ristorante Roma" in t
    )
    await app.press(buyer, app.last(buyer), point_button)
    other = app.user(language_code="en", first_name="Tom")
    await app.onboard(other, language="en", country="Italy", city="Milan")
    forged = await app.press(other, app.last(other), PickupCb(id=99_999).pack())
    assert forged.get("show_alert") is True
    await join_with_buttons(app, buyer, group, 2)
    await join_with_buttons(app, other, group, 1)
    await app.send(agent, f"/picklist {group.id}")
    messages = app.emulator.bot_messages(agent.id)
    document = messages[-1].document
    text = messages[-2].text
    assert "Ristorante Roma" in text and "Giulia" in text and "Tom" in text
    name, content = document
    assert name == f"picklist-group-{group.id}.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {(r["pickup_point"], r["quantity"], r["product"]) for r in rows} >= {
        ("Ristorante Roma", "2", "dried-shiitake")
    }
    assert len(rows) == 2


async def test_region_and_admin_commands(app: Harness):
    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 1)
    region = await app.send(agent, "/region")
    assert str(group.id) in region.text and "1" in region.text
    not_agent = await app.send(buyer, "/region")
    assert "⛔" in not_agent.text
    refused = await app.send(buyer, f"/agent_add {buyer.id} IT Milan")
    # a non-admin is told what any unknown command gets: the console does not show it exists
    assert refused.text == app.t(
        "I don't know that command. Send /help to see what I can do.", "it"
    )
    admin = app.user(user_id=ADMIN_ID)
    listing = await app.send(admin, "/agents")
    assert f"tg://user?id={agent.id}" in listing.html and "Ristorante Roma" in listing.text
    unknown = await app.send(admin, "/agent_add @nobody IT Milan")
    assert "@nobody" in unknown.text
    ask = await app.send(admin, f"/agent_remove {agent.id} IT Milan")
    assert "?" in ask.text
    await app.tap(admin, "🗑")
    async with app.session_factory() as session:
        assert (await session.exec(select(Agent).where(Agent.user_id == agent.id))).first() is None
    await join_with_buttons(app, buyer, group, 3)
    await app.deliver()
    assert not any("3 ×" in t for t in app.texts(agent))  # no alerts after removal
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).total == 3
        assert (
            await session.exec(select(Order).where(Order.user_id == buyer.id))
        ).one().status == "placed"


async def test_qty_picker_unaffected_by_agent_alerts(app: Harness):
    group, agent, buyer = await setup(app)
    offer = await app.press(buyer, (await app.send(buyer, "/groups")), GroupCb(id=group.id).pack())
    assert offer is not None
    from tests.test_group_orders import offer_id

    oid = await offer_id(app, group.id)
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=oid, n=4, a="ok").pack())
    assert (await order_of(app, group.id, buyer.id)).status == "placed"


async def test_an_agent_gets_one_alert_per_order_while_the_buyer_keeps_tapping(app: Harness):
    from tests.test_group_orders import offer_id
    from ui.callbacks import QtyCb

    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    offer = await offer_id(app, group.id)
    confirm = QtyCb(g=group.id, o=offer, n=2, a="ok").pack()
    for _ in range(5):  # the same confirm again and again: nothing changes
        answer = await app.press(buyer, app.last(buyer), confirm)
        assert answer["text"] == app.t(
            "Nothing changed: you already have {quantity}.", "it"
        ).format(quantity=2)
    for n in (3, 4, 6, 7):  # then real changes, faster than the alerts go out
        await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=n, a="ok").pack())
    async with app.session_factory() as session:
        queued = (
            await session.exec(
                select(Notification).where(
                    Notification.user_id == agent.id, Notification.status == "pending"
                )
            )
        ).all()
    assert len(queued) == 1 and queued[0].payload["event"] == "placed"
    await app.deliver()
    alerts = [t for t in app.texts(agent) if "7 ×" in t]
    assert len(alerts) == 1  # one alert, showing the latest quantity
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=7, a="ok").pack())
    await app.deliver()
    assert len([t for t in app.texts(agent) if "×" in t]) == 1  # no change, no alert


async def test_an_order_gone_before_its_alert_went_out_is_not_announced(app: Harness):
    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id, a="leave_ok").pack())
    await app.deliver()
    assert not any("×" in t for t in app.texts(agent))


async def test_a_formula_for_a_name_is_plain_text_in_the_pick_list(app: Harness):
    group, agent, _buyer = await setup(app)
    names = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3", "@SUM(A1)", "\tx"]
    for name in names:
        attacker = app.user(language_code="en", first_name=name)
        await app.onboard(attacker, language="en", country="Italy", city="Milan")
        await join_with_buttons(app, attacker, group, 1)
    await app.send(agent, f"/picklist {group.id}")
    _filename, content = app.emulator.bot_messages(agent.id)[-1].document
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    cells = {r["buyer"] for r in rows}
    assert cells >= {"'" + name for name in names}
    assert not any(cell[:1] in "=+-@\t" for row in rows for cell in row.values() if cell)


async def test_agent_add_with_a_pickup_point_is_one_use_case(app: Harness, monkeypatch):
    """The agent and their pickup point are written in one transaction: a pickup point that
    can't be written leaves no agent behind either (it was two commits before)."""
    from services import agents as agents_service

    agent = app.user(language_code="en", first_name="Ana")
    await app.onboard(agent, language="en", country="Spain", city="Madrid")

    async def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("disk full")

    monkeypatch.setattr(agents_service, "_add_pickup_point", broken)
    with pytest.raises(RuntimeError):
        async with app.session_factory() as session:
            await agents_service.appoint(
                session, user_id=agent.id, country="ES", city="Madrid", created_by=ADMIN_ID,
                pickup=agents_service.PickupSpec("Bar Sol", "Calle Mayor 1"),
            )  # fmt: skip
    async with app.session_factory() as session:
        assert (await session.exec(select(Agent).where(Agent.user_id == agent.id))).first() is None


async def test_agent_is_told_what_to_collect_when_the_group_forms(app: Harness):
    """The agent used to hear nothing when a group of their city formed."""
    from services import groups as groups_service

    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    other = app.user(language_code="en", first_name="Marco")
    await app.onboard(other, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, other, group, 1)
    await app.deliver()
    order = await order_of(app, group.id, other.id)
    await record(app, agent, order.id)  # prepaid
    async with app.session_factory() as session:
        await groups_service.close(session, group_id=group.id, now=app.clock.now(), force=True)
    await app.deliver()
    summary = app.last(agent)
    assert summary.text.startswith("✅") and "2" in summary.text.split("\n")[0]
    # Giulia's 2 × ¥38 are still to collect (Marco paid in advance), in the agent's Chinese
    assert "76" in summary.text and "已付款：1" in summary.text.replace(" ", "")
    assert f"{order.id} · Marco" in summary.text
    assert AgentCb(id=group.id, a="pick").pack() in [d for row in summary.buttons for _, d in row]
    async with app.session_factory() as session:
        rows = (
            await session.exec(
                select(Notification).where(
                    Notification.kind == "agent_group_formed", Notification.user_id == agent.id
                )
            )
        ).all()
    assert len(rows) == 1


async def test_region_shows_each_groups_status(app: Harness):
    from services import groups as groups_service

    group, agent, buyer = await setup(app)
    await join_with_buttons(app, buyer, group, 2)
    before = await app.send(agent, "/region")
    assert f"{app.t('open', 'zh_Hans')} · " in before.text
    assert app.t("formed", "zh_Hans") not in before.text
    async with app.session_factory() as session:
        await groups_service.close(session, group_id=group.id, now=app.clock.now(), force=True)
    after = await app.send(agent, "/region")
    assert app.t("formed", "zh_Hans") in after.text
