"""The admin catalogue end to end: the /product_new dialog and its one-line form, one-line edits
and the card's buttons, hiding and showing (buyers lose and regain what is hidden), categories,
photos, /export products → edit → /import round trips (CSV and XLSX), an import with errors,
non-admins, forged buttons, bad input, and stock limits (also under a race)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func
from sqlmodel import select

from domain.product_files import (
    COLUMNS,
    CatalogError,
    parse_countries,
    parse_hs_code,
    parse_price,
    parse_stock,
    parse_weight,
    read_products,
)
from models import AuditEntry, Category, GroupOrder, Product, User
from services import catalog_admin, groups
from services.search import search_products
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui.callbacks import CategoryCb, ConfirmAction, ConfirmCb, GroupCb, ProductCb, QtyCb
from ui.catalog_admin import CatalogAction, CatalogCb

pytestmark = pytest.mark.clock

UNKNOWN = "I don't know that command. Send /help to see what I can do."
STALE = "This button is out of date. Please open the menu again with /start."


async def admin_of(app: Harness):  # noqa: ANN201
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    return admin


async def product(app: Harness, sku: str) -> Product | None:
    async with app.session_factory() as session:
        return (await session.exec(select(Product).where(Product.slug == sku))).first()


async def category(app: Harness, slug: str) -> Category | None:
    async with app.session_factory() as session:
        return (await session.exec(select(Category).where(Category.slug == slug))).first()


async def count(app: Harness, model) -> int:  # noqa: ANN001
    async with app.session_factory() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def audits(app: Harness, action: str) -> list[AuditEntry]:
    async with app.session_factory() as session:
        found = await session.exec(select(AuditEntry).where(AuditEntry.action == action))
        return list(found.all())


async def catalogue_rows(app: Harness) -> list:
    async with app.session_factory() as session:
        return await catalog_admin.export_products(session)


async def found(app: Harness, query: str, locale: str = "en") -> list[str]:
    async with app.session_factory() as session:
        hits = await search_products(session, query=query, locale=locale)
    return [hit.product.slug for hit in hits]


# ── the dialog ──────────────────────────────────────────────────────────────────────────


async def test_the_dialog_creates_a_product_and_a_cancel_midway_creates_nothing(app: Harness):
    admin = await admin_of(app)
    dried = await category(app, "dried-goods")
    before = await count(app, Product)

    first = await app.send(admin, "/product_new")
    assert "step 1 of 10" in first.text
    assert "not a valid SKU" in (await app.send(admin, "Bad SKU!")).text
    assert "already exists" in (await app.send(admin, "dried-shiitake")).text
    step2 = await app.send(admin, "shiitake-1kg")
    assert "step 2 of 10" in step2.text and step2.buttons
    await app.press(admin, step2, CatalogCb(a=CatalogAction.DIALOG_CATEGORY, c=dried.id).pack())
    assert "step 3 of 10" in app.last(admin).text
    await app.send(admin, "Shiitake <b>1 kg</b>")  # HTML is kept as typed, shown escaped
    assert "step 4 of 10" in app.last(admin).text
    step5 = await app.send(admin, "香菇 1公斤")
    await app.press(admin, step5, CatalogCb(a=CatalogAction.DIALOG_UNIT, v="bag").pack())
    assert "weight_range" not in app.last(admin).text
    assert "from 1 g to 100 kg" in (await app.send(admin, "200kg")).text
    await app.send(admin, "1kg")
    assert "above zero" in (await app.send(admin, "0")).text
    assert "too high" in (await app.send(admin, "2000000")).text
    assert "not a price" in (await app.send(admin, "12.505")).text
    await app.send(admin, "128.50")
    assert "step 8 of 10" in app.last(admin).text
    await app.tap(admin, "Skip")  # stock not counted
    assert "step 9 of 10" in app.last(admin).text
    await app.send(admin, "0712.39")
    assert "not a country code" in (await app.send(admin, "it, xx")).text
    summary = await app.send(admin, "au it")
    assert "<b>1 kg</b>" in summary.text  # escaped: shown as typed, not as bold
    assert "128.50" in summary.text and "Australia" in summary.text
    assert await product(app, "shiitake-1kg") is None  # nothing until Create
    await app.tap(admin, "Create")
    card = app.last(admin)
    assert "Product created" in card.text and "shiitake-1kg" in card.text
    created = await product(app, "shiitake-1kg")
    assert created is not None
    assert (created.price_cny, created.unit, created.unit_weight_g, created.stock) == (
        12850, "bag", 1000, None,
    )  # fmt: skip
    assert created.hs_code == "071239" and created.restricted_countries == ["AU", "IT"]
    assert created.names == {"en": "Shiitake <b>1 kg</b>", "zh_Hans": "香菇 1公斤"}
    assert created.category_id == dried.id and created.is_active
    assert created.search_names  # search columns kept in step
    assert "shiitake-1kg" in await found(app, "香菇 1公斤", "zh_Hans")
    [entry] = await audits(app, "product.create")
    assert entry.admin_id == ADMIN_ID and entry.before is None
    assert entry.after["slug"] == "shiitake-1kg"

    # cancelled at step 3: nothing is created, and the dialog's old buttons are out of date
    await app.send(admin, "/product_new")
    step2 = await app.send(admin, "abandoned-1")
    await app.press(admin, step2, CatalogCb(a=CatalogAction.DIALOG_CATEGORY, c=dried.id).pack())
    await app.tap(admin, "Cancel")
    assert "Cancelled" in app.texts(admin)[-1]
    answer = await app.press(
        admin, step2, CatalogCb(a=CatalogAction.DIALOG_CATEGORY, c=dried.id).pack()
    )
    assert answer.get("text") == STALE
    await app.send(admin, "Abandoned name")  # a search now, not a name
    answer = await app.press(admin, step2, CatalogCb(a=CatalogAction.DIALOG_CREATE).pack())
    assert answer.get("text") == STALE
    # a command typed midway leaves the dialog too
    await app.send(admin, "/product_new")
    await app.send(admin, "abandoned-2")
    await app.send(admin, "/products")
    await app.send(admin, "dried-goods")
    assert await product(app, "abandoned-1") is None and await product(app, "abandoned-2") is None
    assert await count(app, Product) == before + 1


async def test_the_one_line_form_creates_a_product(app: Harness):
    admin = await admin_of(app)
    usage = await app.send(admin, "/product_new help")
    assert "/product_new SKU | CATEGORY" in usage.text
    reply = await app.send(
        admin,
        "/product_new tea-tin | tea | tin | 100 | 58 | Green tea tin | 绿茶罐 | 12 | 0902.10 | -",
    )
    assert "Product created" in reply.text, reply.text
    made = await product(app, "tea-tin")
    assert (made.price_cny, made.stock, made.hs_code, made.restricted_countries) == (
        5800, 12, "090210", [],
    )  # fmt: skip
    again = await app.send(admin, "/product_new tea-tin | tea | tin | 100 | 58 | A | B")
    assert "already exists" in again.text
    unknown = await app.send(admin, "/product_new tea-box | nope | tin | 100 | 58 | A | B")
    assert "There is no category “nope”" in unknown.text
    assert await product(app, "tea-box") is None


# ── one-line edits and the card ─────────────────────────────────────────────────────────


async def test_one_line_edits_change_one_field_each_and_are_audited(app: Harness):
    admin = await admin_of(app)
    reply = await app.send(admin, "/product_set dried-shiitake price 39.50")
    assert "Saved" in reply.text and "39.50" in reply.text
    assert (await product(app, "dried-shiitake")).price_cny == 3950
    [entry] = await audits(app, "product.edit")
    assert (entry.before["price_cny"], entry.after["price_cny"]) == (3800, 3950)
    assert entry.object_id == "dried-shiitake"

    await app.send(admin, "/product_set dried-shiitake name.it Funghi <i>secchi</i>")
    await app.send(admin, "/product_set dried-shiitake desc.fr Séchés au soleil.")
    await app.send(admin, "/product_set Dried-Shiitake stock 5")  # capitals are lowered
    await app.send(admin, "/product_set dried-shiitake restrict it,es")
    await app.send(admin, "/product_set dried-shiitake hs 0712.39")
    await app.send(admin, "/product_set dried-shiitake weight 0.5kg")
    await app.send(admin, "/product_set dried-shiitake unit pack")
    await app.send(admin, "/product_set dried-shiitake category tea")
    await app.send(admin, "/product_set dried-shiitake position 7")
    edited = await product(app, "dried-shiitake")
    assert edited.names["it"] == "Funghi <i>secchi</i>"
    assert edited.descriptions["fr"] == "Séchés au soleil."
    assert (edited.stock, edited.restricted_countries, edited.hs_code) == (
        5,
        ["ES", "IT"],
        "071239",
    )
    assert (edited.unit_weight_g, edited.unit, edited.position) == (500, "pack", 7)
    assert edited.category_id == (await category(app, "tea")).id
    assert "funghi <i>secchi</i>" in edited.search_names
    card = await app.send(admin, "/product_set dried-shiitake name.en Dried <i>shiitake</i>")
    assert "Dried <i>shiitake</i>" in card.text  # the card escapes it: shown as typed

    await app.send(admin, "/product_set dried-shiitake stock -")
    await app.send(admin, "/product_set dried-shiitake restrict -")
    cleared = await product(app, "dried-shiitake")
    assert cleared.stock is None and cleared.restricted_countries == []
    edits = len(await audits(app, "product.edit"))
    same = await app.send(admin, "/product_set dried-shiitake price 39.5")
    assert "Nothing changed" in same.text and len(await audits(app, "product.edit")) == edits

    refusals = {
        "/product_set nope price 10": "There is no product “nope”",
        "/product_set dried-shiitake price -3": "above zero",
        "/product_set dried-shiitake price 1000000.01": "too high",
        "/product_set dried-shiitake price ten": "not a price",
        "/product_set dried-shiitake weight 0": "from 1 g to 100 kg",
        "/product_set dried-shiitake stock -2": "cannot be negative",
        "/product_set dried-shiitake stock lots": "not a stock",
        "/product_set dried-shiitake unit crate": "not a unit",
        "/product_set dried-shiitake category nope": "There is no category",
        "/product_set dried-shiitake restrict IT,XX": "not a country code",
        "/product_set dried-shiitake hs 12": "not an HS code",
        "/product_set dried-shiitake name.en -": "is required",
        "/product_set dried-shiitake name.xx Hi": "not one of the languages",
        "/product_set dried-shiitake name Hi": "Say which language",
        "/product_set dried-shiitake slug new-slug": "not a field",
        "/product_set dried-shiitake price": "Give the new value",
        "/product_set dried-shiitake": "Usage: /product_set",
        "/product_set dried-shiitake name.en " + "x" * 121: "at most 120 characters",
        "/product_set dried-shiitake desc.en " + "x" * 1001: "at most 1000 characters",
    }
    for command, expected in refusals.items():
        reply = await app.send(admin, command)
        assert expected in reply.text, (command, reply.text)
    assert len(await audits(app, "product.edit")) == edits  # none of them wrote anything
    assert (await product(app, "dried-shiitake")).price_cny == 3950

    # a NUL byte never reaches the database (stripped at the edge)
    await app.send(admin, "/product_set dried-shiitake name.de Pil\x00ze")
    assert (await product(app, "dried-shiitake")).names["de"] == "Pilze"


async def test_the_cards_buttons_edit_fields(app: Harness):
    admin = await admin_of(app)
    shiitake = await product(app, "dried-shiitake")
    card = await app.send(admin, "/product dried-shiitake")
    assert "Dried shiitake" in card.text and "✏️ Price" in app.button_texts(card)
    await app.press(admin, card, CatalogCb(a=CatalogAction.EDIT, id=shiitake.id, v="price").pack())
    assert "not a price" in (await app.send(admin, "abc")).text  # asked again
    saved = await app.send(admin, "41")
    assert "Saved" in saved.text and (await product(app, "dried-shiitake")).price_cny == 4100
    await app.press(admin, card, CatalogCb(a=CatalogAction.EDIT, id=shiitake.id, v="name").pack())
    await app.send(admin, "nl Gedroogde shiitake")
    assert (await product(app, "dried-shiitake")).names["nl"] == "Gedroogde shiitake"
    await app.press(admin, card, CatalogCb(a=CatalogAction.EDIT, id=shiitake.id, v="unit").pack())
    units = app.last(admin)
    await app.press(admin, units, CatalogCb(a=CatalogAction.UNIT, id=shiitake.id, v="box").pack())
    assert (await product(app, "dried-shiitake")).unit == "box"
    tea = await category(app, "tea")
    await app.press(admin, card, CatalogCb(a=CatalogAction.EDIT, id=shiitake.id, v="category").pack())  # fmt: skip
    await app.press(
        admin, app.last(admin), CatalogCb(a=CatalogAction.CATEGORY, id=shiitake.id, c=tea.id).pack()
    )
    assert (await product(app, "dried-shiitake")).category_id == tea.id

    # forged or stale buttons change nothing
    for data in (
        CatalogCb(a=CatalogAction.EDIT, id=shiitake.id, v="slug").pack(),
        CatalogCb(a=CatalogAction.EDIT, id=999_999, v="price").pack(),
        CatalogCb(a=CatalogAction.SHOW, id=999_999).pack(),
        CatalogCb(a=CatalogAction.LIST, p=999).pack(),
        CatalogCb(a=CatalogAction.UNIT, id=shiitake.id, v="crate").pack(),
        CatalogCb(a=CatalogAction.CATEGORY, id=shiitake.id, c=999_999).pack(),
        CatalogCb(a=CatalogAction.CATEGORY, id=999_999, c=tea.id).pack(),
        CatalogCb(a=CatalogAction.HIDE, id=999_999).pack(),
        CatalogCb(a=CatalogAction.DIALOG_CREATE).pack(),
        CatalogCb(a=CatalogAction.DIALOG_SKIP).pack(),
        "adp:zz:1:0:0:",
        "adp:ed:99999999999:0:0:price",
    ):
        answer = await app.press(admin, card, data)
        assert answer.get("text") == STALE, data
    answer = await app.press(admin, card, ConfirmCb(a=ConfirmAction.IMPORT, t="forged").pack())
    assert "expired" in answer.get("text", "")
    answer = await app.press(admin, card, ConfirmCb(a=ConfirmAction.PRODUCT_HIDE, t="x").pack())
    assert "expired" in answer.get("text", "")
    assert (await product(app, "dried-shiitake")).is_active
    assert app.unanswered_taps() == []


async def test_the_product_list_pages_and_marks_hidden_products(app: Harness):
    admin = await admin_of(app)
    await app.send(admin, "/product_set dried-shiitake stock 0")
    first = await app.send(admin, "/products")
    assert "26 products · page 1 of 3" in first.text
    await app.press(admin, first, CatalogCb(a=CatalogAction.LIST, p=1).pack())
    assert "page 2 of 3" in app.last(admin).text
    assert "no page 9" in (await app.send(admin, "/products 9")).text
    assert "Usage: /products" in (await app.send(admin, "/products x")).text
    async with app.session_factory() as session:
        shiitake = await catalog_admin.find_product(session, "dried-shiitake")
        await catalog_admin.set_product_active(
            session, product_id=shiitake.id, active=False, admin_id=ADMIN_ID, now=app.clock.now()
        )
    pages = [(await app.send(admin, f"/products {n}")).text for n in (1, 2, 3)]
    line = next(line for text in pages for line in text.splitlines() if "dried-shiitake" in line)
    assert "🙈" in line and "out of stock" in line


# ── hiding and showing ──────────────────────────────────────────────────────────────────


async def buyer_sees(app: Harness, buyer, category_id: int, sku: str) -> bool:  # noqa: ANN001
    await app.send(buyer, "/catalog")
    answer = await app.press(buyer, app.last(buyer), CategoryCb(id=category_id).pack())
    if answer.get("show_alert"):
        return False
    pages = []
    for page in range(10):
        answer = await app.press(buyer, app.last(buyer), CategoryCb(id=category_id, page=page).pack())  # fmt: skip
        if answer.get("show_alert"):
            break
        pages.append(app.button_texts(app.last(buyer)))
    target = await product(app, sku)
    name = target.names["it"]
    return any(name in text for texts in pages for text in texts)


async def test_a_hidden_product_leaves_the_buyers_catalogue_and_search_and_comes_back(app: Harness):
    admin = await admin_of(app)
    buyer = app.user(language_code="it", first_name="Giulia")
    await app.onboard(buyer, language="it", country="Italia", city="Milano")
    shiitake = await product(app, "dried-shiitake")
    assert await buyer_sees(app, buyer, shiitake.category_id, "dried-shiitake")
    assert "dried-shiitake" in await found(app, "shiitake")

    prompt = await app.send(admin, "/product_hide dried-shiitake")
    async with app.session_factory() as session:
        offering = await catalog_admin.open_groups_offering(session, shiitake.id)
    assert offering > 1 and f"{offering} open group orders offer it" in prompt.text
    assert (await product(app, "dried-shiitake")).is_active  # not before Yes
    await app.tap(admin, "Hide it")
    assert "Hidden" in app.last(admin).text
    assert not (await product(app, "dried-shiitake")).is_active
    assert not await buyer_sees(app, buyer, shiitake.category_id, "dried-shiitake")
    assert "dried-shiitake" not in await found(app, "shiitake")
    card = ProductCb(id=shiitake.id, cat=shiitake.category_id).pack()
    assert (await app.press(buyer, app.last(buyer), card)).get("text") == app.t(STALE, "it")
    assert "already hidden" in (await app.send(admin, "/product_hide dried-shiitake")).text
    [entry] = await audits(app, "product.hide")
    assert entry.before["is_active"] is True and entry.after["is_active"] is False

    reply = await app.send(admin, "/product_show dried-shiitake")
    assert "On sale again" in reply.text
    assert await buyer_sees(app, buyer, shiitake.category_id, "dried-shiitake")
    assert "dried-shiitake" in await found(app, "shiitake")
    assert len(await audits(app, "product.show")) == 1


# ── categories ──────────────────────────────────────────────────────────────────────────


async def test_categories_are_created_edited_hidden_and_shown(app: Harness):
    admin = await admin_of(app)
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, "/category_new frozen 🧊 Frozen <b>food</b>")
    assert "Category created" in reply.text and "Frozen <b>food</b>" in reply.text
    frozen = await category(app, "frozen")
    assert frozen.names == {"en": "Frozen <b>food</b>"} and frozen.emoji == "🧊"
    assert frozen.position > (await category(app, "european-food")).position
    assert "already a category" in (await app.send(admin, "/category_new frozen - Again")).text
    assert "not a valid category code" in (await app.send(admin, "/category_new Frozen_Food 🧊 X")).text  # fmt: skip
    assert "not an emoji" in (await app.send(admin, "/category_new cold abc Cold")).text
    assert "/category_new SLUG EMOJI NAME" in (await app.send(admin, "/category_new x")).text
    too_long = await app.send(admin, "/category_new long 🧊 " + "x" * 41)
    assert "at most 40 characters" in too_long.text and await category(app, "long") is None
    await app.send(admin, "/category_set frozen name.zh_Hans 冷冻食品")
    await app.send(admin, "/category_set frozen emoji ❄️")
    assert (await category(app, "frozen")).names["zh_Hans"] == "冷冻食品"
    assert (await category(app, "frozen")).emoji == "❄️"
    assert "not a field" in (await app.send(admin, "/category_set frozen colour blue")).text
    listing = await app.send(admin, "/categories")
    assert "frozen" in listing.text and "Frozen <b>food</b>" in listing.text

    # a category without products is hidden at once; one with products asks first
    assert "hidden" in (await app.send(admin, "/category_hide frozen")).text
    dried = await category(app, "dried-goods")
    async with app.session_factory() as session:
        visible = await catalog_admin.visible_products_in(session, dried.id)
    prompt = await app.send(admin, "/category_hide dried-goods")
    assert f"Its {visible} products on sale disappear" in prompt.text
    assert (await category(app, "dried-goods")).is_active
    await app.tap(admin, f"Hide it and its {visible} products")
    assert not (await category(app, "dried-goods")).is_active
    await app.send(buyer, "/catalog")
    catalogue = app.button_texts(app.last(buyer))
    assert not any("Dried goods" in text for text in catalogue)
    answer = await app.press(buyer, app.last(buyer), CategoryCb(id=dried.id).pack())
    assert answer.get("text") == STALE
    assert "dried-shiitake" not in await found(app, "shiitake")
    shiitake = await product(app, "dried-shiitake")
    card = ProductCb(id=shiitake.id, cat=dried.id).pack()
    assert (await app.press(buyer, app.last(buyer), card)).get("text") == STALE
    assert shiitake.is_active  # hidden with its category, not by itself

    await app.send(admin, "/category_show dried-goods")
    await app.send(buyer, "/catalog")
    assert any("Dried goods" in text for text in app.button_texts(app.last(buyer)))
    assert "dried-shiitake" in await found(app, "shiitake")
    assert [e.action for e in await audits(app, "category.hide")] == ["category.hide"] * 2


# ── photos ──────────────────────────────────────────────────────────────────────────────


async def test_a_photo_set_by_caption_is_shown_on_the_buyers_card(app: Harness):
    admin = await admin_of(app)
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    sent = app.emulator.send_photo(admin, b"\xff\xd8jpeg", caption="/photo dried-shiitake")
    await app.process()
    largest = sent["photo"][-1]["file_id"]
    assert (await product(app, "dried-shiitake")).photo == largest
    reply = app.last(admin)
    assert reply.photo and "Photo set" in reply.caption
    assert len(await audits(app, "product.photo")) == 1

    shiitake = await product(app, "dried-shiitake")
    await app.send(buyer, "/catalog")
    await app.press(buyer, app.last(buyer), ProductCb(id=shiitake.id, cat=shiitake.category_id).pack())  # fmt: skip
    photos = [c.params.get("photo") for c in app.emulator.calls("sendPhoto")
              if str(c.params.get("chat_id")) == str(buyer.id)]  # fmt: skip
    assert photos == [largest]

    # refusals: no caption, unknown SKU, not a picture, a non-admin
    app.emulator.send_photo(admin, b"\xff\xd8jpeg")
    await app.process()
    assert "caption <code>/photo SKU</code>" not in app.last(admin).text
    assert "/photo SKU" in app.last(admin).text
    app.emulator.send_photo(admin, b"\xff\xd8jpeg", caption="/photo nope")
    await app.process()
    assert "There is no product “nope”" in app.last(admin).text
    app.emulator.send_document(admin, "notes.txt", b"hello", caption="/photo dried-shiitake")
    await app.process()
    assert "not a picture" in app.last(admin).text
    app.emulator.send_photo(buyer, b"\xff\xd8jpeg", caption="/photo dried-shiitake")
    await app.process()
    assert app.last(buyer).text == UNKNOWN
    app.emulator.send_photo(buyer, b"\xff\xd8jpeg")
    await app.process()
    assert "I can only read text" in app.last(buyer).text  # a buyer's photo is not the console's
    assert (await product(app, "dried-shiitake")).photo == largest

    # an image sent as a file becomes a photo of its own; /photo SKU - removes it
    app.emulator.send_document(
        admin, "shiitake.png", b"\x89PNG....", caption="/photo dried-shiitake"
    )
    await app.process()
    replaced = (await product(app, "dried-shiitake")).photo
    assert replaced and replaced != largest and app.last(admin).photo == replaced
    assert "Photo set" in app.last(admin).caption
    await app.send(admin, "/photo dried-shiitake -")
    assert (await product(app, "dried-shiitake")).photo is None
    assert len(await audits(app, "product.photo")) == 3


# ── /export products and /import ────────────────────────────────────────────────────────


async def export(app: Harness, admin) -> tuple[bytes, bytes]:  # noqa: ANN001
    await app.send(admin, "/export products")
    documents = [m.document for m in app.emulator.bot_messages(admin.id) if m.document][-2:]
    (csv_name, csv_data), (xlsx_name, xlsx_data) = documents
    assert csv_name.endswith(".csv") and xlsx_name.endswith(".xlsx")
    return csv_data, xlsx_data


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


async def send_file(app: Harness, admin, name: str, data: bytes, caption: str | None = "/import"):  # noqa: ANN001, ANN201
    app.emulator.send_document(admin, name, data, caption=caption)
    await app.process()
    return app.last(admin)


async def test_csv_export_edit_import_round_trips(app: Harness):
    admin = await admin_of(app)
    await app.send(admin, "/product_set dried-shiitake name.it =1+1 promo")  # formula-looking
    await app.send(admin, "/product_set qingtian-green-tea stock 4")
    async with app.session_factory() as session:
        tea = await catalog_admin.find_product(session, "qingtian-green-tea")
        await catalog_admin.set_product_active(
            session, product_id=tea.id, active=False, admin_id=ADMIN_ID, now=app.clock.now()
        )
    csv_data, _xlsx = await export(app, admin)
    rows = csv_rows(csv_data)
    assert tuple(rows[0]) == COLUMNS and len(rows) == 27
    by_sku = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_sku["dried-shiitake"]["name_it"] == "'=1+1 promo"  # never a formula
    assert by_sku["qingtian-green-tea"]["active"] == "false"  # hidden ones are in the file
    assert by_sku["qingtian-green-tea"]["stock"] == "4" and by_sku["dried-shiitake"]["stock"] == ""
    assert by_sku["dried-shiitake"]["price_cny"] == "38.00"
    before = await catalogue_rows(app)

    reply = await send_file(app, admin, "products.csv", csv_data)
    assert "0 new, 0 changed, 26 unchanged" in reply.text and "Nothing changed" in reply.text
    assert not reply.buttons
    assert await catalogue_rows(app) == before

    header = rows[0]
    edited = [list(row) for row in rows]
    target = next(row for row in edited if row[0] == "rice-fish-rice-5kg")
    target[header.index("price_cny")] = "99.90"
    target[header.index("name_it")] = "Riso <b>nuovo</b>"
    summary = await send_file(app, admin, "products.csv", to_csv_bytes(edited))
    assert "0 new, 1 changed, 25 unchanged" in summary.text
    assert "rice-fish-rice-5kg: price_cny, name_it" in summary.text
    assert await catalogue_rows(app) == before  # nothing before Yes
    await app.tap(admin, "Apply 1 change")
    assert "Imported" in app.last(admin).text
    after = {d.sku: d for d in await catalogue_rows(app)}
    expected = {d.sku: d for d in before}
    rice = after.pop("rice-fish-rice-5kg")
    old_rice = expected.pop("rice-fish-rice-5kg")
    assert after == expected  # nothing else changed
    assert rice.price_cny == 9990 and rice.names["it"] == "Riso <b>nuovo</b>"
    assert {k: v for k, v in rice.names.items() if k != "it"} == {
        k: v for k, v in old_rice.names.items() if k != "it"
    }
    [entry] = await audits(app, "product.import")
    assert entry.before["price_cny"] == 9800 and entry.after["price_cny"] == 9990
    assert "nuovo" in (await product(app, "rice-fish-rice-5kg")).search_names

    # a new row creates a product; the Yes of an older prompt is out of date once applied
    new_row = list(target)
    new_row[0] = "rice-fish-rice-10kg"
    summary = await send_file(app, admin, "more.csv", to_csv_bytes([*edited, new_row]))
    assert "1 new, 0 changed, 26 unchanged" in summary.text
    yes = summary.buttons[0][0][1]
    await app.tap(admin, "Apply 1 change")
    assert (await product(app, "rice-fish-rice-10kg")).price_cny == 9990
    answer = await app.press(admin, summary, yes)  # pressed again
    assert "expired" in answer.get("text", "")
    assert await count(app, Product) == 27


async def test_xlsx_export_edit_import_round_trips_after_typing_import(app: Harness):
    admin = await admin_of(app)
    _csv, xlsx_data = await export(app, admin)
    before = await catalogue_rows(app)
    prompt = await app.send(admin, "/import")
    assert "CSV or XLSX" in prompt.text
    reply = await send_file(app, admin, "products.xlsx", xlsx_data, caption=None)
    assert "26 unchanged" in reply.text and "Nothing changed" in reply.text

    book = load_workbook(io.BytesIO(xlsx_data))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "camellia-oil-1l":
            row[header.index("price_cny")].value = 150  # a number cell, as a spreadsheet makes it
            row[header.index("name_en")].value = "Camellia oil, 1 L (cold pressed)"
    out = io.BytesIO()
    book.save(out)
    await app.send(admin, "/import")
    summary = await send_file(app, admin, "products.xlsx", out.getvalue(), caption=None)
    assert "0 new, 1 changed, 25 unchanged" in summary.text
    await app.tap(admin, "Apply 1 change")
    after = {d.sku: d for d in await catalogue_rows(app)}
    oil = after.pop("camellia-oil-1l")
    assert oil.price_cny == 15000 and oil.names["en"] == "Camellia oil, 1 L (cold pressed)"
    assert after == {d.sku: d for d in before if d.sku != "camellia-oil-1l"}


async def test_an_import_with_errors_on_rows_3_and_7_applies_nothing(app: Harness):
    admin = await admin_of(app)
    csv_data, _xlsx = await export(app, admin)
    rows = csv_rows(csv_data)
    header = rows[0]
    rows[1][header.index("price_cny")] = "1.00"  # a fine change on row 2: not applied either
    rows[2][header.index("price_cny")] = "abc"  # row 3
    rows[6][header.index("category")] = "nope"  # row 7
    rows[6][header.index("restricted")] = "IT,XX"  # row 7, a second problem
    before = await catalogue_rows(app)
    reply = await send_file(app, admin, "products.csv", to_csv_bytes(rows))
    assert "⛔" in reply.text and "2 rows have a problem" in reply.text
    assert "Row 3:" in reply.text and "“abc” is not a price" in reply.text
    assert "Row 7:" in reply.text and "“XX” is not a country code" in reply.text
    assert "Row 2:" not in reply.text
    assert app.button_texts(reply) == ["✖ Cancel"]  # nothing to confirm
    assert await catalogue_rows(app) == before
    rows[6][header.index("restricted")] = ""
    rows[2][header.index("price_cny")] = "10"
    reply = await send_file(app, admin, "products.csv", to_csv_bytes(rows))
    assert "Row 7:" in reply.text and "There is no category “nope”" in reply.text
    rows.append(list(rows[1]))  # the same SKU twice
    rows[6][header.index("category")] = rows[5][header.index("category")]
    reply = await send_file(app, admin, "products.csv", to_csv_bytes(rows))
    assert "Row 28:" in reply.text and "already on row 2" in reply.text
    assert await catalogue_rows(app) == before

    # files that cannot be read at all
    cases = {
        ("products.csv", b"sku,price_cny\nx,1\n"): "These columns are missing",
        ("products.csv", to_csv_bytes([[*header, "colour"]])): "These columns are unknown",
        ("products.csv", to_csv_bytes([header])): "The file has no rows",
        ("products.pdf", b"%PDF-1.4"): "CSV and XLSX files only",
        ("products.xlsx", b"not a workbook"): "CSV and XLSX files only",
        ("products.csv", "sku;x\n".encode("utf-16")): "not in UTF-8",
        ("products.csv", to_csv_bytes([header, *[["a"]] * 1001])): "too many rows",
    }
    for (name, data), expected in cases.items():
        reply = await send_file(app, admin, name, data)
        assert expected in reply.text, (name, reply.text)
    assert await catalogue_rows(app) == before

    # after a refusal the corrected file may come without a caption
    reply = await send_file(app, admin, "products.csv", csv_data, caption=None)
    assert "26 unchanged" in reply.text
    # a product file without /import is not read as shipment events
    reply = await send_file(app, admin, "products.csv", csv_data, caption=None)
    assert "This is a product file" in reply.text


async def test_a_file_changed_between_check_and_yes_applies_nothing(app: Harness):
    admin = await admin_of(app)
    csv_data, _xlsx = await export(app, admin)
    rows = csv_rows(csv_data)
    rows[1][rows[0].index("price_cny")] = "1.00"
    summary = await send_file(app, admin, "products.csv", to_csv_bytes(rows))
    sku = rows[1][0]
    await app.send(admin, f"/product_set {sku} stock 9")  # someone edits it meanwhile
    await app.tap(admin, "Apply 1 change", summary)
    assert any("changed since the file was checked" in text for text in app.texts(admin))
    assert (await product(app, sku)).price_cny != 100


# ── non-admins ──────────────────────────────────────────────────────────────────────────


async def test_non_admins_get_the_unknown_command_reply_and_change_nothing(app: Harness):
    await admin_of(app)
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    counts = (await count(app, Product), await count(app, Category), await count(app, AuditEntry))
    before = await catalogue_rows(app)
    for command in (
        "/products", "/product dried-shiitake", "/product_new", "/product_new a | b | c | 1 | 1 | x | y",
        "/product_set dried-shiitake price 1", "/product_hide dried-shiitake",
        "/product_show dried-shiitake", "/photo dried-shiitake -", "/categories",
        "/category_new x 🧊 X", "/category_set tea emoji 🧊", "/category_hide tea",
        "/category_show tea", "/export products", "/import",
    ):  # fmt: skip
        reply = await app.send(buyer, command)
        assert reply.text == UNKNOWN, (command, reply.text)
    csv_rows_ = [list(COLUMNS)]
    reply = await send_file(app, buyer, "products.csv", to_csv_bytes(csv_rows_))
    assert reply.text == UNKNOWN
    shiitake = await product(app, "dried-shiitake")
    for data in (
        CatalogCb(a=CatalogAction.SHOW, id=shiitake.id).pack(),
        CatalogCb(a=CatalogAction.HIDE, id=shiitake.id).pack(),
        CatalogCb(a=CatalogAction.UNIT, id=shiitake.id, v="box").pack(),
        ConfirmCb(a=ConfirmAction.IMPORT, t="x").pack(),
        ConfirmCb(a=ConfirmAction.PRODUCT_HIDE, t="x").pack(),
        ConfirmCb(a=ConfirmAction.CATEGORY_HIDE, t="x").pack(),
    ):
        answer = await app.press(buyer, app.last(buyer), data)
        assert answer.get("text") == STALE, data
    assert not any(m.document for m in app.emulator.bot_messages(buyer.id))
    assert (await count(app, Product), await count(app, Category)) == counts[:2]
    assert await count(app, AuditEntry) == counts[2]
    assert await catalogue_rows(app) == before


# ── stock ───────────────────────────────────────────────────────────────────────────────


async def milan_group(app: Harness) -> tuple[GroupOrder, int]:
    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).where(GroupOrder.city == "Milan"))).first()
        shiitake = await catalog_admin.find_product(session, "dried-shiitake")
        offer = next(o for o, p in await groups.offers(session, group.id) if p.id == shiitake.id)
    return group, offer.id


async def type_quantity(app: Harness, buyer, group_id: int, offer_id: int, quantity: int):  # noqa: ANN001, ANN201
    await app.send(buyer, "/groups")
    await app.press(buyer, app.last(buyer), GroupCb(id=group_id).pack())
    await app.press(buyer, app.last(buyer), QtyCb(g=group_id, o=offer_id, n=1).pack())
    await app.press(buyer, app.last(buyer), QtyCb(g=group_id, o=offer_id, n=1, a="t").pack())
    return await app.send(buyer, str(quantity))


async def test_a_counted_stock_limits_orders_and_comes_back_when_they_go(app: Harness):
    admin = await admin_of(app)
    await app.send(admin, "/product_set dried-shiitake stock 3")
    group, offer_id = await milan_group(app)
    giulia = app.user(language_code="en", first_name="Giulia")
    marco = app.user(language_code="en", first_name="Marco")
    for buyer in (giulia, marco):
        await app.onboard(buyer, language="en", country="Italy", city="Milan")
    shiitake = await product(app, "dried-shiitake")
    await app.send(giulia, "/catalog")
    await app.press(giulia, app.last(giulia), ProductCb(id=shiitake.id, cat=shiitake.category_id).pack())  # fmt: skip
    assert "3 left in stock" in app.last(giulia).text

    await type_quantity(app, giulia, group.id, offer_id, 2)
    assert (await product(app, "dried-shiitake")).stock == 1
    refused = await type_quantity(app, marco, group.id, offer_id, 2)
    assert "Only 1 left." in app.texts(marco)[-1] or "Only 1 left." in refused.text
    assert (await product(app, "dried-shiitake")).stock == 1
    await type_quantity(app, giulia, group.id, offer_id, 5)
    assert "you can have at most 3" in app.texts(giulia)[-1]
    await type_quantity(app, giulia, group.id, offer_id, 3)
    assert (await product(app, "dried-shiitake")).stock == 0
    await app.send(giulia, "/catalog")
    await app.press(giulia, app.last(giulia), ProductCb(id=shiitake.id, cat=shiitake.category_id).pack())  # fmt: skip
    assert "Out of stock" in app.last(giulia).text
    await type_quantity(app, marco, group.id, offer_id, 1)
    assert "out of stock" in app.texts(marco)[-1]
    await type_quantity(app, giulia, group.id, offer_id, 1)  # lowering gives units back
    assert (await product(app, "dried-shiitake")).stock == 2
    async with app.session_factory() as session:
        await groups.leave(session, group_id=group.id, user_id=giulia.id, now=app.clock.now())
    assert (await product(app, "dried-shiitake")).stock == 3

    # a cancelled group gives its units back; stock not counted is never limited
    await type_quantity(app, marco, group.id, offer_id, 2)
    assert (await product(app, "dried-shiitake")).stock == 1
    async with app.session_factory() as session:
        await groups.cancel(session, group_id=group.id, reason="test", now=app.clock.now())
    assert (await product(app, "dried-shiitake")).stock == 3


async def seed_buyers(app: Harness, n: int) -> list[int]:
    async with app.session_factory() as session:
        for uid in range(1, n + 1):
            session.add(User(id=uid, first_name=f"u{uid}", locale="en", country="IT",
                             city="Milan", currency="EUR"))  # fmt: skip
        await session.commit()
    return list(range(1, n + 1))


async def join(app: Harness, group_id: int, offer_id: int, user_id: int, quantity: int) -> str:
    async with app.session_factory() as session:
        try:
            await groups.set_quantity(
                session, group_id=group_id, offer_id=offer_id, user_id=user_id,
                quantity=quantity, now=app.clock.now(),
            )  # fmt: skip
            return "ok"
        except groups.GroupError as error:
            return error.code


async def test_buyers_racing_for_the_last_units_never_oversell(app: Harness):
    group, offer_id = await milan_group(app)
    async with app.session_factory() as session:
        await catalog_admin.edit_product(
            session, sku="dried-shiitake", edit=catalog_admin.Edit("stock", 5), admin_id=ADMIN_ID,
            now=app.clock.now(),
        )  # fmt: skip
    buyers = await seed_buyers(app, 12)
    results = await asyncio.gather(*(join(app, group.id, offer_id, uid, 1) for uid in buyers))
    assert results.count("ok") == 5 and results.count("stock") == 7
    assert (await product(app, "dried-shiitake")).stock == 0
    # two leave at once: their units come back; two then race for them, each wanting both
    have = [uid for uid, result in zip(buyers, results, strict=True) if result == "ok"]
    rest = [uid for uid in buyers if uid not in have]
    left = await asyncio.gather(*(join(app, group.id, offer_id, uid, 0) for uid in have[:2]))
    assert left == ["ok", "ok"] and (await product(app, "dried-shiitake")).stock == 2
    results = await asyncio.gather(*(join(app, group.id, offer_id, uid, 2) for uid in rest[:2]))
    assert sorted(results) == ["ok", "stock"]
    assert (await product(app, "dried-shiitake")).stock == 0


async def test_a_failed_group_gives_its_stock_back_and_a_formed_one_keeps_it(app: Harness):
    group, offer_id = await milan_group(app)
    async with app.session_factory() as session:
        await catalog_admin.edit_product(
            session, sku="dried-shiitake", edit=catalog_admin.Edit("stock", 10), admin_id=ADMIN_ID,
            now=app.clock.now(),
        )  # fmt: skip
    buyers = await seed_buyers(app, 2)
    assert await join(app, group.id, offer_id, buyers[0], 4) == "ok"
    assert (await product(app, "dried-shiitake")).stock == 6
    await app.tick(group.deadline - app.clock.now() + timedelta(minutes=1))  # far below its minimum
    async with app.session_factory() as session:
        assert (await session.get(GroupOrder, group.id)).status == "failed"
    assert (await product(app, "dried-shiitake")).stock == 10

    shiitake = await product(app, "dried-shiitake")
    async with app.session_factory() as session:
        small = await groups.create_group(
            session,
            spec=groups.GroupSpec(
                country="IT", city="Milan", method="rail", deadline=app.clock.now() + timedelta(days=2),
                measure="units", min_total=1, tiers=[0],
                offers=[groups.OfferSpec(product_id=shiitake.id, prices=[3800])],
            ),
            created_by=None, now=app.clock.now(),
        )  # fmt: skip
        small_offer = (await groups.offers(session, small.id))[0][0].id
    assert await join(app, small.id, small_offer, buyers[1], 3) == "ok"
    async with app.session_factory() as session:
        outcome = await groups.close(session, group_id=small.id, now=app.clock.now(), force=True)
    assert outcome.status == "formed"
    assert (await product(app, "dried-shiitake")).stock == 7  # sold: not given back


# ── the rules, without Telegram ─────────────────────────────────────────────────────────


def test_field_rules():
    assert parse_price("12.50") == parse_price("12,5") == parse_price("¥12.50") == 1250
    assert parse_price("1,250.00") == parse_price("1,250") == parse_price("1 250 CNY") == 125000
    assert parse_price("1000000") == 100_000_000
    for bad in ("0", "-1", "1000000.01", "1.005", "abc", "NaN", "Infinity", ""):
        with pytest.raises(CatalogError):
            parse_price(bad)
    assert parse_weight("250") == parse_weight("250 g") == 250
    assert parse_weight("2,5kg") == parse_weight("2.5 kg") == 2500 and parse_weight("1l") == 1000
    for bad in ("0", "100001", "1.5", "heavy", "-3"):
        with pytest.raises(CatalogError):
            parse_weight(bad)
    assert parse_stock("-") is None and parse_stock("") is None and parse_stock("12") == 12
    with pytest.raises(CatalogError, match="stock_negative"):
        parse_stock("-1")
    assert parse_hs_code("0712.39") == "071239" and parse_hs_code("71239") == "071239"
    assert parse_hs_code("-") == ""
    assert parse_countries("es, it IT") == ("ES", "IT") and parse_countries("-") == ()
    with pytest.raises(CatalogError):
        parse_countries("EU")


def test_a_table_needs_its_header():
    with pytest.raises(Exception, match="missing_columns"):
        read_products([["sku", "price_cny"], ["a", "1"]])
    rows, problems = read_products([list(COLUMNS), [""] * len(COLUMNS), ["x"] * len(COLUMNS)])
    assert rows == [] and [p.number for p in problems] == [3]  # the blank row 2 is skipped


async def test_a_workbook_from_scratch_is_read_like_an_export(app: Harness):
    """An admin's own workbook: numbers as numbers, columns in another order."""
    admin = await admin_of(app)
    book = Workbook()
    sheet = book.active
    header = list(reversed(COLUMNS))
    sheet.append(header)
    values = {name: "" for name in COLUMNS}
    values.update(sku="jam-jar", category="bayberry-sweets", position=1, unit="jar", weight_g=300,
                  price_cny=25, stock=1, active="true", name_en="Bayberry jam",
                  name_zh_Hans="杨梅酱")  # fmt: skip
    sheet.append([values[name] for name in header])
    out = io.BytesIO()
    book.save(out)
    summary = await send_file(app, admin, "mine.xlsx", out.getvalue())
    assert "1 new, 0 changed, 0 unchanged" in summary.text
    await app.tap(admin, "Apply 1 change")
    jam = await product(app, "jam-jar")
    assert (jam.price_cny, jam.stock, jam.unit_weight_g) == (2500, 1, 300)


async def test_units_ordered_before_stock_was_counted_are_not_given_back(app: Harness):
    """A buyer orders 3 while the stock is not counted; the admin then counts 10; the buyer
    leaves: the stock stays 10 (it was never taken from), not 13 — no phantom units to oversell."""
    admin = await admin_of(app)
    group, offer_id = await milan_group(app)
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await type_quantity(app, buyer, group.id, offer_id, 3)
    await app.send(admin, "/product_set dried-shiitake stock 10")
    await type_quantity(app, buyer, group.id, offer_id, 5)  # +2 taken from the counted stock
    assert (await product(app, "dried-shiitake")).stock == 8
    await type_quantity(app, buyer, group.id, offer_id, 4)  # -1: gives back one it took
    assert (await product(app, "dried-shiitake")).stock == 9
    async with app.session_factory() as session:
        await groups.leave(session, group_id=group.id, user_id=buyer.id, now=app.clock.now())
    assert (await product(app, "dried-shiitake")).stock == 10


async def test_huge_exponents_are_refused_at_once(app: Harness):
    """1e99999999 grams would stall the event loop expanding it, 1e999999 overflow: both are
    refused as out of range, and nothing changes."""
    admin = await admin_of(app)
    before = await product(app, "dried-shiitake")
    for value in ("1e99999999", "2.5e999999kg", "1e-999999"):
        reply = await app.send(admin, f"/product_set dried-shiitake weight {value}")
        assert "⚠️" in reply.text or "weight" in reply.text.lower(), (value, reply.text)
    for value in ("1e999999", "1e-999999"):
        await app.send(admin, f"/product_set dried-shiitake price {value}")
    after = await product(app, "dried-shiitake")
    assert (after.unit_weight_g, after.price_cny) == (before.unit_weight_g, before.price_cny)
