"""People end to end: admins appointed and removed in the bot (ADMIN_IDS permanent, no
lock-out), /user look-ups with orders, suspending and restoring users, and the audit log viewer
— and everyone but an admin gets what an unknown command or an old button gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from domain.notices import Kind, Text
from models import AuditEntry, Notification, User
from services import audit, outbox
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group, order_of
from ui.callbacks import ConfirmAction, ConfirmCb, GroupCb
from ui.people import PeopleAction, PeopleCb

UNKNOWN = "I don't know that command. Send /help to see what I can do."
STALE = "This button is out of date. Please open the menu again with /start."
SUSPENDED = "⛔ Your access to this bot has been suspended by its administrators."
ADDED = (
    "🛡 You are now an admin of this bot. The admin commands are in your menu; "
    "send /admin to see them all."
)
REMOVED = "You are no longer an admin of this bot."
RESTORED = "✅ Your access to this bot has been restored. Send /start to continue."


def boss(app: Harness):
    return app.user(user_id=ADMIN_ID, language_code="en", first_name="Boss")


async def giulia(app: Harness, *, name: str = "Giulia", username: str = "giulia_t"):
    person = app.user(language_code="it", first_name=name, username=username)
    await app.onboard(person, language="it", country="Italia", city="Milano")
    return person


def chat_menu(app: Harness, user) -> list[str]:
    menu = app.emulator.get_commands({"chat_id": user.id, "type": "chat"}) or []
    return [entry["command"] for entry in menu]


async def entries(app: Harness, action: str | None = None) -> list[AuditEntry]:
    async with app.session_factory() as session:
        query = select(AuditEntry).order_by(col(AuditEntry.id))
        if action:
            query = query.where(AuditEntry.action == action)
        return list((await session.exec(query)).all())


async def row(app: Harness, user_id: int) -> User:
    async with app.session_factory() as session:
        found = await session.get(User, user_id)
        assert found is not None
        return found


# ── admins ──────────────────────────────────────────────────────────────────────────────


async def test_admin_added_uses_admin_commands_then_removed_loses_them(app: Harness):
    admin = boss(app)
    person = await giulia(app)
    refused = await app.send(person, "/rates")
    assert refused.text == app.t(UNKNOWN, "it")

    reply = await app.send(admin, "/admin_add @GIULIA_T")  # usernames: any case
    assert "🛡" in reply.text and "Giulia" in reply.text
    assert (await row(app, person.id)).is_admin
    assert "rates" in chat_menu(app, person)  # their own menu has the admin commands now
    await app.deliver()
    assert app.last(person).text == app.t(ADDED, "it")  # told, in their language

    allowed = await app.send(person, "/rates")
    assert allowed.text != app.t(UNKNOWN, "it")
    again = await app.send(admin, f"/admin_add {person.id}")
    assert "already an admin" in again.text

    listing = await app.send(admin, "/admins")
    assert (
        "Giulia" in listing.text and "@giulia_t" in listing.text and str(person.id) in listing.text
    )
    assert "Boss" in listing.text  # who appointed her
    assert "permanent (ADMIN_IDS)" in listing.text  # ADMIN_ID, shown as such

    prompt = await app.send(admin, "/admin_remove @giulia_t")
    assert "Remove" in prompt.text and (await row(app, person.id)).is_admin  # not yet
    await app.tap(admin, "🗑")
    assert "no longer an admin" in app.last(admin).text
    assert not (await row(app, person.id)).is_admin
    assert "rates" not in chat_menu(app, person)
    await app.deliver()
    assert app.last(person).text == app.t(REMOVED, "it")
    gone = await app.send(person, "/rates")
    assert gone.text == app.t(UNKNOWN, "it")

    added, removed = await entries(app, "admin.add"), await entries(app, "admin.remove")
    assert [(e.admin_id, e.object_type, e.object_id) for e in added + removed] == [
        (ADMIN_ID, "user", str(person.id)),
        (ADMIN_ID, "user", str(person.id)),
    ]
    assert (added[0].before, added[0].after) == ({"is_admin": False}, {"is_admin": True})
    assert (removed[0].before, removed[0].after) == ({"is_admin": True}, {"is_admin": False})


async def test_an_agent_made_admin_keeps_the_agent_menu_when_removed(app: Harness):
    admin = boss(app)
    agent = await giulia(app)
    await app.send(admin, f"/agent_add {agent.id} IT Milan")
    await app.send(admin, f"/admin_add {agent.id}")
    assert {"rates", "region"} <= set(chat_menu(app, agent))
    await app.send(admin, f"/admin_remove {agent.id}")
    await app.tap(admin, "🗑")
    menu = chat_menu(app, agent)
    assert "region" in menu and "rates" not in menu


async def test_admin_ids_are_permanent(app: Harness):
    admin = boss(app)
    await app.send(admin, "/start")
    app.settings.admin_ids = frozenset({ADMIN_ID, 4242})  # 4242 never started the bot
    refused = await app.send(admin, f"/admin_remove {ADMIN_ID}")
    assert "permanent admin" in refused.text and not refused.buttons
    added = await app.send(admin, f"/admin_add {ADMIN_ID}")
    assert "permanent admin" in added.text
    unknown = await app.send(admin, "/admin_remove 4242")
    assert "I don't know the user" in unknown.text
    listing = await app.send(admin, "/admins")
    assert "4242" in listing.text and "Has not started the bot yet." in listing.text
    assert await entries(app) == []


async def test_the_last_admin_cannot_be_removed_without_admin_ids(app: Harness):
    admin = boss(app)
    first, second = await giulia(app), await giulia(app, name="Marco", username="marco")
    await app.send(admin, f"/admin_add {first.id}")
    app.settings.admin_ids = frozenset()  # no permanent admins: the bot must keep one
    await app.send(first, f"/admin_remove {first.id}")
    await app.tap(first, "🗑")
    assert "ADMIN_IDS" in app.last(first).text and "🗑" not in app.last(first).text
    assert (await row(app, first.id)).is_admin
    await app.send(first, f"/admin_add {second.id}")
    await app.send(first, f"/admin_remove {first.id}")  # now there is another one
    await app.tap(first, "🗑")
    assert not (await row(app, first.id)).is_admin and (await row(app, second.id)).is_admin
    # and the one left can't remove themselves either
    await app.send(second, "/admin_remove @marco")
    await app.tap(second, "🗑")
    assert (await row(app, second.id)).is_admin


async def test_a_removed_admin_s_old_buttons_change_nothing(app: Harness):
    admin = boss(app)
    helper = await giulia(app)
    buyer = await giulia(app, name="Ana", username="ana")
    await app.send(admin, f"/admin_add {helper.id}")
    screen = await app.send(helper, f"/user {buyer.id}")
    assert any("⛔" in text for text in app.button_texts(screen))
    prompt = await app.send(helper, f"/block {buyer.id}")  # a prompt left open
    await app.send(admin, f"/admin_remove {helper.id}")
    await app.tap(admin, "🗑")

    answer = await app.tap(helper, "⛔", screen)
    assert answer["text"] == app.t(STALE, "it")
    answer = await app.tap(helper, "⛔", prompt)
    assert answer["text"] == app.t(STALE, "it")
    assert not (await row(app, buyer.id)).is_banned
    assert [e.action for e in await entries(app)] == ["admin.add", "admin.remove"]


# ── /user ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.clock
async def test_user_by_id_and_username_with_orders_and_pages(app: Harness):
    admin = boss(app)
    buyer = await giulia(app, name="<b>Ana</b> & co", username="Ana_R")
    groups = []
    for day in range(1, 8):
        group = await open_group(
            app,
            f"country=IT city=Milan method=rail deadline=+{day}d min=50 offer=dried-shiitake:38",
        )
        groups.append(group)
        await join_with_buttons(app, buyer, group, day)
    by_id = await app.send(admin, f"/user {buyer.id}")
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; co" in by_id.html and "@Ana_R" in by_id.text
    assert str(buyer.id) in by_id.text and "Italiano" in by_id.text and "Milan" in by_id.text
    assert "EUR" in by_id.text and "Europe/Rome" in by_id.text
    assert "7 orders" in by_id.text and "Page 1 of 2" in by_id.text
    newest = await order_of(app, groups[-1].id, buyer.id)
    oldest = await order_of(app, groups[0].id, buyer.id)
    assert f"Order {newest.id}" in by_id.text and f"Order {oldest.id}" not in by_id.text
    assert f"group {groups[-1].id}" in by_id.text and "7 ×" in by_id.text
    assert "€" in by_id.text  # the amount in the buyer's currency
    by_name = await app.send(admin, "/user @ana_r")
    assert by_name.text == by_id.text

    await app.tap(admin, "Older ›", by_name)
    page_two = app.last(admin)
    assert f"Order {oldest.id}" in page_two.text and "Page 2 of 2" in page_two.text
    assert "1 ×" in page_two.text
    await app.tap(admin, "‹ Newer", page_two)
    assert f"Order {newest.id}" in app.last(admin).text


async def test_user_shows_admins_and_agents(app: Harness):
    admin = boss(app)
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    agent = await giulia(app)
    await app.send(admin, f"/agent_add {agent.id} IT Milan")
    screen = await app.send(admin, f"/user {agent.id}")
    assert "Agent for: Milan, Italy" in screen.text and "No orders yet." in screen.text
    me = await app.send(admin, f"/user {ADMIN_ID}")
    assert "permanent admin (ADMIN_IDS)" in me.text
    assert not any("Block" in text for text in app.button_texts(me))  # admins can't be


async def test_bad_user_references(app: Harness):
    admin = boss(app)
    await app.send(admin, "/start")
    for ref in ("0", "-5", str(2**63), "9" * 30, "@", "@nobody_here", "١٢٣", "abc", "@" + "x" * 80):
        reply = await app.send(admin, f"/user {ref}")
        assert "I don't know the user" in reply.text, ref
    usage = await app.send(admin, "/user")
    assert usage.text.startswith("Usage: /user")
    two = await app.send(admin, "/user 1 2")
    assert two.text.startswith("Usage: /user")
    nul = await app.send(admin, f"/user {ADMIN_ID}\x00")  # NUL bytes are stripped on the way in
    assert "Boss" in nul.text
    for ref in ("0", str(2**63)):
        assert "I don't know the user" in (await app.send(admin, f"/block {ref}")).text
        assert "I don't know the user" in (await app.send(admin, f"/admin_add {ref}")).text
    assert await entries(app) == []


# ── blocking ────────────────────────────────────────────────────────────────────────────


async def test_block_suspends_everything_until_unblock(app: Harness):
    admin = boss(app)
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    buyer = await giulia(app)
    await join_with_buttons(app, buyer, group, 2)
    menu = app.last_keyboard(buyer)

    prompt = await app.send(admin, "/block @giulia_t")
    assert "can no longer use the bot" in prompt.text and "orders stay" in prompt.text
    assert not (await row(app, buyer.id)).is_banned  # asked first
    await app.tap(admin, "⛔")
    assert "is suspended" in app.last(admin).text
    assert (await row(app, buyer.id)).is_banned

    told = await app.send(buyer, "/start")
    assert told.text == app.t(SUSPENDED, "it")
    answer = await app.press(buyer, menu, GroupCb(id=group.id, a="leave_ok").pack())
    assert answer["text"] == app.t(SUSPENDED, "it") and answer["show_alert"] is True
    assert (await order_of(app, group.id, buyer.id)).status == "placed"  # the order stays
    # nothing is sent to them meanwhile
    async with app.session_factory() as session:
        item = outbox.Outgoing(buyer.id, Kind.TEXT, Text("hello"))
        await outbox.enqueue_many(session, [item], now=app.clock.now())
        await session.commit()
    before = len(app.emulator.bot_messages(buyer.id))
    await app.deliver()
    assert len(app.emulator.bot_messages(buyer.id)) == before
    async with app.session_factory() as session:
        skipped = (await session.exec(select(Notification))).all()[-1]
    assert skipped.status == "skipped"

    again = await app.send(admin, f"/block {buyer.id}")
    assert "already suspended" in again.text
    reply = await app.send(admin, f"/unblock {buyer.id}")
    assert "can use the bot again" in reply.text
    await app.deliver()
    assert app.last(buyer).text == app.t(RESTORED, "it")
    works = await app.send(buyer, "/start")
    assert works.text != app.t(SUSPENDED, "it")
    twice = await app.send(admin, f"/unblock {buyer.id}")
    assert "is not suspended" in twice.text
    mine = [e.action for e in await entries(app) if e.object_type == "user"]
    assert mine == ["user.block", "user.unblock"]
    block = (await entries(app, "user.block"))[0]
    assert (block.before, block.after) == ({"is_banned": False}, {"is_banned": True})


async def test_block_and_unblock_buttons_on_the_user_screen(app: Harness):
    admin = boss(app)
    buyer = await giulia(app)
    screen = await app.send(admin, f"/user {buyer.id}")
    await app.tap(admin, "⛔ Block", screen)
    prompt = app.last(admin)
    await app.tap(admin, "↩", prompt)
    assert not (await row(app, buyer.id)).is_banned
    await app.tap(admin, "⛔ Block", screen)
    await app.tap(admin, "⛔")
    assert (await row(app, buyer.id)).is_banned
    refreshed = await app.send(admin, f"/user {buyer.id}")
    assert "Suspended by an admin: yes" in refreshed.text
    await app.tap(admin, "✅ Unblock", refreshed)
    assert not (await row(app, buyer.id)).is_banned
    assert "Suspended by an admin: no" in app.last(admin).text
    assert any("Block" in t for t in app.button_texts(app.last(admin)))
    # the Unblock button of an older screen, tapped again: nothing to do, and said so
    answer = await app.press(admin, refreshed, PeopleCb(id=buyer.id, a=PeopleAction.UNBLOCK).pack())
    assert "not suspended" in answer["text"]
    assert [e.action for e in await entries(app)] == ["user.block", "user.unblock"]


async def test_admins_cannot_be_blocked(app: Harness):
    admin = boss(app)
    await app.send(admin, "/start")
    helper = await giulia(app)
    await app.send(admin, f"/admin_add {helper.id}")
    for target in (ADMIN_ID, helper.id):
        reply = await app.send(admin, f"/block {target}")
        assert "can't be suspended" in reply.text and not reply.buttons
    # a prompt opened before the person became an admin is refused when confirmed
    buyer = await giulia(app, name="Ana", username="ana")
    await app.send(admin, f"/block {buyer.id}")
    prompt = app.last(admin)
    await app.send(admin, f"/admin_add {buyer.id}")
    await app.tap(admin, "⛔", prompt)
    assert not (await row(app, buyer.id)).is_banned
    # nor can a suspended user be made an admin
    other = await giulia(app, name="Luca", username="luca")
    await app.send(admin, f"/block {other.id}")
    await app.tap(admin, "⛔")
    refused = await app.send(admin, f"/admin_add {other.id}")
    assert "unblock them first" in refused.text and not (await row(app, other.id)).is_admin


# ── everyone else ───────────────────────────────────────────────────────────────────────


async def test_non_admins_get_the_unknown_command_reply(app: Harness):
    buyer = await giulia(app)
    commands = [
        "/admins", f"/admin_add {buyer.id}", f"/admin_remove {ADMIN_ID}", f"/user {ADMIN_ID}",
        f"/block {ADMIN_ID}", f"/unblock {buyer.id}", "/export orders", "/export users",
        "/export", "/audit", f"/audit {ADMIN_ID}",
    ]  # fmt: skip
    for command in commands:
        reply = await app.send(buyer, command)
        assert reply.text == app.t(UNKNOWN, "it"), command
    forged = [
        PeopleCb(id=ADMIN_ID).pack(), PeopleCb(id=buyer.id, a=PeopleAction.BLOCK).pack(),
        PeopleCb(id=buyer.id, a=PeopleAction.UNBLOCK).pack(),
        "au:100:0::0", ConfirmCb(a=ConfirmAction.BLOCK, t="x").pack(),
        ConfirmCb(a=ConfirmAction.ADMIN_REMOVE, t="x").pack(),
    ]  # fmt: skip
    for data in forged:
        answer = await app.press(buyer, app.last(buyer), data)
        assert answer["text"] == app.t(STALE, "it"), data
    assert not (await row(app, buyer.id)).is_admin
    assert await entries(app) == []


async def test_forged_buttons_for_admins(app: Harness):
    admin = boss(app)
    last = await app.onboard(admin, language="en", country="Italy", city="Milan")
    buyer = await giulia(app)
    for data in (
        "pu:0:show:0", f"pu:{2**63}:show:0", "pu:abc:show:0", f"pu:{buyer.id}:show:-1",
        f"pu:{2**52 - 1}:show:0", f"pu:{buyer.id}:nuke:0", f"pu:{buyer.id}:block",
        "au:abc:0::0", f"au:{2**31}:0::0", "au:5:0:BAD!:0", "au:999:0:user:1",
        f"au:1:{2**63}::0", "au:1:0:user:1:extra",
        ConfirmCb(a=ConfirmAction.BLOCK, t="forged").pack(),
    ):  # fmt: skip
        answer = await app.press(admin, last, data)
        assert answer.get("show_alert") is True, data
    assert not (await row(app, buyer.id)).is_banned
    assert app.unanswered_taps() == []


# ── the audit log ───────────────────────────────────────────────────────────────────────


async def test_audit_shows_recent_actions_and_filters(app: Harness):
    admin = boss(app)
    await app.send(admin, "/start")
    helper = await giulia(app)
    buyer = await giulia(app, name="Ana", username="ana")
    await app.send(admin, f"/admin_add {helper.id}")
    await app.send(helper, f"/block {buyer.id}")
    await app.tap(helper, "⛔")
    await app.send(helper, "/unblock @ana")
    await app.send(admin, "/export users")

    log = await app.send(admin, "/audit")
    assert "Audit log" in log.text
    order = [
        log.text.index(code) for code in ("export.users", "user.unblock", "user.block", "admin.add")
    ]
    assert order == sorted(order)  # newest first
    assert "Giulia" in log.text and "is_banned: false → true" in log.text
    assert f"user:{buyer.id} (Ana)" in log.text and not log.buttons

    mine = await app.send(admin, "/audit @giulia_t")
    assert "user.block" in mine.text and "user.unblock" in mine.text
    assert "admin.add" not in mine.text and "export.users" not in mine.text
    by_id = await app.send(admin, f"/audit {ADMIN_ID}")
    assert "admin.add" in by_id.text and "user.block" not in by_id.text
    about = await app.send(admin, f"/audit user:{buyer.id}")
    assert "user.block" in about.text and "admin.add" not in about.text
    about_name = await app.send(admin, "/audit user:@ana")
    assert about_name.text == about.text
    both = await app.send(admin, f"/audit {ADMIN_ID} user")
    assert "admin.add" in both.text and "export" not in both.text.split("\n", 2)[-1]
    exports = await app.send(admin, "/audit export")
    assert "export.users" in exports.text and "user.block" not in exports.text
    none = await app.send(admin, "/audit rate:XYZ")
    assert "No entries match." in none.text
    for bad in ("/audit a b c", "/audit 1 2", "/audit BAD!", "/audit user user", "/audit @nobody"):
        reply = await app.send(admin, bad)
        assert reply.text.startswith("Usage: /audit") or "I don't know the user" in reply.text, bad


async def test_audit_pages_keep_their_filters(app: Harness):
    admin = boss(app)
    await app.send(admin, "/start")
    async with app.session_factory() as session:
        for n in range(40):
            audit.record(
                session, admin_id=ADMIN_ID, action="rate.set", object_type="rate",
                object_id="EUR" if n % 2 else "USD", before={"per_cny_micro": n},
                after={"per_cny_micro": n + 1, "note": "<script>" + "x" * 200},
                at=app.clock.now() + timedelta(minutes=n),
            )  # fmt: skip
        await session.commit()
    first = await app.send(admin, "/audit rate:EUR")
    assert "&lt;script&gt;" in first.html and "<script>" not in first.html
    first_text = first.text
    assert "USD" not in first_text and first_text.count("rate.set") == 15
    await app.tap(admin, "Older ›", first)
    second = app.last(admin)  # the same message, showing the older entries
    assert "older entries" in second.text
    assert "USD" not in second.text and second.text.count("rate.set") == 5 and not second.buttons
    ids = [int(part.split()[0]) for part in (first_text + second.text).split("#")[1:]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 20
    # a forged "Older" that claims another object's filter is refused
    usd = (await entries(app))[0]
    answer = await app.press(admin, second, f"au:{usd.id}:0:user:1")
    assert answer["show_alert"] is True


def test_the_audit_diff_shows_what_changed_inside_a_field_in_the_readers_zone():
    from datetime import UTC, datetime

    from ui.audit import diff_text
    from ui.context import RenderContext

    ctx = RenderContext(
        locale="en", timezone="Europe/Berlin", currency="EUR", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    names = {"zh_Hans": "庆元干香菇 250克" * 5, "en": "Dried shiitake"}
    text = diff_text({"names": names}, {"names": {**names, "de": "Getrocknete Shiitake"}}, ctx)
    assert text == "names.de: ∅ → Getrocknete Shiitake"
    moved = diff_text(
        {"deadline": "2026-12-08T21:58:22+00:00"}, {"deadline": "2026-12-09T21:58:22+00:00"}, ctx
    )
    assert "10:58\u202fPM" in moved and "+00:00" not in moved  # Berlin is UTC+1 in December
