"""The admin console's frame: /admin, each role's own command menu, and every admin action of
the older commands (groups, agents, shipments) in the audit log."""

import json
from datetime import timedelta

from sqlmodel import col, select

from bot.app import set_menus_of_roles
from models import AuditEntry, GroupOrder, User
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_shipments import formed_milan

UNKNOWN = "I don't know that command. Send /help to see what I can do."


def chat_menu(app: Harness, chat_id: int) -> list[str]:
    found = app.emulator.get_commands({"type": "chat", "chat_id": chat_id}) or []
    return [c["command"] for c in found]


async def actions(app: Harness) -> list[str]:
    async with app.session_factory() as session:
        rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    return [row.action for row in rows]


async def test_admin_lists_every_admin_command_in_the_admins_language(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    reply = await app.send(admin, "/admin")
    for command in ("/gb_new", "/ship", "/rate_remove", "/agent_invite", "/timezone"):
        assert command in reply.text, command
    assert reply.text.startswith("🛠")
    buyer = app.user(language_code="it")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    refused = await app.send(buyer, "/admin")
    assert refused.text == app.t(UNKNOWN, "it")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    helped = await app.send(admin, "/help")
    assert "/admin" in helped.text


async def test_each_role_sees_its_own_menu(app: Harness):
    default = app.emulator.get_commands() or []
    assert default == [] or "gb_new" not in [c["command"] for c in default]
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="de", country="Deutschland", city="Berlin")
    admin_menu = chat_menu(app, ADMIN_ID)
    assert {"admin", "gb_new", "broadcast", "catalog"} <= set(admin_menu)
    described = app.emulator.get_commands({"type": "chat", "chat_id": ADMIN_ID})
    catalog = next(c for c in described if c["command"] == "catalog")
    assert catalog["description"] == app.t("Browse the catalogue", "de")
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    assert "gb_new" not in chat_menu(app, buyer.id) and "region" not in chat_menu(app, buyer.id)
    assert "catalog" in chat_menu(app, buyer.id)
    # appointed: the agent's menu at once; removed: the buyer's again
    await app.send(admin, f"/agent_add {buyer.id} IT Milan")
    assert "region" in chat_menu(app, buyer.id) and "gb_new" not in chat_menu(app, buyer.id)
    await app.send(admin, f"/agent_remove {buyer.id} IT Milan")
    await app.tap(admin, "🗑")
    assert "region" not in chat_menu(app, buyer.id)


async def test_start_up_gives_admins_and_agents_their_menus(app: Harness):
    app.emulator.commands.clear()
    async with app.session_factory() as session:
        session.add(User(id=777001, first_name="Lin", locale="zh_Hant", is_admin=True))
        await session.commit()
    await set_menus_of_roles(app.bot, app.settings, app.session_factory, app.i18n)
    assert "admin" in chat_menu(app, 777001)
    described = app.emulator.get_commands({"type": "chat", "chat_id": 777001})
    assert next(c for c in described if c["command"] == "catalog")["description"] == app.t(
        "Browse the catalogue", "zh_Hant"
    )
    assert "admin" in chat_menu(app, ADMIN_ID)  # ADMIN_IDS, even never seen before
    demo_agent = 900001  # the seeded demo's agent in Milan
    assert "region" in chat_menu(app, demo_agent) and "admin" not in chat_menu(app, demo_agent)
    assert json.dumps(app.emulator.get_commands() or []).count("gb_new") == 0


async def test_older_admin_commands_write_the_audit_log(app: Harness):
    g1, g2, agent, _buyers = await formed_milan(app)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    base = len(await actions(app))
    reply = await app.send(admin, f"/ship {g1.id},{g2.id} | DHL | AUD1 | rail")
    assert "AUD1" in reply.text
    from models import Shipment

    async with app.session_factory() as session:
        shipment = (await session.exec(select(Shipment))).one()
    await app.send(admin, f"/ship_status {shipment.id} packed")
    await app.send(
        admin,
        "/gb_new country=IT city=Milan method=rail deadline=+5d min=10 offer=dried-shiitake:38",
    )
    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).order_by(col(GroupOrder.id).desc()))).first()
    await app.send(admin, f"/gb_extend {group.id} +1d")
    await app.send(admin, f"/gb_close {group.id}")
    await app.tap(admin, "close it now")
    newcomer = app.user(language_code="en")
    await app.onboard(newcomer, language="en", country="Italy", city="Rome")
    await app.send(admin, f"/agent_add {newcomer.id} IT Rome")
    await app.send(admin, "/agent_invite ES Madrid")
    done = (await actions(app))[base:]
    assert done == [
        "shipment.create", "shipment.event", "group.open", "group.extend", "group.close",
        "agent.add", "agent.invite",
    ]  # fmt: skip
    async with app.session_factory() as session:
        entries = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    by_action = {e.action: e for e in entries}
    assert all(e.admin_id == ADMIN_ID for e in entries[base:])
    extend = by_action["group.extend"]
    assert (
        extend.object_id == str(group.id) and extend.before["deadline"] < extend.after["deadline"]
    )
    assert by_action["group.close"].after["status"] == "failed"
    assert by_action["shipment.event"].after["event"] == "packed"
    # the deadline pass closes groups with nobody's name on it: no audit entry
    await app.send(
        admin,
        "/gb_new country=IT city=Milan method=rail deadline=+1d min=10 offer=dried-shiitake:38",
    )
    before = len(await actions(app))
    await app.tick(timedelta(days=2))
    assert len(await actions(app)) == before


def admin_commands(app: Harness) -> set[str]:
    """Every command a router gated for admins answers (read from the dispatcher itself, so a
    command added later is covered without touching this test)."""
    from aiogram.filters import Command

    found: set[str] = set()

    def walk(router) -> None:  # noqa: ANN001
        gated = any(type(m).__name__ == "AdminOnly" for m in router.message.middleware)
        if gated:
            for handler in router.message.handlers:
                for f in handler.filters or []:
                    if isinstance(f.callback, Command):
                        found.update(str(c) for c in f.callback.commands)
        for sub in router.sub_routers:
            walk(sub)

    walk(app.dp)
    return found


async def table_counts(app: Harness) -> dict[str, int]:
    from sqlalchemy import func
    from sqlalchemy import select as sa_select

    from models import metadata

    counts = {}
    async with app.session_factory() as session:
        for table in metadata.sorted_tables:
            if table.name in {"processed_updates", "outbox"}:
                continue
            counts[table.name] = (
                await session.exec(sa_select(func.count()).select_from(table))
            ).one()[0]
    return counts


async def test_non_admins_get_the_unknown_command_reply_for_every_admin_command(app: Harness):
    commands = admin_commands(app)
    assert {"admin", "gb_new", "rate", "ship", "agent_add"} <= commands
    buyer = app.user(language_code="fr")
    await app.onboard(buyer, language="fr", country="France", city="Paris")
    before = await table_counts(app)
    for command in sorted(commands):
        for text in (f"/{command}", f"/{command} 1 EUR 0.5 x", f"/{command}@QingtianBridgeBot"):
            reply = await app.send(buyer, text)
            assert reply.text == app.t(UNKNOWN, "fr"), text
    assert await table_counts(app) == before


async def test_a_demoted_admin_can_no_longer_use_an_earlier_button(app: Harness):
    """The role is read from the database on every update: an admin removed meanwhile taps a
    confirmation drawn while they were one, and nothing happens."""
    from tests.test_confirmations import SPEC
    from tests.test_group_orders import open_group

    group = await open_group(app, SPEC)
    deputy = app.user(language_code="en")
    await app.onboard(deputy, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        row = await session.get(User, deputy.id)
        row.is_admin = True
        session.add(row)
        await session.commit()
    prompt = await app.send(deputy, f"/gb_cancel {group.id} no more rice")
    assert "Cancel" in prompt.text
    async with app.session_factory() as session:
        row = await session.get(User, deputy.id)
        row.is_admin = False
        session.add(row)
        await session.commit()
    answer = await app.tap(deputy, "🗑", prompt)
    assert answer.get("show_alert") is True
    assert answer["text"] == app.t(
        "This button is out of date. Please open the menu again with /start.", "en"
    )
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).status == "open"
    refused = await app.send(deputy, "/gb_list")
    assert refused.text == UNKNOWN


async def test_a_buyers_file_or_photo_is_not_taken_for_an_admin_one(app: Harness):
    """A CSV or a photo from a buyer gets what any unsupported message gets (an admin handler
    for files must not show through with the unknown-command reply)."""
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    app.emulator.send_document(buyer, "events.csv", b"shipment,event\n1,packed\n")
    await app.process()
    assert app.last(buyer).text == app.t(
        "I can only read text. Send /help to see what I can do.", "en"
    )
    app.emulator.send_photo(buyer, b"\xff\xd8jpeg")
    await app.process()
    assert app.last(buyer).text == app.t(
        "I can only read text. Send /help to see what I can do.", "en"
    )
    newcomer = app.user(language_code="en")
    app.emulator.send_document(newcomer, "events.csv", b"shipment,event\n1,packed\n")
    await app.process()
    assert app.last(newcomer).text == app.t(
        "Let's finish setting you up first. Choose your language:", "en"
    )


async def test_an_admin_removed_mid_dialog_is_not_stuck_in_it(app: Harness):
    deputy = app.user(language_code="en")
    await app.onboard(deputy, language="en", country="Italy", city="Milan")
    async with app.session_factory() as session:
        row = await session.get(User, deputy.id)
        row.is_admin = True
        session.add(row)
        await session.commit()
    await app.send(deputy, "/gb_new")
    assert "step 1 of 8" in app.last(deputy).text
    async with app.session_factory() as session:
        row = await session.get(User, deputy.id)
        row.is_admin = False
        session.add(row)
        await session.commit()
    ended = await app.send(deputy, "IT Milan")  # the dialog's next step: it ends there
    assert ended.text == "Cancelled. Nothing was changed."
    reply = await app.send(deputy, "shiitake")  # then a search, as for any buyer
    assert reply.text != UNKNOWN and "Step" not in reply.text
    async with app.session_factory() as session:
        assert not (
            await session.exec(select(GroupOrder).where(GroupOrder.created_by == deputy.id))
        ).all()


async def test_every_export_is_in_the_audit_log(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    for kind in ("products", "users"):  # (orders: in tests/test_exports.py)
        await app.send(admin, f"/export {kind}")
    assert [a for a in await actions(app) if a.startswith("export.")] == [
        "export.products", "export.users",
    ]  # fmt: skip
