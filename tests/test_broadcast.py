"""/broadcast end to end: a segment chosen with buttons, the message previewed per language as
its readers get it, confirmed, delivered once to each with the header in their language, the
admin's progress message edited as it goes and the final report; a stop midway; the segments'
rules; and bad input (non-admins, forged or used confirmations, oversized or unsupported
messages, HTML typed as text, a photo with a caption)."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlmodel import col, select

from bot.sandbox.emulator import utf16_len
from core.locales import LANGUAGE_NAMES
from models import (
    Agent,
    AuditEntry,
    Broadcast,
    BroadcastStatus,
    GroupOrder,
    Notification,
    Order,
    OutboxStatus,
    User,
)
from services import broadcast
from services.broadcast import Counts, Progress, Segment, SegmentKind
from services.seed import DEMO_AGENT
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui import broadcast as views
from ui.broadcast import BroadcastAction, BroadcastCb
from ui.callbacks import ConfirmAction, ConfirmCb
from ui.context import RenderContext

pytestmark = pytest.mark.clock

HEADER = "📢 <b>Qingtian Bridge</b>"
EXPIRED = "This confirmation has expired or was already used. Nothing was changed."
UNKNOWN = "I don't know that command. Send /help to see what I can do."
STALE = "This button is out of date. Please open the menu again with /start."

_ids = iter(range(70_000, 80_000))


async def people(app: Harness, *specs: tuple[str, str, str], **fields: Any) -> list[User]:
    """Onboarded users (locale, country, city), written directly, each with a chat with the bot."""
    made = []
    async with app.session_factory() as session:
        for locale, country, city in specs:
            user = User(
                id=next(_ids), first_name=f"u{locale}", language_code=locale.split("_")[0],
                locale=locale, country=country, city=city, currency="EUR",
                timezone="Europe/Madrid", **fields,
            )  # fmt: skip
            session.add(user)
            made.append(user)
        await session.commit()
    for user in made:
        app.emulator.register(app.user(user_id=user.id, language_code=user.language_code))
        app.emulator.chats[user.id].started = True
    return made


def emu(app: Harness, user: User):  # noqa: ANN201
    return app.user(user_id=user.id, language_code=user.language_code)


async def admin_of(app: Harness):  # noqa: ANN201
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    return admin


def received(app: Harness, user: User) -> list:
    return app.emulator.bot_messages(user.id)


def header_of(app: Harness, locale: str) -> str:
    return app.t(HEADER, locale)


def plain_header(app: Harness, locale: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", header_of(app, locale)))


async def choose_city(app: Harness, admin, city: str) -> Any:
    """/broadcast → A city… → the city's button; returns the step-2 prompt."""
    menu = await app.send(admin, "/broadcast")
    assert menu is not None and "Step 1 of 3" in menu.text
    await app.tap(admin, "A city")
    await app.tap(admin, city)
    return app.last(admin)


async def compose(app: Harness, admin, city: str, message: str) -> Any:
    """Up to the confirmation prompt; returns it."""
    await choose_city(app, admin, city)
    return await app.send(admin, message)


def yes_data(prompt) -> str:  # noqa: ANN001
    return prompt.buttons[0][0][1]


async def broadcasts(app: Harness) -> list[Broadcast]:
    async with app.session_factory() as session:
        return list((await session.exec(select(Broadcast).order_by(col(Broadcast.id)))).all())


async def rows_of(app: Harness, broadcast_id: int) -> list[Notification]:
    low, high = broadcast.key_range(broadcast_id)
    async with app.session_factory() as session:
        found = await session.exec(
            select(Notification).where(
                col(Notification.dedup_key) >= low, col(Notification.dedup_key) < high
            )
        )
        return list(found.all())


def edits_of(app: Harness, chat_id: int, message_id: int) -> list[str]:
    return [
        str(call.params.get("text"))
        for call in app.emulator.calls("editMessageText")
        if str(call.params.get("chat_id")) == str(chat_id)
        and str(call.params.get("message_id")) == str(message_id)
    ]


# ── the whole story ──────────────────────────────────────────────────────────────────────

MADRID = (
    [("es", "ES", "Madrid")] * 10 + [("zh_Hans", "ES", "Madrid")] * 10
    + [("en", "ES", "Madrid")] * 6 + [("it", "ES", "Madrid")] * 4
)  # fmt: skip


async def test_a_broadcast_previewed_per_language_confirmed_delivered_with_live_progress(
    app: Harness,
):
    admin = await admin_of(app)
    readers = await people(app, *MADRID)
    elsewhere = await people(app, ("es", "ES", "Barcelona"))
    prompt = await choose_city(app, admin, "Madrid")
    assert "Recipients: Everyone in Madrid, Spain — 30 people." in prompt.text
    assert "Step 2 of 3" in prompt.text and "Cancel" in prompt.buttons[-1][0][0]
    typed = "Hello <b>friends</b> & family: rice arrives on Friday."
    confirm_prompt = await app.send(admin, typed)

    # one preview per language, exactly as its readers get it, largest group first
    escaped = html.escape(typed, quote=False)
    shown = app.emulator.bot_messages(ADMIN_ID)[-5:-1]
    counts = {"es": 10, "zh_Hans": 10, "en": 6, "it": 4}
    assert [m.html for m in shown] == [
        f"{header_of(app, locale)}\n\n{escaped}" for locale in ("zh_Hans", "es", "en", "it")
    ]
    for message, locale in zip(shown, ("zh_Hans", "es", "en", "it"), strict=True):
        label = message.buttons[0][0][0]
        assert LANGUAGE_NAMES[locale] in label and f"{counts[locale]} readers see this" in label
        header_end = utf16_len(plain_header(app, locale))
        assert message.entities  # the header's bold
        assert all(e["offset"] + e["length"] <= header_end for e in message.entities)
        assert message.text.endswith(typed)  # the typed tags are text, not bold
    assert "Recipients: Everyone in Madrid, Spain — 30 people. Send it?" in confirm_prompt.text
    assert confirm_prompt.buttons[0][0][0] == "📢 Send to 30 people"
    assert await broadcasts(app) == []  # nothing before the confirmation

    await app.tap(admin, "📢 Send to 30 people", confirm_prompt)
    shown_at_start = len(edits_of(app, ADMIN_ID, confirm_prompt.message_id))  # the prompt became it
    [sent] = await broadcasts(app)
    assert (sent.status, sent.total, sent.admin_id) == (BroadcastStatus.SENDING, 30, ADMIN_ID)
    assert sent.progress_message_id == confirm_prompt.message_id
    progress = app.emulator.message(ADMIN_ID, confirm_prompt.message_id)
    assert "░░░░░░░░░░ 0% · 0 / 30" in progress.text
    assert progress.buttons == [
        [("⏹ Stop", BroadcastCb(a=BroadcastAction.STOP, id=sent.id).pack())]
    ]
    rows = await rows_of(app, sent.id)
    assert sorted(r.user_id for r in rows) == sorted(u.id for u in readers)
    assert {r.dedup_key for r in rows} == {f"broadcast:{sent.id}:{u.id}" for u in readers}
    async with app.session_factory() as session:
        [entry] = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "broadcast.send"))
        ).all()
    assert (entry.admin_id, entry.object_type, entry.object_id) == (ADMIN_ID, "broadcast",
                                                                      str(sent.id))  # fmt: skip
    assert entry.after["total"] == 30 and entry.after["segment"] == {
        "kind": "city", "value": "ES", "city": "Madrid"
    }  # fmt: skip

    # part of it goes out: two readers blocked the bot, eight answer 500 for now
    for reader in readers[:2]:
        app.emulator.block(emu(app, reader), notify=False)
    for reader in readers[22:]:
        app.emulator.inject("sendMessage", chat_id=reader.id, error_code=500, times=None)
    await app.deliver()
    assert await app.broadcast_progress(timedelta(seconds=1)) == 0  # not before 5 s
    assert len(edits_of(app, ADMIN_ID, confirm_prompt.message_id)) == shown_at_start
    assert await app.broadcast_progress(timedelta(seconds=4)) == 1
    [edit] = edits_of(app, ADMIN_ID, confirm_prompt.message_id)[shown_at_start:]
    assert "▓▓▓▓▓▓▓░░░ 73% · 22 / 30 · 2 blocked · ETA" in edit
    progress = app.emulator.message(ADMIN_ID, confirm_prompt.message_id)
    assert progress.buttons[0][0][0] == "⏹ Stop"
    assert await app.broadcast_progress() == 0  # the same moment again: not edited twice

    # the rest goes out later; the final report
    app.emulator.clear_faults()
    app.clock.advance(timedelta(minutes=10))
    await app.deliver()
    assert await app.broadcast_progress() == 1
    report = app.last(admin)
    assert report.reply_to_message_id == confirm_prompt.message_id
    assert "✅ Broadcast #" in report.text and "sent" in report.text
    assert "📨 Delivered to 28 people" in report.text
    assert "🚫 2 people have blocked the bot" in report.text
    assert "⏱ It took 10 minutes" in report.text
    progress = app.emulator.message(ADMIN_ID, confirm_prompt.message_id)
    assert "▓▓▓▓▓▓▓▓▓▓ 100% · 30 / 30 · 2 blocked" in progress.text and "✅ Done." in progress.text
    assert progress.buttons == []  # nothing left to stop
    [done] = await broadcasts(app)
    assert done.status == BroadcastStatus.DONE and done.finished_at is not None
    assert await app.broadcast_progress(timedelta(seconds=30)) == 0  # reported once

    # each reader got it once, the header in their language, the typed HTML as text
    for reader in readers[2:]:
        [message] = received(app, reader)
        assert message.html == f"{header_of(app, reader.locale)}\n\n{escaped}"
    for reader in readers[:2] + elsewhere:
        assert received(app, reader) == []


# ── stopping ─────────────────────────────────────────────────────────────────────────────


async def test_a_stop_midway_keeps_the_rest_from_ever_arriving(app: Harness):
    admin = await admin_of(app)
    readers = await people(app, *MADRID[:12])
    prompt = await compose(app, admin, "Madrid", "Harvest festival on Sunday")
    await app.tap(admin, "📢 Send to 12 people", prompt)
    [sent] = await broadcasts(app)
    held = readers[7:]  # these five cannot be reached yet (500s): still pending
    for reader in held:
        app.emulator.inject("sendMessage", chat_id=reader.id, error_code=500, times=None)
    await app.deliver()
    assert all(len(received(app, r)) == 1 for r in readers[:7])

    answer = await app.tap(admin, "⏹ Stop", app.emulator.message(ADMIN_ID, prompt.message_id))
    assert answer["text"] == "⏹ Stopped: 5 messages will not be sent."
    report = app.last(admin)
    assert "⏹ Broadcast #" in report.text and "stopped" in report.text
    assert "📨 Delivered to 7 people" in report.text
    assert "⏹ 5 messages were not sent (stopped)" in report.text
    progress = app.emulator.message(ADMIN_ID, prompt.message_id)
    assert "7 / 12" not in progress.text and "12 / 12" in progress.text  # all handled
    assert "⏹ Stopped." in progress.text and progress.buttons == []
    [stopped] = await broadcasts(app)
    assert stopped.status == BroadcastStatus.STOPPED and stopped.finished_at is not None
    rows = {r.user_id: r for r in await rows_of(app, sent.id)}
    assert {(rows[r.id].status, rows[r.id].last_error) for r in held} == {
        (OutboxStatus.SKIPPED, "stopped")
    }
    async with app.session_factory() as session:
        [entry] = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "broadcast.stop"))
        ).all()
    assert entry.object_id == str(sent.id) and entry.after == {"status": "stopped", "skipped": 5}

    app.emulator.clear_faults()
    await app.tick(timedelta(hours=1))
    assert all(received(app, r) == [] for r in held)  # never
    assert await app.broadcast_progress(timedelta(minutes=1)) == 0
    again = await app.press(admin, prompt, BroadcastCb(a=BroadcastAction.STOP, id=sent.id).pack())
    assert again["show_alert"] is True and "no longer sending (stopped)" in again["text"]


async def test_stopped_before_any_was_sent_nothing_arrives(app: Harness):
    admin = await admin_of(app)
    readers = await people(app, *MADRID[:5])
    prompt = await compose(app, admin, "Madrid", "Oops, wrong text")
    await app.tap(admin, "📢 Send to 5 people", prompt)
    await app.tap(admin, "⏹ Stop", app.emulator.message(ADMIN_ID, prompt.message_id))
    await app.deliver()
    assert all(received(app, r) == [] for r in readers)
    assert "⏹ 5 messages were not sent (stopped)" in app.last(admin).text
    assert "Delivered to 0 people" in app.last(admin).text


async def test_rows_a_sender_had_claimed_are_skipped_after_a_stop(app: Harness):
    """A row claimed (leased) by a sender when the stop came is left to that sender, which
    renders it to nothing: it is skipped, never sent, and the report waits for it."""
    admin = await admin_of(app)
    readers = await people(app, *MADRID[:4])
    prompt = await compose(app, admin, "Madrid", "Claimed")
    await app.tap(admin, "📢 Send to 4 people", prompt)
    [sent] = await broadcasts(app)
    shown = len(app.emulator.bot_messages(ADMIN_ID))
    claimed = await app.sender._claim(0)  # a sender (crashed since) holds them all
    assert {r.id for r in await rows_of(app, sent.id)} <= set(claimed)
    answer = await app.tap(admin, "⏹ Stop", app.emulator.message(ADMIN_ID, prompt.message_id))
    assert answer["text"] == "⏹ Stopped: 0 messages will not be sent."
    progress = app.emulator.message(ADMIN_ID, prompt.message_id)
    assert "4 messages were already with the sender" in progress.text
    assert progress.buttons == []  # nothing left to stop
    assert len(app.emulator.bot_messages(ADMIN_ID)) == shown  # no report yet
    app.clock.advance(timedelta(minutes=2))  # the lease runs out: another sender takes them
    await app.deliver()
    assert all(received(app, r) == [] for r in readers)
    assert {r.last_error for r in await rows_of(app, sent.id)} == {"no longer applies"}
    assert await app.broadcast_progress() == 1
    assert "⏹ 4 messages were not sent (stopped)" in app.last(admin).text


async def test_a_report_telegram_could_not_take_is_sent_at_the_next_pass(app: Harness):
    admin = await admin_of(app)
    await people(app, *MADRID[:2])
    prompt = await compose(app, admin, "Madrid", "Report me")
    await app.tap(admin, "📢 Send to 2 people", prompt)
    await app.deliver()
    app.emulator.inject("sendMessage", chat_id=ADMIN_ID, error_code=502, times=1)
    assert await app.broadcast_progress() == 0
    [sent] = await broadcasts(app)
    assert sent.finished_at is None  # not reported yet
    assert await app.broadcast_progress() == 1
    reports = [m for m in app.emulator.bot_messages(ADMIN_ID) if "📨 Delivered" in (m.text or "")]
    assert len(reports) == 1 and "Delivered to 2 people" in reports[0].text
    assert await app.broadcast_progress(timedelta(minutes=1)) == 0


# ── segments ─────────────────────────────────────────────────────────────────────────────


async def _group(app: Harness, status: str = "open") -> int:
    async with app.session_factory() as session:
        group = GroupOrder(
            country="IT", city="Rome", method="rail", deadline=app.clock.now() + timedelta(days=3),
            measure="weight", min_total=1000, status=status,
        )  # fmt: skip
        session.add(group)
        await session.commit()
        return group.id


async def _order(app: Harness, user: User, group_id: int, status: str = "placed") -> None:
    async with app.session_factory() as session:
        session.add(Order(group_id=group_id, user_id=user.id, status=status))
        await session.commit()


async def test_segments_select_the_right_people(app: Harness):
    (milan,) = await people(app, ("it", "IT", "Milan"))
    (madrid,) = await people(app, ("es", "ES", "Madrid"))
    (blocked,) = await people(app, ("zh_Hans", "ES", "Madrid"), is_blocked=True)
    (banned,) = await people(app, ("it", "IT", "Rome"), is_banned=True)
    (buyer,) = await people(app, ("it", "IT", "Rome"))
    (paid,) = await people(app, ("en", "IT", "Rome"))
    (delivered,) = await people(app, ("en", "FR", "Paris"))
    (failed,) = await people(app, ("es", "ES", "Madrid"))
    (agent,) = await people(app, ("de", "DE", "Berlin"))
    (banned_buyer,) = await people(app, ("de", "DE", "Berlin"), is_banned=True)
    async with app.session_factory() as session:
        newcomer = User(id=next(_ids), first_name="new", language_code="pt-BR")  # not onboarded
        session.add(newcomer)
        session.add(Agent(user_id=agent.id, country="DE", city="Berlin"))
        session.add(Agent(user_id=banned.id, country="IT", city="Rome"))
        await session.commit()
    open_group, failed_group = await _group(app), await _group(app, "failed")
    await _order(app, buyer, open_group)
    await _order(app, paid, open_group, "paid")
    await _order(app, banned_buyer, open_group)
    await _order(app, delivered, open_group, "delivered")
    await _order(app, milan, open_group, "cancelled")
    await _order(app, failed, failed_group)

    async def ids(kind: SegmentKind, value: str = "", city: str = "") -> set[int]:
        async with app.session_factory() as session:
            return set(await broadcast.recipient_ids(session, Segment(kind, value, city)))

    demo = DEMO_AGENT["id"]  # the demo's Milan agent (zh_Hans)
    reachable = {milan.id, madrid.id, buyer.id, paid.id, delivered.id, failed.id, agent.id,
                 newcomer.id, demo}  # fmt: skip
    assert await ids(SegmentKind.ALL) == reachable  # newcomers too; never blocked or banned
    assert await ids(SegmentKind.LANGUAGE, "it") == {milan.id, buyer.id}
    assert await ids(SegmentKind.LANGUAGE, "zh_Hans") == {demo}
    assert await ids(SegmentKind.COUNTRY, "ES") == {madrid.id, failed.id}
    assert await ids(SegmentKind.CITY, "IT", "Rome") == {buyer.id, paid.id}
    assert await ids(SegmentKind.CITY, "IT", "Milan") == {milan.id, demo}
    assert await ids(SegmentKind.BUYERS) == {buyer.id, paid.id}
    assert await ids(SegmentKind.AGENTS) == {agent.id, demo}

    # the menu and the lists show those counts
    admin = app.user(user_id=ADMIN_ID, language_code="en")  # not onboarded: still an admin
    menu = await app.send(admin, "/broadcast")
    labels = app.button_texts(menu)
    assert "👥 Everyone (10)" in labels  # and the admin, who has just started the bot
    assert "🛒 Buyers with open orders (2)" in labels and "🧑‍💼 Agents (2)" in labels
    await app.tap(admin, "A language")
    languages = app.button_texts(app.last(admin))
    assert "🇮🇹 Italiano (2)" in languages and "🇩🇪 Deutsch (1)" in languages
    assert not any("Português" in label for label in languages)  # nobody chose it
    await app.tap(admin, "Back")
    await app.tap(admin, "A country")
    countries = app.button_texts(app.last(admin))
    assert countries[:2] == ["🇮🇹 Italy (4)", "🇪🇸 Spain (2)"]
    await app.tap(admin, "Spain")
    assert "Recipients: Everyone in Spain — 2 people." in app.last(admin).text
    async with app.session_factory() as session:
        found = await broadcast.audience(session, Segment(SegmentKind.ALL))
    assert dict(found.locales)["pt"] == 1  # the newcomer reads it in their Telegram language
    assert found.total == 10


async def test_a_segment_with_nobody_left_is_refused_at_each_step(app: Harness):
    admin = await admin_of(app)
    await app.send(admin, "/broadcast")
    answer = await app.tap(admin, "Agents")  # the demo's agent only
    assert "Step 2 of 3" in app.last(admin).text
    async with app.session_factory() as session:
        agent = await session.get(User, DEMO_AGENT["id"])
        agent.is_blocked = True
        session.add(agent)
        await session.commit()
    await app.send(admin, "/broadcast")
    answer = await app.tap(admin, "Agents")
    assert answer["show_alert"] is True and "Nobody in this segment" in answer["text"]
    assert "Step 1 of 3" in app.last(admin).text  # still choosing


async def test_many_cities_come_a_page_at_a_time(app: Harness):
    admin = await admin_of(app)
    await people(app, *[("en", "NL", f"Town {n:02}") for n in range(23)])
    await app.send(admin, "/broadcast")
    await app.tap(admin, "A city")
    first = app.last(admin)
    assert [label for label, _data in first.buttons[-2]] == ["1/3", "▶️"]
    await app.tap(admin, "▶️")
    await app.tap(admin, "▶️")
    last = app.last(admin)
    assert "3/3" in app.button_texts(last) and "▶️" not in app.button_texts(last)
    await app.tap(admin, "Town 22")
    assert "Recipients: Everyone in Town 22, Netherlands — 1 person." in app.last(admin).text
    # an index beyond the list (forged) is out of date
    forged = BroadcastCb(a=BroadcastAction.PICK, k=SegmentKind.CITY, i=99).pack()
    await app.send(admin, "/broadcast")
    await app.tap(admin, "A city")
    answer = await app.press(admin, app.last(admin), forged)
    assert answer["text"] == STALE


# ── bad input ────────────────────────────────────────────────────────────────────────────


async def test_non_admins_get_the_unknown_command_reply_and_change_nothing(app: Harness):
    await people(app, *MADRID[:3])
    stranger = app.user(language_code="en")
    await app.onboard(stranger, language="en", country="Italy", city="Milan")
    for command in ("/broadcast", "/broadcasts"):
        reply = await app.send(stranger, command)
        assert reply.text == UNKNOWN
    last = app.last(stranger)
    for data in (
        BroadcastCb(a=BroadcastAction.SEGMENT, k=SegmentKind.ALL).pack(),
        BroadcastCb(a=BroadcastAction.STOP, id=1).pack(),
        ConfirmCb(a=ConfirmAction.BROADCAST, t="forged").pack(),
    ):
        answer = await app.press(stranger, last, data)
        assert answer["text"] == STALE
    assert await broadcasts(app) == []


async def test_forged_used_and_expired_confirmations_send_nothing(app: Harness):
    admin = await admin_of(app)
    await people(app, *MADRID[:3])
    prompt = await compose(app, admin, "Madrid", "Hello")
    forged = await app.press(admin, prompt, ConfirmCb(a=ConfirmAction.BROADCAST, t="x1y2z3").pack())
    assert forged["show_alert"] is True and forged["text"] == EXPIRED
    assert await broadcasts(app) == []
    app.clock.advance(timedelta(minutes=31))
    late = await app.tap(admin, "📢 Send", prompt)
    assert late["text"] == EXPIRED and await broadcasts(app) == []

    prompt = await compose(app, admin, "Madrid", "Hello again")
    yes = yes_data(prompt)
    await app.tap(admin, "📢 Send", prompt)
    used = await app.press(admin, prompt, yes)  # the same Yes again
    assert used["text"] == EXPIRED
    [sent] = await broadcasts(app)
    assert len(await rows_of(app, sent.id)) == 3


async def test_a_double_tap_handled_at_once_sends_once(app: Harness):
    admin = await admin_of(app)
    readers = await people(app, *MADRID[:6])
    prompt = await compose(app, admin, "Madrid", "Twice?")
    for _tap in range(2):
        app.emulator.press_button(admin, prompt.message_id, yes_data(prompt))
    await app.process_at_once()
    [sent] = await broadcasts(app)
    assert len(await rows_of(app, sent.id)) == 6
    await app.deliver()
    assert all(len(received(app, r)) == 1 for r in readers)


async def test_the_same_confirmation_cannot_send_twice(app: Harness):
    """Two taps of one Yes handled at the same moment (several workers, FSM data in Redis)
    may both find the confirmation: the broadcast keeps its token, so the second sends nothing."""
    await people(app, *MADRID[:3])
    segment = Segment(SegmentKind.CITY, "ES", "Madrid")
    made = []
    for _tap in range(2):
        async with app.session_factory() as session:
            made.append(
                await broadcast.create(
                    session,
                    admin_id=ADMIN_ID,
                    segment=segment,
                    text="Once",
                    photo=None,
                    token="same-token",
                    progress_message_id=None,
                    now=app.clock.now(),
                )  # fmt: skip
            )
    first, second = made
    assert first.created and not second.created
    assert second.broadcast.id == first.broadcast.id
    assert len(await broadcasts(app)) == 1 and len(await rows_of(app, first.broadcast.id)) == 3
    async with app.session_factory() as session:
        other = await broadcast.create(
            session, admin_id=ADMIN_ID, segment=segment, text="Again", photo=None,
            token="another-token", progress_message_id=None, now=app.clock.now(),
        )  # fmt: skip
    assert other.created and len(await broadcasts(app)) == 2


async def test_a_preview_telegram_refuses_keeps_the_step(app: Harness):
    admin = await admin_of(app)
    await people(app, ("es", "ES", "Madrid"))
    await choose_city(app, admin, "Madrid")
    app.emulator.inject(
        "sendMessage", chat_id=ADMIN_ID, error_code=400,
        description="Bad Request: can't parse entities: <b>", times=1,
    )  # fmt: skip
    reply = await app.send(admin, "Hello")
    assert reply.text == (
        "Telegram refused this message (Bad Request: can't parse entities: <b>). "
        "Change it and send it again."
    )
    prompt = await app.send(admin, "Hello")  # still in the step
    assert "Step 3 of 3" in prompt.text and await broadcasts(app) == []


async def test_a_cancelled_dialog_and_its_prompt_send_nothing(app: Harness):
    admin = await admin_of(app)
    await people(app, *MADRID[:2])
    await choose_city(app, admin, "Madrid")
    await app.tap(admin, "Cancel")
    reply = await app.send(admin, "rice")  # a search now, not a broadcast
    assert "Step 3 of 3" not in (reply.text or "")
    prompt = await compose(app, admin, "Madrid", "Hello")
    yes = yes_data(prompt)
    await app.tap(admin, "↩ Don't send", prompt)
    assert await broadcasts(app) == []
    again = await app.press(admin, prompt, yes)
    assert again["text"] == EXPIRED and await broadcasts(app) == []


async def test_oversized_empty_and_unsupported_messages_are_refused_in_the_step(app: Harness):
    admin = await admin_of(app)
    readers = await people(app, ("es", "ES", "Madrid"), ("en", "ES", "Madrid"))
    await choose_city(app, admin, "Madrid")
    room = 4096 - len(plain_header(app, "en")) - 2
    reply = await app.send(admin, "x" * (room + 3))
    assert "The message is 3 characters too long" in reply.text and "4,096" in reply.text
    assert reply.buttons[0][0][0] == "✖ Cancel"
    reply = await app.send(admin, "   ")
    assert reply.text == "The message is empty. Send a text, or a photo with a caption."
    reply = await app.send(admin, "\x00")
    assert reply.text.startswith("The message is empty")
    app.emulator.send_document(admin, "menu.pdf", b"%PDF-1.4")
    await app.process()
    assert app.last(admin).text.startswith("Only a text, or a photo with a caption")
    # a CSV is not taken for a shipment file mid-dialog, nor /help for the message
    app.emulator.send_document(admin, "list.csv", b"shipment,event\n1,packed\n")
    await app.process()
    assert app.last(admin).text.startswith("Only a text, or a photo with a caption")
    reply = await app.send(admin, "/help")
    assert reply.text.startswith("That is a command, not the message to send")
    app.emulator._from_user(admin)  # what the emulator cannot send (a sticker, a voice note)
    await app.process()
    assert app.last(admin).text.startswith("Only a text, or a photo with a caption")
    app.emulator.send_photo(admin, b"\xff\xd8jpeg", caption="y" * 1020)
    await app.process()
    assert "The caption is" in app.last(admin).text and "1,024" in app.last(admin).text
    assert await broadcasts(app) == []
    # still in the step: a message that fits goes on to the previews, at exactly the limit
    prompt = await app.send(admin, "x" * room)
    assert "Step 3 of 3" in prompt.text
    await app.tap(admin, "📢 Send to 2 people", prompt)
    await app.deliver()
    for reader in readers:
        [message] = received(app, reader)
        assert len(message.text) == 4096 and message.text.endswith("x" * room)


async def test_formatting_is_kept_and_typed_html_arrives_as_text(app: Harness):
    admin = await admin_of(app)
    (reader,) = await people(app, ("it", "ES", "Madrid"))
    await choose_city(app, admin, "Madrid")
    # the admin's own bold and link (entities), beside HTML typed as text
    words = "Big sale <i>now</i> at Qingtian"
    app.emulator._from_user(
        admin, text=words, html=html.escape(words, quote=False),
        entities=[{"type": "bold", "offset": 0, "length": 8},
                  {"type": "text_link", "offset": 23, "length": 8, "url": "https://example.com/"}],
    )  # fmt: skip
    await app.process()
    prompt = app.last(admin)
    await app.tap(admin, "📢 Send to 1 person", prompt)
    await app.deliver()
    [message] = received(app, reader)
    body = '<b>Big sale</b> &lt;i&gt;now&lt;/i&gt; at <a href="https://example.com/">Qingtian</a>'
    assert message.html == f"{header_of(app, 'it')}\n\n{body}"
    assert message.text.endswith("Big sale <i>now</i> at Qingtian")
    start = utf16_len(plain_header(app, "it")) + 2
    kinds = {(e["type"], e["offset"] - start, e["length"]) for e in message.entities
             if e["offset"] >= start}  # fmt: skip
    assert kinds == {("bold", 0, 8), ("text_link", 23, 8)}


async def test_a_photo_broadcast_arrives_as_a_photo_with_its_caption(app: Harness):
    admin = await admin_of(app)
    readers = await people(app, ("es", "ES", "Madrid"), ("zh_Hans", "ES", "Madrid"))
    await choose_city(app, admin, "Madrid")
    app.emulator.send_photo(admin, b"\xff\xd8new-tea", caption="New green tea <3")
    await app.process()
    previews = [m for m in app.emulator.bot_messages(ADMIN_ID) if m.photo]
    assert len(previews) == 2
    assert {m.caption_html for m in previews} == {
        f"{header_of(app, locale)}\n\nNew green tea &lt;3" for locale in ("es", "zh_Hans")
    }
    prompt = app.last(admin)
    await app.tap(admin, "📢 Send to 2 people", prompt)
    await app.deliver()
    photos = [c for c in app.emulator.calls("sendPhoto") if int(c.params["chat_id"]) != ADMIN_ID]
    assert sorted(int(c.params["chat_id"]) for c in photos) == sorted(r.id for r in readers)
    for reader in readers:
        [message] = received(app, reader)
        assert message.photo is not None
        assert message.caption_html == f"{header_of(app, reader.locale)}\n\nNew green tea &lt;3"
    [sent] = await broadcasts(app)
    assert sent.photo == previews[0].photo  # the admin's own photo, by its file_id


async def test_the_list_of_broadcasts_and_its_stop_buttons(app: Harness):
    admin = await admin_of(app)
    reply = await app.send(admin, "/broadcasts")
    assert reply.text == "No broadcast yet. Start one with /broadcast."
    await people(app, *MADRID[:3])
    prompt = await compose(app, admin, "Madrid", "First <news>")
    await app.tap(admin, "📢 Send", prompt)
    await app.deliver()
    await app.broadcast_progress()
    prompt = await compose(app, admin, "Madrid", "Second")
    await app.tap(admin, "📢 Send", prompt)
    listing = await app.send(admin, "/broadcasts")
    assert "#2" in listing.text and "sending" in listing.text and "“Second”" in listing.text
    assert "#1" in listing.text and "sent" in listing.text and "3 of 3 delivered" in listing.text
    assert "“First <news>”" in listing.text
    assert app.button_texts(listing) == ["⏹ Stop #2"]
    answer = await app.tap(admin, "⏹ Stop #2", listing)
    assert answer["text"] == "⏹ Stopped: 3 messages will not be sent."
    async with app.session_factory() as session:
        second = await session.get(Broadcast, 2)
    assert second.status == BroadcastStatus.STOPPED
    done = await app.press(admin, listing, BroadcastCb(a=BroadcastAction.STOP, id=1).pack())
    assert "no longer sending (sent)" in done["text"]
    missing = await app.press(admin, listing, BroadcastCb(a=BroadcastAction.STOP, id=99).pack())
    assert missing["text"] == "There is no such broadcast."
    out_of_range = await app.press(admin, listing, f"bc:x:all:0:{2**31}")
    assert out_of_range["text"] == STALE


# ── rules and scale ──────────────────────────────────────────────────────────────────────


def test_the_progress_line(i18n):
    start = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    progress = Progress(
        broadcast_id=7, status=BroadcastStatus.SENDING, segment=Segment(SegmentKind.ALL),
        total=30_000, counts=Counts(pending=17_655, sent=12_343, blocked=2), started=start,
        now=start + timedelta(seconds=378),
    )  # fmt: skip
    with i18n.context(), i18n.use_locale("en"):
        line = views.progress_line(progress, RenderContext("en", "UTC", "EUR", progress.now))
    assert line == "▓▓▓▓░░░░░░ 41% · 12,345 / 30,000 · 2 blocked · ETA 9 min"
    with i18n.context(), i18n.use_locale("de"):
        german = views.progress_line(progress, RenderContext("de", "UTC", "EUR", progress.now))
    assert german.startswith("▓▓▓▓░░░░░░ 41\xa0% · 12.345 / 30.000 · ")
    nearly = dataclasses.replace(progress, counts=Counts(pending=1, sent=29_999))
    with i18n.context(), i18n.use_locale("en"):
        almost = views.progress_line(nearly, RenderContext("en", "UTC", "EUR", progress.now))
    assert almost.startswith("▓▓▓▓▓▓▓▓▓░ 99% · 29,999 / 30,000 · ETA")  # not rounded up to 100
    fresh = dataclasses.replace(progress, counts=Counts(pending=30_000), now=start)
    with i18n.context(), i18n.use_locale("en"):
        first = views.progress_line(fresh, RenderContext("en", "UTC", "EUR", start))
    assert first == "░░░░░░░░░░ 0% · 0 / 30,000"  # no rate yet: no ETA


def test_segments_are_checked_when_read_back():
    for data in (
        None, {"kind": "everyone"}, {"kind": "lang", "value": "xx"}, {"kind": "country"},
        {"kind": "country", "value": "it"}, {"kind": "city", "value": "IT"},
        {"kind": "city", "value": "IT", "city": "x" * 129}, {"kind": "all", "value": "IT"},
        {"kind": "lang", "value": 5},
    ):  # fmt: skip
        with pytest.raises(broadcast.BroadcastError):
            Segment.from_dict(data)
    segment = Segment(SegmentKind.CITY, "IT", "Milan")
    assert Segment.from_dict(segment.to_dict()) == segment
    assert broadcast.key_range(7) == ("broadcast:7:", "broadcast:7;")
    low, high = broadcast.key_range(7)
    assert low <= "broadcast:7:123" < high and not (low <= "broadcast:71:1" < high)


async def test_thirty_thousand_recipients_cost_one_select_and_one_insert(app: Harness):
    now = app.clock.now()
    values = [
        {"id": 1_000_000 + n, "first_name": "b", "locale": "it", "country": "IT", "city": "Rome",
         "currency": "EUR", "timezone": "Europe/Rome", "digest": "daily", "digest_day": 0,
         "digest_hour": 9, "group_alerts": True, "is_blocked": False, "is_admin": False,
         "is_banned": False, "created_at": now}
        for n in range(30_000)
    ]  # fmt: skip
    async with app.session_factory() as session:
        await session.exec(insert(User.__table__), params=values)  # type: ignore[attr-defined]
        await session.commit()
    statements: list[tuple[bool, str]] = []

    def record(_conn, _cursor, statement, _params, _context, executemany) -> None:  # noqa: ANN001
        statements.append((executemany, " ".join(statement.split())))

    engine = app.session_factory.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        async with app.session_factory() as session:
            created = await broadcast.create(
                session, admin_id=ADMIN_ID, segment=Segment(SegmentKind.CITY, "IT", "Rome"),
                text="Hi", photo=None, token="t", progress_message_id=None, now=now,
            )  # fmt: skip
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert created.broadcast.total == 30_000
    recipients = [s for _many, s in statements if s.startswith("SELECT users.id FROM users")
                  and "is_banned" in s]  # fmt: skip
    assert len(recipients) == 1
    inserts = [many for many, s in statements if s.startswith("INSERT INTO outbox")]
    assert inserts == [True]  # one statement executed for all 30,000 rows
    async with app.session_factory() as session:
        found = await broadcast.counts(session, created.broadcast.id)
        engine = app.session_factory.kw["bind"]
        if engine.dialect.name == "sqlite":  # the counts read the unique index, not the table
            query = broadcast.counts_query(created.broadcast.id)
            sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = await session.exec(text(f"EXPLAIN QUERY PLAN {sql}"))  # type: ignore[call-overload]
            assert any("USING INDEX" in str(row) and "dedup_key" in str(row) for row in plan.all())
    assert found == Counts(pending=30_000)
