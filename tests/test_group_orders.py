"""Group orders end to end through the emulator: admins open them, buyers in two languages join,
change and leave, the deadline passes, the group forms or fails, and everyone is told."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import GroupOffer, GroupOrder, GroupWatch, Notification, Order, Product
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui.callbacks import GroupCb, QtyCb
from ui.money import format_money

UNKNOWN = "I don't know that command. Send /help to see what I can do."
STALE = "This button is out of date. Please open the menu again with /start."

pytestmark = pytest.mark.clock

NBSP = "\xa0"


def plain(text: str) -> str:
    return (text or "").replace(NBSP, " ").replace("\u202f", " ")


async def open_group(app: Harness, spec: str) -> GroupOrder:
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    async with app.session_factory() as session:
        from models import User

        known = await session.get(User, ADMIN_ID)
    if known is None or not known.onboarded:
        await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, f"/gb_new {spec}")
    assert "✅" in reply.text, reply.text
    async with app.session_factory() as session:
        return (await session.exec(select(GroupOrder).order_by(GroupOrder.id.desc()))).first()


async def offer_id(app: Harness, group_id: int) -> int:
    from services import groups

    async with app.session_factory() as session:
        return (await groups.offers(session, group_id))[0][0].id


async def join_with_buttons(app: Harness, buyer, group: GroupOrder, quantity: int) -> None:
    """/groups → the group → the product → type the quantity."""
    await app.send(buyer, "/groups")
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id).pack())
    offer = await offer_id(app, group.id)
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=1).pack())
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=1, a="t").pack())
    await app.send(buyer, str(quantity))


async def order_of(app: Harness, group_id: int, user_id: int) -> Order | None:
    async with app.session_factory() as session:
        return (
            await session.exec(
                select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
            )
        ).first()


async def test_three_buyers_two_languages_group_forms_at_second_tier(app: Harness):
    await app.send(app.user(user_id=ADMIN_ID), "/start")
    group = await open_group(
        app,
        "country=IT city=Milano method=rail deadline=+3d min=10 tiers=0,10,20 offer=dried-shiitake:38,35,33",
    )
    assert (group.city, group.measure, group.min_total, group.tiers) == (
        "Milan",
        "units",
        10,
        [0, 10, 20],
    )
    giulia = app.user(language_code="it", first_name="Giulia")
    wei = app.user(language_code="zh-CN", first_name="王伟")
    marco = app.user(language_code="it", first_name="Marco")
    await app.onboard(giulia, language="it", country="Italia", city="Milano")
    await app.onboard(wei, language="zh_Hans", country="意大利", city="米兰")
    await app.onboard(marco, language="it", country="Italia", city="Milano")

    await join_with_buttons(app, giulia, group, 6)
    await join_with_buttons(app, wei, group, 5)
    card = app.last(wei)
    assert "11" in card.text and "▓" in card.text  # 11 / 10 units: the bar is full
    await join_with_buttons(app, marco, group, 4)
    # Marco leaves (with confirmation)
    await app.press(marco, app.last(marco), GroupCb(id=group.id, a="leave").pack())
    await app.press(marco, app.last(marco), GroupCb(id=group.id, a="leave_ok").pack())
    assert (await order_of(app, group.id, marco.id)).status == "cancelled"

    await app.deliver()  # "minimum reached" was told once to those in the group then
    await app.tick(timedelta(days=3, minutes=1))
    async with app.session_factory() as session:
        formed = await session.get(GroupOrder, group.id)
    assert (formed.status, formed.total) == ("formed", 11)

    g_order = await order_of(app, group.id, giulia.id)
    w_order = await order_of(app, group.id, wei.id)
    assert (g_order.status, g_order.amount_cny) == ("confirmed", 6 * 3500)  # second tier: ¥35
    assert (w_order.status, w_order.amount_cny) == ("confirmed", 5 * 3500)
    assert g_order.currency == "EUR" and g_order.amount_local == round(6 * 35 * 0.128 * 100)
    giulia_msg = plain(app.last(giulia).text)
    wei_msg = plain(app.last(wei).text)
    assert plain(format_money(g_order.amount_local, "EUR", "it")) in giulia_msg  # 26,88 €
    assert "26,88 €" in giulia_msg and "210,00 CN¥" in giulia_msg
    assert plain(format_money(w_order.amount_local, "EUR", "zh_Hans")) in wei_msg
    # the payment request: what to pay, and how (this group takes cash at pickup)
    assert app.t("<b>How to pay</b>:", "zh_Hans").replace("<b>", "").replace("</b>", "") in wei_msg
    assert app.t("• 💵 In cash to your agent, when you collect.", "zh_Hans") in wei_msg
    async with app.session_factory() as session:
        told = (
            await session.exec(select(Notification).where(Notification.user_id == marco.id))
        ).all()
    assert [n.kind for n in told] == []  # he left before the minimum was reached


async def test_a_group_that_misses_its_minimum_fails_and_everyone_is_told(app: Harness):
    group = await open_group(
        app,
        "country=IT city=Milan method=sea deadline=+2d min=100kg offer=restaurant-rice-25kg:150",
    )
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, group, 2)  # 50 kg of 100
    await app.tick(timedelta(days=2, seconds=1))
    async with app.session_factory() as session:
        failed = await session.get(GroupOrder, group.id)
    assert failed.status == "failed"
    assert (await order_of(app, group.id, buyer.id)).status == "cancelled"
    told = app.last(buyer).text
    assert "did not reach its minimum" in told and "nothing is charged" in told


async def test_bad_quantities_and_stale_buttons_change_nothing(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=air deadline=+1d min=10 cap=12 offer=dried-shiitake:38"
    )
    offer = await offer_id(app, group.id)
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    await app.send(buyer, "/groups")
    await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=1, a="t").pack())
    for bad in ("abc", "0", "-3", "1000000", "2.5", "<b>"):
        reply = await app.send(buyer, bad)
        assert "999" in reply.text, bad  # "a whole number from 1 to 999"
    over = await app.send(buyer, "13")  # above the capacity cap of 12
    assert "12" in plain(over.text)
    assert await order_of(app, group.id, buyer.id) is None
    fits = await app.send(buyer, "12")  # still typing: a number that fits is taken
    assert (await order_of(app, group.id, buyer.id)).status == "placed" and fits is not None
    await app.press(buyer, app.last(buyer), GroupCb(id=group.id, a="leave_ok").pack())
    # forged callbacks: another group's offer, an absurd quantity, an unknown group
    for data in (
        QtyCb(g=group.id, o=offer + 999, n=1, a="ok").pack(),
        f"q:{group.id}:{offer}:1000000:ok",  # forged: far above the maximum
        QtyCb(g=987_654, o=offer, n=1).pack(),
        GroupCb(id=987_654).pack(),
        "q:1:2",
    ):
        answer = await app.press(buyer, app.last(buyer), data)
        assert answer.get("show_alert") is True, data
    assert (await order_of(app, group.id, buyer.id)).status == "cancelled"
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).total == 0
    # a stale confirm after the deadline
    app.clock.advance(timedelta(days=1, seconds=1))
    answer = await app.press(buyer, app.last(buyer), QtyCb(g=group.id, o=offer, n=2, a="ok").pack())
    assert answer.get("show_alert") is True
    assert answer["text"] == app.t(
        "This group order has closed: its deadline has passed. Nothing was changed.", "it"
    )
    assert (await order_of(app, group.id, buyer.id)).status == "cancelled"


async def test_reminder_once_and_mute(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    joined = app.user(language_code="en")
    watcher = app.user(language_code="en")
    muted = app.user(language_code="en")
    for user in (joined, watcher, muted):
        await app.onboard(user, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, joined, group, 2)
    await join_with_buttons(app, muted, group, 1)
    await app.send(watcher, "/groups")
    await app.press(watcher, app.last(watcher), GroupCb(id=group.id).pack())
    await app.press(watcher, app.last(watcher), GroupCb(id=group.id, a="remind").pack())
    await app.press(muted, app.last(muted), GroupCb(id=group.id, a="mute").pack())

    await app.tick(timedelta(days=1, hours=12))  # 36 h left: not yet
    assert not any("closes in" in t for t in app.texts(joined))
    await app.tick(timedelta(hours=13))  # 23 h left
    await app.tick(timedelta(minutes=30))  # a second pass sends nothing more
    for user in (joined, watcher):
        reminders = [t for t in app.texts(user) if "closes in" in t]
        assert len(reminders) == 1, app.texts(user)
        assert "Still missing: 47 units." in reminders[0]
    assert not any("closes in" in t for t in app.texts(muted))


async def test_deep_link_opens_group_and_records_referral(app: Harness):
    group = await open_group(
        app, "country=ES city=Madrid method=rail deadline=+5d min=10 offer=dried-shiitake:38"
    )
    friend = app.user(language_code="es")
    await app.onboard(friend, language="es", country="España", city="Madrid")
    card = await app.send(friend, f"/start gb_{group.id}_{ADMIN_ID}")
    assert "Madrid" in card.text and "▓" not in card.text.split("\n")[0]
    share = [
        url
        for row in card.buttons
        for text, url in row
        if url and url.startswith("https://t.me/share")
    ]
    assert share and f"gb_{group.id}_{friend.id}" in share[0]
    async with app.session_factory() as session:
        watch = (
            await session.exec(select(GroupWatch).where(GroupWatch.user_id == friend.id))
        ).one()
    assert watch.referrer_id == ADMIN_ID
    await app.press(
        friend, card, QtyCb(g=group.id, o=await offer_id(app, group.id), n=2, a="ok").pack()
    )
    assert (await order_of(app, group.id, friend.id)).referrer_id == ADMIN_ID


async def test_deep_link_before_setup_opens_after_it(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+5d min=10 offer=dried-shiitake:38"
    )
    newcomer = app.user(language_code="it")
    await app.send(newcomer, f"/start gb_{group.id}")
    await app.tap(newcomer, "Italiano")
    await app.tap(newcomer, "Italia")
    await app.tap(newcomer, "Milano")
    assert "▓" in app.last(newcomer).text or "░" in app.last(newcomer).text  # the group card


async def test_admin_commands_are_refused_to_buyers_and_validated(app: Harness):
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    for command in ("/gb_new", "/gb_list", "/gb_close 1", "/gb_cancel 1 x", "/gb_extend 1 +1d"):
        reply = await app.send(buyer, command)
        assert reply.text == app.t(UNKNOWN, "en"), command
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+1d min=10 offer=dried-shiitake:38"
    )
    admin = app.user(user_id=ADMIN_ID)
    bad = await app.send(
        admin, "/gb_new country=IT city=Milan method=boat deadline=+1d min=10 offer=x:1"
    )
    assert "boat" in bad.text
    bad = await app.send(
        admin, "/gb_new country=IT city=Milan method=rail deadline=+1d min=10 offer=nope:1"
    )
    assert "nope" in bad.text
    extended = await app.send(admin, f"/gb_extend {group.id} +3d")
    assert "✅" in extended.text
    ask = await app.send(admin, f"/gb_cancel {group.id} Customs <strike> at Yiwu")
    assert "Customs <strike> at Yiwu" in ask.text
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).status == "open"  # not before confirming
    await app.tap(admin, "🗑")
    async with app.session_factory() as session:
        cancelled = await session.get(GroupOrder, group.id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Customs <strike> at Yiwu")


async def test_guided_dialog_opens_a_group(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    await app.send(admin, "/gb_new")
    await app.send(admin, "Italia Prato")
    await app.tap(admin, "Skip")
    await app.tap(admin, "rail")
    await app.send(admin, "yesterday")  # refused, same step
    await app.send(admin, "+10d")
    await app.send(admin, "300kg")
    await app.send(admin, "100kg")  # capacity below the minimum: refused
    await app.send(admin, "1000kg")
    await app.send(admin, "0,300,600")
    summary = await app.send(
        admin, "restaurant-rice-25kg 150,140,130\nrestaurant-rice-10kg 65,61,58"
    )
    assert "Prato" in summary.text and "Restaurant rice, 25 kg sack" in summary.text
    await app.tap(admin, "Open the group")
    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).where(GroupOrder.city == "Prato"))).one()
    assert (group.method, group.min_total, group.capacity, group.tiers) == (
        "rail",
        300_000,
        1_000_000,
        [0, 300_000, 600_000],
    )


async def test_orders_lists_current_and_final_prices(app: Harness):
    group = await open_group(
        app,
        "country=IT city=Milan method=rail deadline=+1d min=2 tiers=0,3 offer=dried-shiitake:38,30",
    )
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, group, 2)
    await app.deliver()
    listing = await app.send(buyer, "/orders")
    assert "placed" in listing.text and "CN¥76.00" in plain(listing.text)
    await app.tick(timedelta(days=1, seconds=5))
    listing = await app.send(buyer, "/orders")
    assert "confirmed" in listing.text and "CN¥76.00" in plain(listing.text)
    async with app.session_factory() as session:
        sent = (
            await session.exec(select(Notification).where(Notification.user_id == buyer.id))
        ).all()
    assert {n.kind for n in sent} == {"group_min_reached", "group_formed"}
    assert [(n.kind, n.status, n.last_error) for n in sent if n.status != "sent"] == []


async def test_deadlines_missed_while_down_are_handled_at_startup(app: Harness):
    from datetime import UTC, datetime

    from bot.scheduler import WAKE_JOB, Deadlines

    missed = await open_group(
        app, "country=IT city=Milan method=rail deadline=+1h min=1 offer=dried-shiitake:38"
    )
    later = await open_group(
        app, "country=IT city=Milan method=rail deadline=+2d min=1 offer=dried-shiitake:38"
    )
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, missed, 1)
    app.clock.advance(timedelta(hours=3))  # the bot was down over the deadline
    woken = []
    deadlines = Deadlines(
        session_factory=app.session_factory,
        clock=app.clock,
        remind_before=timedelta(hours=24),
        on_change=lambda: woken.append(True),
    )
    await deadlines.start()
    try:
        async with app.session_factory() as session:
            assert (await session.get(GroupOrder, missed.id)).status == "formed"
            assert (await session.get(GroupOrder, later.id)).status == "open"
        assert woken  # the sender is woken for the queued notifications
        # the next thing due is the later group's reminder, 24 h before its deadline, on the
        # injected clock; the real-time wake is armed that far from the real now, not earlier
        reminder = later.deadline - timedelta(hours=24)
        assert deadlines.next_due == reminder
        job = deadlines.scheduler.get_job(WAKE_JOB)
        real_delay = job.next_run_time - datetime.now(UTC)
        assert abs(real_delay - (reminder - app.clock.now())) < timedelta(seconds=5)
    finally:
        deadlines.shutdown()
    await app.deliver()
    assert "has formed" in app.last(buyer).text


async def test_the_scheduler_follows_the_injected_clock_not_the_calendar(app: Harness):
    """A clock far from the real date (a year ahead, two years back) fires nothing early and
    still finds what is due when it gets there."""
    from datetime import UTC, datetime

    from bot.scheduler import WAKE_JOB, Deadlines
    from core.clock import FrozenClock

    for shift in (timedelta(days=365), timedelta(days=-730)):
        clock = FrozenClock(datetime.now(UTC) + shift)
        app.clock.set(clock.now())  # the admin opens the group on the same shifted clock
        group = await open_group(
            app, "country=IT city=Milan method=air deadline=+2h min=1 offer=dried-shiitake:38"
        )
        deadlines = Deadlines(
            session_factory=app.session_factory, clock=clock, remind_before=timedelta(hours=1)
        )
        await deadlines.start()
        try:
            assert deadlines.next_due == group.deadline - timedelta(hours=1)
            job = deadlines.scheduler.get_job(WAKE_JOB)
            assert job.next_run_time - datetime.now(UTC) > timedelta(minutes=59)
            clock.advance(timedelta(hours=2, seconds=1))
            report = await deadlines.run_due()
            assert [o.group_id for o in report.closed] == [group.id]
            assert deadlines.next_due is None or deadlines.next_due > clock.now()
        finally:
            deadlines.shutdown()


async def test_demo_groups_are_open_in_the_diaspora_cities(app: Harness):
    buyer = app.user(language_code="pt")
    await app.onboard(buyer, language="pt", country="Portugal", city="Lisboa")
    listing = await app.send(buyer, "/groups")
    assert any("Lisboa" in t for t in app.button_texts(listing))
    await app.tap(buyer, "Lisboa")
    card = app.last(buyer)
    assert "0 kg / 300 kg" in card.text.replace("\xa0", " ")
    assert "░░░░░░░░░░" in card.text


async def test_messages_from_groups_are_ignored(app: Harness):
    from aiogram.types import Update

    update = Update.model_validate(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -100123, "type": "supergroup", "title": "Qingtian friends"},
                "from": {"id": 4242, "is_bot": False, "first_name": "X"},
                "text": "tea",
            },
        }
    )
    await app.dp.feed_update(app.bot, update)
    assert app.emulator.calls("sendMessage") == []
    async with app.session_factory() as session:
        from models import User

        assert await session.get(User, 4242) is None


async def test_a_command_typed_in_a_dialog_leaves_it(app: Harness):
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+5d min=10 offer=dried-shiitake:38"
    )
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await app.send(buyer, "/groups")
    await app.press(
        buyer,
        app.last(buyer),
        QtyCb(g=group.id, o=await offer_id(app, group.id), n=1, a="t").pack(),
    )
    orders = await app.send(buyer, "/orders")
    assert "no orders yet" in orders.text  # the command ran, not "not a quantity"
    search = await app.send(buyer, "5")  # and the dialog is over: plain text searches again
    assert "5" in search.text and await order_of(app, group.id, buyer.id) is None


async def test_forged_admin_buttons_from_a_buyer_change_nothing(app: Harness):
    from ui.callbacks import AdminGroupCb, ConfirmCb

    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+5d min=1 offer=dried-shiitake:38"
    )
    buyer = app.user(language_code="fr")
    await app.onboard(buyer, language="fr", country="Italie", city="Milan")
    forged = [AdminGroupCb(id=group.id, a=a).pack() for a in ("new_ok", "skip", "method_air")]
    forged += [ConfirmCb(a=a, t="guess").pack() for a in ("gb_close", "gb_cancel", "agent_remove")]
    for data in forged:
        answer = await app.press(buyer, app.last(buyer), data)
        assert answer.get("show_alert") is True, data  # the same as any out-of-date button
        assert answer["text"] == app.t(STALE, "fr")
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).status == "open"


async def test_extending_counts_from_the_deadline_and_tells_the_participants(app: Harness):
    """`+2d` moves the deadline two days later than it was (it counted from now and was refused
    as not later), and every participant is told the new deadline in their own language."""
    from datetime import timedelta

    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=10 offer=dried-shiitake:38"
    )
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, buyer, group, 2)
    await app.deliver()
    admin = app.user(user_id=ADMIN_ID)
    reply = await app.send(admin, f"/gb_extend {group.id} +2d")
    assert "✅" in reply.text
    async with app.session_factory() as session:
        moved = await session.get(GroupOrder, group.id)
    assert moved.deadline.replace(tzinfo=None) == (group.deadline + timedelta(days=2)).replace(
        tzinfo=None
    )
    await app.deliver()
    told = app.last(buyer)
    opening = app.t(
        "⏳ <b>{name}</b> stays open longer: it now closes {deadline}. "
        "You can still join or change your order until then.",
        "it",
    ).split("<b>")[0]
    assert told.text.startswith(opening) and "Milano" in told.text
    # once: the same extension does not tell them twice
    await app.deliver()
    assert sum(1 for text in app.texts(buyer) if text.startswith(opening)) == 1


async def test_gb_new_refuses_a_product_restricted_in_the_destination(app: Harness):
    """Iberian ham may not go to Italy: /gb_new refuses it in one line and in the dialog, and a
    buyer can't join with it if a restriction came after the group opened."""
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        products = (await session.exec(select(Product))).all()
    ham = next(p for p in products if "IT" in p.restricted_countries and p.unit_weight_g > 0)
    async with app.session_factory() as session:
        groups_before = len((await session.exec(select(GroupOrder))).all())
    one_line = await app.send(
        admin, f"/gb_new country=IT city=Milan method=rail deadline=+5d min=1 offer={ham.slug}:50"
    )
    assert "may not be shipped to Italy" in one_line.text
    async with app.session_factory() as session:
        assert len((await session.exec(select(GroupOrder))).all()) == groups_before
    await app.send(admin, "/gb_new")
    await app.send(admin, "IT Milan")
    await app.tap(admin, "Skip")
    await app.tap(admin, "rail")
    await app.send(admin, "+5d")
    await app.send(admin, "5")
    await app.tap(admin, "Skip")
    await app.tap(admin, "Skip")
    refused = await app.send(admin, f"{ham.slug} 50")
    assert "may not be shipped to Italy" in refused.text
    assert "✖ Cancel" in app.button_texts(refused)  # still in the step
    # a product restricted after its group opened: nobody in Italy can order it
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+5d min=1 offer=dried-shiitake:38"
    )
    async with app.session_factory() as session:
        shiitake = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()
        shiitake.restricted_countries = ["IT"]
        session.add(shiitake)
        await session.commit()
        offer = (
            await session.exec(select(GroupOffer).where(GroupOffer.group_id == group.id))
        ).one()
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await app.send(buyer, f"/start g{group.id}")
    answer = await app.press(
        buyer, app.last(buyer), QtyCb(g=group.id, o=offer.id, n=2, a="ok").pack()
    )
    assert "may not be shipped to Italy" in (answer.get("text") or app.last(buyer).text)
    async with app.session_factory() as session:
        assert not (await session.exec(select(Order).where(Order.group_id == group.id))).all()


async def test_gb_new_warns_of_a_city_without_agent_and_names_the_admins_zone(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")  # never set up: UTC, unknowingly
    await app.send(admin, "/gb_new")
    await app.send(admin, "DE Hamburg")
    await app.tap(admin, "Skip")
    await app.tap(admin, "air")
    step = app.last(admin)
    assert "Times are read in UTC: you have not set a time zone" in step.text
    await app.send(admin, "/timezone Europe/Berlin")  # the dialog goes on
    assert "Europe/Berlin" in app.last(admin).text
    await app.send(admin, "2099-01-02 12:00")  # too far: refused, still in the step
    await app.send(admin, "+3d")
    await app.send(admin, "5")
    await app.tap(admin, "Skip")
    await app.tap(admin, "Skip")
    summary = await app.send(admin, "dried-shiitake 38")
    assert "has no agent yet" in summary.text and "/agent_add" in summary.text
    assert "(Europe/Berlin)" in summary.text
    await app.tap(admin, "Open the group")
    opened = app.last(admin)
    assert "is open" in opened.text and "has no agent yet" in opened.text
    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).order_by(GroupOrder.id.desc()))).first()
    # Milan has an agent in the demo: no warning there
    milan = await app.send(
        admin,
        "/gb_new country=IT city=Milan method=rail deadline=+5d min=1 offer=dried-shiitake:38",
    )
    assert "is open" in milan.text and "has no agent" not in milan.text
    assert group.city == "Hamburg"


async def test_cancel_inside_gb_new_stays_with_the_admin(app: Harness):
    """An admin who never set up a profile presses Cancel in /gb_new: the dialog ends there,
    not in the buyers' set-up."""
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.send(admin, "/gb_new")
    await app.send(admin, "IT Milan")
    await app.tap(admin, "Cancel")
    last = app.last(admin)
    assert last.text == "Cancelled. Nothing was changed."
    assert "country" not in last.text.lower() and last.buttons == []
    follow = await app.send(admin, "+5d")  # the dialog is over: this is not a deadline
    assert "Step" not in follow.text
    await app.send(admin, "/gb_new")
    typed = await app.send(admin, "/cancel")  # typed, as pressed
    assert typed.text == "Cancelled. Nothing was changed." and typed.buttons == []


async def test_a_skip_pressed_twice_skips_one_step(app: Harness):
    """Skip carries its step: pressed again (a double tap, an older message) on the next step,
    it is out of date and the step stays."""
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    await app.send(admin, "/gb_new")
    await app.send(admin, "IT Milan")
    await app.tap(admin, "Skip")
    await app.tap(admin, "rail")
    await app.send(admin, "+5d")
    step6 = await app.send(admin, "5")
    assert "Step 6 of 8" in step6.text
    skip = next(data for row in step6.buttons for text, data in row if "Skip" in text)
    await app.press(admin, step6, skip)
    assert "Step 7 of 8" in app.last(admin).text
    answer = await app.press(admin, step6, skip)  # the same Skip again
    assert answer.get("show_alert") is True
    assert "Step 7 of 8" in app.last(admin).text  # still on the tiers
