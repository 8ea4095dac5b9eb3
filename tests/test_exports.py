"""/export orders and /export users end to end: a CSV and an XLSX document each, headers and
values in the admin's language, times in their time zone, no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from models import AuditEntry
from services import exports
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group, order_of
from ui.callbacks import GroupCb

pytestmark = pytest.mark.clock

ORDER_HEADERS = [
    "Order", "Group", "Country", "City", "Buyer id", "Buyer", "Username", "Product code",
    "Product", "Quantity", "Amount (CNY)", "Amount (local)", "Currency", "Status", "Placed",
    "Paid", "Handed over",
]  # fmt: skip
USER_HEADERS = [
    "Id", "Name", "Username", "Language", "Country", "City", "Currency", "Joined",
    "Has blocked the bot", "Suspended", "Admin", "Orders",
]  # fmt: skip
USAGE = (
    "Usage:\n"
    "/export orders [GROUP_ID] — orders with their lines, of every group or of one\n"
    "/export users — everyone who has started the bot\n"
    "/export products — the catalogue"
)
EVIL = '=HYPERLINK("http://evil.example","click")'


async def italian_admin(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="it", first_name="Capo")
    await app.onboard(admin, language="it", country="Italia", city="Milano")
    return admin


async def shop(app: Harness):
    """Two groups in Milan; a buyer with a formula for a name, one with two orders, one who
    left (a cancelled order)."""
    first = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    second = await open_group(
        app, "country=IT city=Milan method=air deadline=+5d min=50 offer=dried-shiitake:40"
    )
    evil = app.user(language_code="it", first_name=EVIL)
    marco = app.user(language_code="it", first_name="Marco", username="marco_m")
    quitter = app.user(language_code="it", first_name="Luca")
    for buyer in (evil, marco, quitter):
        await app.onboard(buyer, language="it", country="Italia", city="Milano")
    await join_with_buttons(app, evil, first, 2)
    await join_with_buttons(app, marco, first, 3)
    await join_with_buttons(app, marco, second, 1)
    await join_with_buttons(app, quitter, first, 1)
    await app.press(quitter, app.last(quitter), GroupCb(id=first.id, a="leave_ok").pack())
    return first, second, evil, marco, quitter


def documents(app: Harness, user, count: int = 2) -> list[tuple[str, bytes, str | None]]:
    sent = [m for m in app.emulator.bot_messages(user.id) if m.document][-count:]
    return [(m.document[0], m.document[1], m.caption) for m in sent]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the accents and the Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def today_in_rome(app: Harness) -> str:
    return app.clock.now().astimezone(ZoneInfo("Europe/Rome")).date().isoformat()


async def test_export_orders_in_the_admin_s_language(app: Harness):
    admin = await italian_admin(app)
    first, second, evil, marco, quitter = await shop(app)
    await app.send(admin, "/export orders")
    (csv_name, csv_data, caption), (xlsx_name, xlsx_data, _none) = documents(app, admin)
    day = today_in_rome(app)
    assert (csv_name, xlsx_name) == (f"orders-{day}.csv", f"orders-{day}.xlsx")
    assert "4" in caption  # four orders, one line each (the cancelled one without product)

    rows = read_csv(csv_data)
    assert rows[0] == [app.t(h, "it") for h in ORDER_HEADERS]
    body = rows[1:]
    assert len(body) == 4
    by_buyer = {(r[4], r[1]): r for r in body}
    evil_row = by_buyer[(str(evil.id), str(first.id))]
    assert evil_row[5] == "'" + EVIL  # neutralised: a spreadsheet shows it as text
    assert evil_row[7] == "dried-shiitake" and evil_row[9] == "2"
    assert evil_row[10] == "76" and evil_row[12] == "EUR" and evil_row[11]
    assert evil_row[13] == app.t("placed", "it")
    placed = datetime.fromisoformat(evil_row[14])
    assert placed.utcoffset() == app.clock.now().astimezone(ZoneInfo("Europe/Rome")).utcoffset()
    order = await order_of(app, first.id, evil.id)
    assert evil_row[0] == str(order.id) and evil_row[15] == "" and evil_row[16] == ""
    left = by_buyer[(str(quitter.id), str(first.id))]
    assert left[13] == app.t("cancelled", "it") and left[7] == "" and left[10] == ""
    assert by_buyer[(str(marco.id), str(second.id))][6] == "marco_m"
    assert [r[0] for r in body] == sorted((r[0] for r in body), key=int)

    sheet = read_xlsx(xlsx_data)
    assert sheet[0] == [app.t(h, "it") for h in ORDER_HEADERS]
    assert len(sheet) == 5
    names = [row[5] for row in sheet[1:]]
    assert EVIL in names  # stored as text, never as a formula
    cells = load_workbook(io.BytesIO(xlsx_data)).active
    evil_cell = next(c for c in cells["F"] if c.value == EVIL)
    assert evil_cell.data_type == "s"
    assert isinstance(sheet[1][0], int) and isinstance(sheet[1][10], int | float)

    async with app.session_factory() as session:
        logged = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "export.orders"))
        ).all()
    assert [(e.admin_id, e.object_type, e.after) for e in logged] == [
        (ADMIN_ID, "export", {"rows": 4, "truncated": False})
    ]


async def test_export_one_group(app: Harness):
    admin = await italian_admin(app)
    first, second, _evil, marco, _quitter = await shop(app)
    await app.send(admin, f"/export orders {second.id}")
    (csv_name, csv_data, caption), (xlsx_name, xlsx_data, _none) = documents(app, admin)
    day = today_in_rome(app)
    assert csv_name == f"orders-group-{second.id}-{day}.csv"
    assert xlsx_name == f"orders-group-{second.id}-{day}.xlsx"
    rows = read_csv(csv_data)[1:]
    assert [(r[1], r[4]) for r in rows] == [(str(second.id), str(marco.id))]
    assert str(second.id) in caption
    assert len(read_xlsx(xlsx_data)) == 2
    async with app.session_factory() as session:
        entry = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()))).first()
    assert (entry.action, entry.object_id) == ("export.orders", f"orders:{second.id}")
    assert entry.after == {"rows": 1, "truncated": False, "group_id": second.id}


async def test_export_refuses_bad_arguments(app: Harness):
    admin = await italian_admin(app)
    usage = app.t(USAGE, "it")
    for text in (
        "/export",
        "/export foo",
        "/export orders 1 2",
        "/export users 3",
        "/export ORDERS x y",
    ):
        reply = await app.send(admin, text)
        assert reply.text == usage, text
    for bad in ("abc", "-1", "0", "99999999999", str(2**63), "1.5", "١٢"):
        reply = await app.send(admin, f"/export orders {bad}")
        assert reply.text.startswith(
            app.t("“{value}” is not a group id.", "it").format(value=bad)
        ), bad
    missing = await app.send(admin, "/export orders 999999")
    assert missing.text == app.t(
        "There is no group order {id}. /gb_list shows the open ones.", "it"
    ).format(id=999999)
    products = await app.send(admin, "/export products")  # the catalogue's, not this usage
    assert products is None or products.text != usage
    assert not [
        m for m in app.emulator.bot_messages(admin.id) if m.document and "orders" in m.document[0]
    ]


async def test_export_users(app: Harness):
    admin = await italian_admin(app)
    _first, _second, evil, marco, quitter = await shop(app)
    await app.send(admin, f"/block {quitter.id}")
    await app.tap(admin, "⛔")
    await app.send(admin, "/export users")
    (csv_name, csv_data, caption), (xlsx_name, xlsx_data, _none) = documents(app, admin)
    assert csv_name == f"users-{today_in_rome(app)}.csv" and xlsx_name.endswith(".xlsx")
    rows = read_csv(csv_data)
    assert rows[0] == [app.t(h, "it") for h in USER_HEADERS]
    by_id = {r[0]: r for r in rows[1:]}
    yes, no = app.t("yes", "it"), app.t("no", "it")
    assert by_id[str(ADMIN_ID)][10] == yes and by_id[str(marco.id)][10] == no
    assert by_id[str(marco.id)][11] == "2" and by_id[str(quitter.id)][11] == "0"
    assert by_id[str(quitter.id)][9] == yes and by_id[str(marco.id)][9] == no
    assert by_id[str(evil.id)][1] == "'" + EVIL
    city = app.t("Milan", "it")  # a common city in the reader's language
    assert by_id[str(marco.id)][2:7] == ["marco_m", "it", "IT", city, "EUR"]
    assert read_xlsx(xlsx_data)[0] == [app.t(h, "it") for h in USER_HEADERS]


async def test_large_exports_are_capped_with_a_note(app: Harness, monkeypatch):
    admin = await italian_admin(app)
    await shop(app)
    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    await app.send(admin, "/export orders")
    (_name, data, caption), _xlsx = documents(app, admin)
    assert len(read_csv(data)) == 3 and "⚠️" in caption
    await app.send(admin, "/export users")
    (_name, data, caption), _xlsx = documents(app, admin)
    assert len(read_csv(data)) == 3 and "⚠️" in caption


async def test_nothing_to_export(app: Harness):
    admin = await italian_admin(app)
    group = await open_group(
        app, "country=IT city=Milan method=rail deadline=+3d min=50 offer=dried-shiitake:38"
    )
    reply = await app.send(admin, f"/export orders {group.id}")
    assert reply.text == app.t("Group order {id} has no orders yet.", "it").format(id=group.id)
    assert not [m for m in app.emulator.bot_messages(admin.id) if m.document]
