"""Paying for an order, end to end: the balance follows every change (pay, raise, lower, leave,
fail, cancel, a cheaper tier in a group paid on joining, a line not supplied), agents record
payments with a confirmation and an undo, refunds are a state, Telegram Payments is checked
before the charge and recorded once per charge, and every amount adds up as shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from domain import money
from domain.balance import Balance, Due, payment_reference, reference_is_valid
from models import GroupOrder, Payment
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.payments_helpers import prompt_button, record
from tests.test_agents import appoint
from tests.test_group_orders import join_with_buttons, open_group, order_of
from ui.callbacks import AgentCb, GroupCb, InvoiceCb, PayAction, PayCb
from ui.money import format_money

pytestmark = pytest.mark.clock

EUR = 128000  # the demo rate: 0.128 € per yuan


def eur(fen: int) -> int:
    return money.convert(fen, EUR, "EUR")


def shown(minor: int, locale: str = "en", currency: str = "EUR") -> str:
    return format_money(minor, currency, locale)


async def terms(app: Harness, group_id: int, **values) -> None:
    async with app.session_factory() as session:
        group = await session.get(GroupOrder, group_id)
        for key, value in values.items():
            setattr(group, key, value)
        session.add(group)
        await session.commit()


async def entries(app: Harness, order_id: int) -> list[Payment]:
    async with app.session_factory() as session:
        rows = await session.exec(select(Payment).where(Payment.order_id == order_id))
        return list(rows.all())


async def market(app: Harness, spec: str = "min=3 tiers=0,5 offer=dried-shiitake:38,30"):
    """A Milan group, its agent (Chinese) and an English-speaking buyer paying in euros."""
    group = await open_group(app, f"country=IT city=Milan method=rail deadline=+3d {spec}")
    agent = app.user(language_code="zh-CN", first_name="陈")
    await app.onboard(agent, language="zh_Hans", country="意大利", city="米兰")
    await appoint(app, agent, "IT", "Milano", " | Ristorante Roma | Via Paolo Sarpi 10 | 10–22")
    buyer = app.user(language_code="en", first_name="Anna <b>")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    return group, agent, buyer


async def orders_text(app: Harness, buyer) -> str:
    return (await app.send(buyer, "/orders")).text.replace("\xa0", " ")


async def test_the_balance_follows_pay_raise_lower_leave_and_refund(app: Harness):
    group, agent, buyer = await market(app)
    await join_with_buttons(app, buyer, group, 1)
    order = await order_of(app, group.id, buyer.id)
    await app.deliver()
    text = await orders_text(app, buyer)
    assert "provisional" in text and shown(eur(3800)) in text  # open: at the current tier

    await record(app, agent, order.id)  # 💰 Record payment → ✅ cash: the amount due
    paid = await entries(app, order.id)
    assert [(e.kind, e.method, e.amount, e.amount_cny, e.recorded_by) for e in paid] == [
        ("payment", "cash", eur(3800), 3800, agent.id)
    ]
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None
    await app.deliver()
    told = app.last(buyer).text.replace("\xa0", " ")
    assert "was recorded" in told and "Paid in full" in told and "陈" in told
    assert "Paid in full" in await orders_text(app, buyer)

    # raised to 3: what was paid no longer covers it (the old defect: still "💰 paid")
    await join_with_buttons(app, buyer, group, 3)
    assert (await order_of(app, group.id, buyer.id)).paid_at is None
    text = await orders_text(app, buyer)
    assert f"Still to pay: {shown(2 * eur(3800))}" in text
    assert "Paid in full" not in text

    # lowered to 1 again: paid in full again
    await join_with_buttons(app, buyer, group, 1)
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None

    # leaving after paying: a refund due (the old defect: "cancelled · 💰 paid", no refund)
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id, a="leave").pack())
    ask = app.last(buyer).text.replace("\xa0", " ")
    assert f"You paid {shown(eur(3800))}: it will be refunded to you." in ask
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id, a="leave_ok").pack())
    card = app.last(buyer).text.replace("\xa0", " ")
    assert f"To be refunded to you: {shown(eur(3800))}" in card and "you left the group" in card
    await app.deliver()
    alert = app.last(agent)
    refund = AgentCb(id=order.id, a="refund").pack()
    assert refund in [d for row in alert.buttons for _, d in row]
    assert not any(
        d == AgentCb(id=order.id, a="paid").pack() for row in alert.buttons for _, d in row
    )
    await app.press(agent, alert, refund)
    prompt = app.last(agent)
    confirm = prompt_button(app, prompt, PayAction.REFUND_OK)
    await app.press(agent, prompt, confirm)
    rows = await entries(app, order.id)
    assert [(e.kind, e.amount, e.amount_cny, e.reason) for e in rows][-1] == (
        "refund", eur(3800), 3800, "left",
    )  # fmt: skip
    await app.deliver()
    told = app.last(buyer).text
    assert "refund" in told.lower() and "Refunded in full" in told
    # asking again: nothing more to refund, nothing recorded
    answer = await app.press(agent, prompt, confirm)
    assert answer.get("show_alert") is True
    assert len(await entries(app, order.id)) == 2


async def test_a_group_that_fails_or_is_cancelled_refunds_what_was_paid(app: Harness):
    group, agent, buyer = await market(app)
    await join_with_buttons(app, buyer, group, 1)  # 1 of the 3 needed
    order = await order_of(app, group.id, buyer.id)
    await record(app, agent, order.id)
    await app.tick(timedelta(days=3, minutes=1))  # the deadline: it fails
    told = app.texts(buyer)[-1].replace("\xa0", " ")
    assert "did not reach its minimum" in told
    assert "nothing is charged" not in told  # the old defect: a paid buyer was told that
    assert f"To be refunded to you: {shown(eur(3800))}" in told
    assert "the group did not form" in told

    second = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=3 offer=dried-shiitake:38"
    )
    await join_with_buttons(app, buyer, second, 2)
    other = await order_of(app, second.id, buyer.id)
    await record(app, agent, other.id, amount="5")  # part of it, typed
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    ask = await app.send(admin, f"/gb_cancel {second.id} Customs strike")
    await app.press(admin, ask, ask.buttons[0][0][1])
    await app.deliver()
    told = app.texts(buyer)[-1].replace("\xa0", " ")
    assert "was cancelled" in told and "nothing is charged" not in told
    assert f"To be refunded to you: {shown(500)}" in told and "the group was cancelled" in told
    # an order that paid nothing is told nothing is charged
    third = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=3 offer=dried-shiitake:38"
    )
    await join_with_buttons(app, buyer, third, 1)
    ask = await app.send(admin, f"/gb_cancel {third.id} Weather")
    await app.press(admin, ask, ask.buttons[0][0][1])
    await app.deliver()
    assert "nothing is charged" in app.texts(buyer)[-1]


async def test_paying_on_joining_refunds_the_tier_difference(app: Harness):
    group, agent, buyer = await market(app)
    await terms(app, group.id, pay_when="now", pay_methods=["cash", "transfer"],
                iban="DE89370400440532013000", beneficiary="Qingtian Export")  # fmt: skip
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    card = app.last(buyer).text.replace("\xa0", " ")
    assert "How to pay" in card and "DE89 3704 0044 0532 0130 00" in card
    assert payment_reference(order.id) in card and reference_is_valid(payment_reference(order.id))
    await record(app, agent, order.id, method="transfer")  # paid at ¥38 each
    await app.deliver()

    late = app.user(language_code="it", first_name="Luca")
    await app.onboard(late, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, late, group, 3)  # 5 in all: the ¥30 tier
    # Luca pays at the new tier; nobody loses by joining early
    assert shown(3 * eur(3000), "it").replace("\xa0", " ") in app.last(late).text.replace(
        "\xa0", " "
    )
    await app.deliver()
    told = [t for t in app.texts(buyer) if "cheaper price" in t]
    assert len(told) == 1
    back = 2 * eur(3800) - 2 * eur(3000)
    assert f"To be refunded to you: {shown(back)}" in told[0].replace("\xa0", " ")

    # the group forms at that tier: Anna's refund stands, the amounts are final
    await app.tick(timedelta(days=3, minutes=1))
    formed = await order_of(app, group.id, buyer.id)
    assert (formed.status, formed.amount_local) == ("paid", 2 * eur(3000))
    text = await orders_text(app, buyer)
    assert f"To be refunded to you: {shown(back)}" in text and "provisional" not in text


async def test_a_line_not_supplied_is_taken_off_and_refunded(app: Harness):
    group, agent, buyer = await market(
        app, "min=1 offer=dried-shiitake:38 offer=qingtian-green-tea:120"
    )
    async with app.session_factory() as session:
        from services import groups as groups_service

        offers = await groups_service.offers(session, group.id)
        await groups_service.set_quantity(
            session, group_id=group.id, offer_id=offers[0][0].id, user_id=buyer.id,
            quantity=1, now=app.clock.now(),
        )  # fmt: skip
        await groups_service.set_quantity(
            session, group_id=group.id, offer_id=offers[1][0].id, user_id=buyer.id,
            quantity=1, now=app.clock.now(),
        )  # fmt: skip
    await app.tick(timedelta(days=3, minutes=1))  # formed
    order = await order_of(app, group.id, buyer.id)
    assert order.amount_local == eur(3800) + eur(12000)
    await app.deliver()
    formed = app.texts(buyer)[-1].replace("\xa0", " ")
    assert "has formed" in formed and "How to pay" in formed  # the payment request
    await app.send(agent, f"/paid {order.id}")
    prompt = app.last(agent)
    await app.press(agent, prompt, prompt_button(app, prompt, PayAction.OK, "cash"))
    stranger = app.user(language_code="en")
    await app.onboard(stranger, language="en", country="Italy", city="Milan")
    assert "⛔" in (await app.send(stranger, f"/not_supplied {order.id} qingtian-green-tea")).text
    reply = await app.send(agent, f"/not_supplied {order.id} qingtian-green-tea")
    assert "qingtian-green-tea" in reply.text
    fresh = await order_of(app, group.id, buyer.id)
    assert (fresh.amount_cny, fresh.amount_local) == (3800, eur(3800))
    await app.deliver()
    told = app.texts(buyer)[-1].replace("\xa0", " ")
    assert "could not be supplied" in told and f"To be refunded to you: {shown(eur(12000))}" in told
    again = await app.send(agent, f"/not_supplied {order.id} qingtian-green-tea")
    assert "already" in again.text.lower() or "已" in again.text


async def test_an_agent_can_undo_a_mis_tap_for_ten_minutes(app: Harness):
    group, agent, buyer = await market(app)
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    await record(app, agent, order.id)
    done = app.last(agent)
    undo = next(d for row in done.buttons for _, d in row if d.startswith("at:") and ":undo" in d)
    stranger = app.user(language_code="en")
    await app.onboard(stranger, language="en", country="Italy", city="Milan")
    assert (await app.press(stranger, app.last(stranger), undo)).get("show_alert") is True
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None
    await app.press(agent, done, undo)
    assert (await order_of(app, group.id, buyer.id)).paid_at is None
    assert all(e.undone_at is not None for e in await entries(app, order.id))
    await app.deliver()
    told = app.texts(buyer)[-1]
    assert "by mistake" in told and "Paid in full" not in told
    assert (await app.press(agent, done, undo)).get("show_alert") is True  # once
    # a later mis-tap can't be undone after 10 minutes
    await record(app, agent, order.id)
    late = app.last(agent)
    undo = next(d for row in late.buttons for _, d in row if ":undo" in d)
    app.clock.advance(timedelta(minutes=11))
    answer = await app.press(agent, late, undo)
    assert answer.get("show_alert") is True
    assert answer.get("text") == app.t(
        "A payment can be undone for 10 minutes after it was recorded; this one can't any "
        "more. If it was a mistake, record a refund.", "zh_Hans",
    )  # fmt: skip
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None


async def test_forged_and_stale_payment_buttons_change_nothing(app: Harness):
    group, agent, buyer = await market(app)
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    madrid = app.user(language_code="es")
    await app.onboard(madrid, language="es", country="España", city="Madrid")
    await appoint(app, madrid, "ES", "Madrid")
    due = 2 * eur(3800)
    forged = [
        AgentCb(id=order.id, a="paid").pack(),
        AgentCb(id=order.id, a="refund").pack(),
        AgentCb(id=order.id, a="collect").pack(),
        AgentCb(id=1, a="undo").pack(),
        PayCb(id=order.id, a=PayAction.OK, m="cash", n=due, v=due).pack(),
        PayCb(id=order.id, a=PayAction.TYPE, v=due).pack(),
        PayCb(id=order.id, a=PayAction.REFUND_OK, n=due, v=-due).pack(),
    ]
    for intruder in (buyer, madrid):
        for data in forged:
            answer = await app.press(intruder, app.last(intruder), data)
            assert answer.get("show_alert") is True, (intruder.id, data)
        for command in (f"/paid {order.id}", f"/refund {order.id}", f"/collect {group.id}"):
            assert "⛔" in (await app.send(intruder, command)).text, command
    # the agent's own stale confirmation: the balance changed since it was shown
    stale = PayCb(id=order.id, a=PayAction.OK, m="cash", n=due, v=due + 1).pack()
    answer = await app.press(agent, app.last(agent), stale)
    assert answer.get("show_alert") is True
    # a method that is not one, an amount out of range, ids out of range
    for data in (
        PayCb(id=order.id, a=PayAction.OK, m="bitcoin", n=due, v=due).pack(),
        PayCb(id=order.id, a=PayAction.OK, m="cash", n=0, v=due).pack(),
        PayCb(id=987_654, a=PayAction.OK, m="cash", n=due, v=due).pack(),
        "py:1:ok:cash:99999999999999999:0",
        InvoiceCb(id=order.id).pack(),  # another buyer's invoice: madrid's turn below
    ):
        answer = await app.press(agent, app.last(agent), data)
        assert answer.get("show_alert") is True, data
    assert await entries(app, order.id) == []
    # typed amounts: refused with the reason, nothing recorded
    await app.send(agent, f"/paid {order.id}")
    prompt = app.last(agent)
    await app.press(agent, prompt, prompt_button(app, prompt, PayAction.TYPE))
    refusal = app.t(
        "Please type an amount above zero in {currency}, like 12.50 (digits, and at most one "
        "decimal point).", "zh_Hans",
    ).format(currency="EUR")  # fmt: skip
    for bad in ("-5", "1e9", "12.345", "abc", "0", "<b>5</b>", "9" * 30):
        reply = await app.send(agent, bad)
        assert reply.text == refusal, bad
    assert await entries(app, order.id) == []
    assert (await order_of(app, group.id, buyer.id)).paid_at is None


async def test_telegram_payments_checked_before_the_charge_and_recorded_once(invoicing: Harness):
    app = invoicing
    group, agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    await terms(app, group.id, pay_methods=["telegram", "cash"])
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    # paid when the group forms: no invoice while it is open
    answer = await app.press(buyer, app.last(buyer), InvoiceCb(id=order.id).pack())
    assert answer.get("show_alert") is True and "when it forms" in answer.get("text", "")
    await app.tick(timedelta(days=3, minutes=1))
    request = app.texts(buyer)[-1]
    assert "has formed" in request and "By card" in request
    pay = app.last(buyer)
    pay_data = next(d for row in pay.buttons for _, d in row if d.startswith("iv:"))
    await app.press(buyer, pay, pay_data)
    invoice = app.invoices(buyer)[-1].invoice
    assert invoice.currency == "EUR" and invoice.total_amount == 2 * eur(3800)
    assert sum(p["amount"] for p in invoice.prices) == invoice.total_amount
    assert str(order.id) in invoice.title and "Milan" in invoice.description
    # another buyer cannot get it
    other = app.user(language_code="en")
    await app.onboard(other, language="en", country="Italy", city="Milan")
    assert (await app.press(other, app.last(other), pay_data)).get("show_alert") is True

    # stale: the agent records a cash part meanwhile, so the invoice no longer holds
    await record(app, agent, order.id, amount="1")
    refused = await app.pay(buyer)
    assert refused.answered and not refused.ok and "changed" in (refused.error_message or "")
    assert [e.method for e in await entries(app, order.id)] == ["cash"]

    # a fresh invoice for what is left goes through, and a redelivered update counts once
    await app.press(buyer, pay, pay_data)
    invoice = app.invoices(buyer, unpaid=True)[-1].invoice
    assert invoice.total_amount == 2 * eur(3800) - 100
    done = await app.pay(buyer)
    assert done.ok
    await app.redeliver(done)
    rows = await entries(app, order.id)
    assert [(e.method, e.amount, e.charge_id) for e in rows] == [
        ("cash", 100, None), ("telegram", 2 * eur(3800) - 100, done.charge_id),
    ]  # fmt: skip
    fresh = await order_of(app, group.id, buyer.id)
    assert (fresh.status, fresh.paid_at is not None) == ("paid", True)
    await app.deliver()
    assert sum("was recorded" in t for t in app.texts(buyer)) == 2  # the cash part, the card


async def test_the_collection_list_totals_per_method(app: Harness):
    group, agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    await join_with_buttons(app, buyer, group, 2)
    second = app.user(language_code="it", first_name='=HYPERLINK("x")')
    await app.onboard(second, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, second, group, 1)
    first = await order_of(app, group.id, buyer.id)
    other = await order_of(app, group.id, second.id)
    await app.tick(timedelta(days=3, minutes=1))
    await record(app, agent, first.id, method="transfer")
    await record(app, agent, other.id, amount="2")
    reply = await app.send(agent, f"/collect {group.id}")
    text = "\n".join(app.texts(agent)[-2:]).replace("\xa0", " ")
    assert str(first.id) in text and str(other.id) in text
    _name, content = app.emulator.bot_messages(agent.id)[-1].document
    rows = content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("order,buyer_id,buyer")
    assert any(r.startswith(f"{other.id},") and "'=HYPERLINK" in r for r in rows[1:])
    assert reply is not None


def test_every_amount_adds_up_in_the_currency_shown():
    """Due − paid + refunded = what is left, in euros and in yuan, whatever the rate; paying
    exactly what is left brings both columns to zero together."""
    from domain.balance import yuan_of_payment
    from models import Payment as Entry

    for rate in (128000, 127777, 1, 999_999_999):
        for fen in (1, 99, 3800, 123457):
            due = Due(money.convert(fen, rate, "EUR"), fen, "EUR", rate, provisional=False)
            part = max(1, due.amount // 3)
            first = Entry(order_id=1, method="cash", amount=part, currency="EUR",
                          amount_cny=yuan_of_payment(Balance(due), part), id=1)  # fmt: skip
            after = Balance(due, (first,))
            assert after.outstanding == due.amount - part
            rest = Entry(order_id=1, method="cash", amount=after.outstanding, currency="EUR",
                         amount_cny=yuan_of_payment(after, after.outstanding), id=2)  # fmt: skip
            settled = Balance(due, (first, rest))
            assert (settled.outstanding, settled.outstanding_cny) == (0, 0), (rate, fen)


async def test_racing_recordings_of_one_balance_record_it_once(app: Harness):
    """Two agents (or one double tap) confirm the same prompt at once, and Telegram delivers a
    charge twice at once: each balance is recorded once, on SQLite and PostgreSQL alike."""
    import asyncio

    from domain.errors import PaymentError
    from services import payments

    group, agent, buyer = await market(app)
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, buyer.id)
    due = 2 * eur(3800)

    async def confirm() -> str:
        async with app.session_factory() as session:
            try:
                await payments.record_payment(
                    session, order_id=order.id, actor_id=agent.id, method="cash", amount=due,
                    expected=due, now=app.clock.now(),
                )  # fmt: skip
                return "recorded"
            except PaymentError as error:
                return error.code

    outcomes = await asyncio.gather(*(confirm() for _ in range(6)))
    assert sorted(outcomes) == ["changed"] * 5 + ["recorded"]
    assert [e.amount for e in await entries(app, order.id)] == [due]

    await join_with_buttons(app, buyer, group, 4)  # 2 more to pay, by card this time
    await terms(app, group.id, pay_when="now", pay_methods=["telegram"])
    payload = payments.invoice_payload(order.id, "EUR", due)

    async def charge() -> bool:
        async with app.session_factory() as session:
            done = await payments.record_telegram_payment(
                session, user_id=buyer.id, payload=payload, currency="EUR", total=due,
                charge_id="tg-charge-1", provider_charge_id="prov-1", now=app.clock.now(),
            )  # fmt: skip
            return done is not None

    assert sorted(await asyncio.gather(*(charge() for _ in range(5)))) == [False] * 4 + [True]
    rows = await entries(app, order.id)
    assert [(e.method, e.amount) for e in rows] == [("cash", due), ("telegram", due)]
    assert (await order_of(app, group.id, buyer.id)).paid_at is not None


async def test_a_large_groups_collection_list_is_one_line_per_buyer(app: Harness, monkeypatch):
    """Thousands of buyers would make /collect dozens of messages: beyond a few orders each
    buyer is one line, beyond a few hundred the rest is in the CSV only (the totals count all)."""
    import ui.collection

    monkeypatch.setattr(ui.collection, "FULL", 1)
    monkeypatch.setattr(ui.collection, "SHORT", 2)
    group, agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    others = []
    for name in ("Luca", "Marta"):
        other = app.user(language_code="it", first_name=name)
        await app.onboard(other, language="it", country="Italia", city="Milano")
        await join_with_buttons(app, other, group, 1)
        others.append(other)
    await join_with_buttons(app, buyer, group, 2)
    order = await order_of(app, group.id, others[0].id)
    await record(app, agent, order.id)
    await app.send(agent, f"/collect {group.id}")
    text = "\n".join(t for t in app.texts(agent)[-3:] if t).replace("\xa0", " ")
    assert "Luca" in text and "Marta" in text and "Anna" not in text
    assert app.t("✅ Paid in full.", "zh_Hans") in text  # Luca's one line
    assert any(line.startswith("…") and "1" in line and "CSV" in line for line in text.splitlines())
    _name, content = app.emulator.bot_messages(agent.id)[-1].document
    assert content.decode("utf-8-sig").count("\n") == 4  # the header and every order


async def test_a_suspended_buyer_is_refused_at_the_pre_checkout(invoicing: Harness):
    """A buyer suspended after getting an invoice taps Pay: Telegram asks the bot, which used to
    say nothing (the payment form spun for 10 seconds); now it refuses, saying why."""
    from models import User

    app = invoicing
    group, _agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    await terms(app, group.id, pay_when="now", pay_methods=["telegram"])
    await join_with_buttons(app, buyer, group, 1)
    pay = next(d for row in app.last(buyer).buttons for _, d in row if d.startswith("iv:"))
    await app.press(buyer, app.last(buyer), pay)
    async with app.session_factory() as session:
        row = await session.get(User, buyer.id)
        row.is_banned = True
        session.add(row)
        await session.commit()
    refused = await app.pay(buyer)
    assert refused.answered and not refused.ok
    assert refused.error_message == app.t(
        "⛔ Your access to this bot has been suspended by its administrators.", "en"
    )
    order = await order_of(app, group.id, buyer.id)
    assert await entries(app, order.id) == []


async def test_a_buyer_delivered_at_home_pays_cash_on_delivery(app: Harness):
    """A buyer who chose home delivery was told to pay cash "when you collect", which they
    never do: they pay when the order is delivered."""
    from models import User

    group, _agent, buyer = await market(app, "min=1 offer=dried-shiitake:38")
    await join_with_buttons(app, buyer, group, 1)
    await app.tick(timedelta(days=3, minutes=1))
    text = await orders_text(app, buyer)
    assert "when you collect" in text
    async with app.session_factory() as session:
        row = await session.get(User, buyer.id)
        row.delivery, row.address, row.phone = "home", "Via Sarpi 1, Milano", "+393331234567"
        session.add(row)
        await session.commit()
    text = await orders_text(app, buyer)
    assert "In cash when your order is delivered." in text and "when you collect" not in text
