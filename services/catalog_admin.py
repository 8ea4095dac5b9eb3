"""The catalogue as admins run it: products and categories created, edited, hidden and shown,
photos, and the product file (`/export products`, `/import`). Every change is audited in its
own transaction, keeps the search columns in step, and makes this process's search index
rebuild once it is committed. Fields are checked in `domain.product_files`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import case, event, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.product_files import (
    CatalogError,
    Edit,
    ProductData,
    RowProblem,
    apply_edit,
    changes,
    check_names,
    data_of,
    fingerprint,
)
from models import Category, GroupOffer, GroupOrder, GroupStatus, Product
from services import audit, search
from services.catalog import refresh_search_fields
from services.tx import writes

PRODUCT_FIELDS = (
    "slug", "category_id", "position", "names", "descriptions", "price_cny", "unit",
    "unit_weight_g", "hs_code", "photo", "restricted_countries", "is_active", "stock",
)  # fmt: skip
CATEGORY_FIELDS = ("slug", "position", "emoji", "names", "is_active")
PAGE = 10


def _search_changes(session: AsyncSession) -> None:
    """Once this transaction commits, this process's search index is rebuilt at the next
    search (an edit the catalogue's version cannot see included)."""
    event.listen(session.sync_session, "after_commit", lambda _s: search.catalogue_changed(),
                 once=True)  # fmt: skip


def _assign(obj: Any, name: str, value: Any) -> bool:
    """Set only what differs (an UPDATE then carries only the changed columns: a buyer's stock
    taken meanwhile is not overwritten by an edit of the price)."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


# ── reading ─────────────────────────────────────────────────────────────────────────────


async def find_product(session: AsyncSession, sku: str) -> Product:
    product = (await session.exec(select(Product).where(Product.slug == sku))).first()
    if product is None:
        raise CatalogError("unknown_sku", sku)
    return product


async def find_category(session: AsyncSession, slug: str) -> Category:
    category = (await session.exec(select(Category).where(Category.slug == slug))).first()
    if category is None:
        raise CatalogError("unknown_category", slug)
    return category


async def all_categories(session: AsyncSession) -> list[Category]:
    statement = select(Category).order_by(col(Category.position), col(Category.id))
    return list((await session.exec(statement)).all())


@dataclass(frozen=True)
class AdminPage:
    """A page of every product, hidden ones included, in catalogue order."""

    products: list[Product]
    categories: dict[int, Category]
    page: int  # 0-based
    pages: int
    total: int


async def products_page(session: AsyncSession, *, page: int, page_size: int = PAGE) -> AdminPage:
    """Raises CatalogError("bad_page", pages=…) for a page out of range."""
    categories = {c.id or 0: c for c in await all_categories(session)}
    total = int((await session.exec(select(func.count()).select_from(Product))).one())
    pages = max(1, ceil(total / page_size))
    if not 0 <= page < pages:
        raise CatalogError("bad_page", page + 1, pages=pages)
    statement = (
        select(Product)
        .join(Category, col(Category.id) == Product.category_id)
        .order_by(
            col(Category.position), col(Category.id), col(Product.position), col(Product.id)
        )  # fmt: skip
        .offset(page * page_size)
        .limit(page_size)
    )
    products = list((await session.exec(statement)).all())
    return AdminPage(products, categories, page, pages, total)


async def open_groups_offering(session: AsyncSession, product_id: int) -> int:
    """How many open group orders offer the product."""
    statement = (
        select(func.count(func.distinct(GroupOrder.id)))
        .select_from(GroupOffer)
        .join(GroupOrder, col(GroupOrder.id) == GroupOffer.group_id)
        .where(GroupOffer.product_id == product_id, col(GroupOrder.status) == GroupStatus.OPEN)
    )
    return int((await session.exec(statement)).one())


@dataclass(frozen=True)
class AdminCard:
    product: Product
    category: Category
    open_groups: int


async def product_card(
    session: AsyncSession, *, sku: str | None = None, product_id: int | None = None
) -> AdminCard:
    """By code or by id; CatalogError("unknown_sku") when there is none."""
    if product_id is not None:
        product = await session.get(Product, product_id, populate_existing=True)
        if product is None:
            raise CatalogError("unknown_sku", product_id)
    else:
        product = await find_product(session, sku or "")
    category = await session.get(Category, product.category_id)
    assert category is not None
    return AdminCard(product, category, await open_groups_offering(session, product.id or 0))


@dataclass(frozen=True)
class CategoryStats:
    category: Category
    products: int  # all of them
    visible: int  # on sale (shown to buyers while the category is)


async def categories_overview(session: AsyncSession) -> list[CategoryStats]:
    """Every category, hidden ones included, with its product counts (one query for them)."""
    counts = await session.exec(
        select(
            Product.category_id,
            func.count(),
            func.sum(case((col(Product.is_active), 1), else_=0)),
        ).group_by(col(Product.category_id))
    )
    by_id = {cid: (int(n), int(v or 0)) for cid, n, v in counts.all()}
    return [CategoryStats(c, *by_id.get(c.id or 0, (0, 0))) for c in await all_categories(session)]


async def visible_products_in(session: AsyncSession, category_id: int) -> int:
    statement = select(func.count()).where(
        Product.category_id == category_id, col(Product.is_active).is_(True)
    )
    return int((await session.exec(statement)).one())


# ── products ────────────────────────────────────────────────────────────────────────────


def _snapshot(product: Product) -> dict[str, Any]:
    return audit.snapshot(product, PRODUCT_FIELDS)


def _write(product: Product, data: ProductData, category_id: int) -> bool:
    """Put the data on the row; whether anything changed."""
    changed = [
        _assign(product, "category_id", category_id),
        _assign(product, "position", data.position),
        _assign(product, "names", dict(data.names)),
        _assign(product, "descriptions", dict(data.descriptions)),
        _assign(product, "price_cny", data.price_cny),
        _assign(product, "unit", data.unit),
        _assign(product, "unit_weight_g", data.weight_g),
        _assign(product, "hs_code", data.hs_code),
        _assign(product, "restricted_countries", list(data.restricted)),
        _assign(product, "is_active", data.active),
        _assign(product, "stock", data.stock),
    ]
    refresh_search_fields(product)
    return any(changed)


async def _create(
    session: AsyncSession, data: ProductData, category: Category, admin_id: int, now: datetime,
    action: str,
) -> Product:  # fmt: skip
    check_names(data.names)
    product = Product(
        slug=data.sku, category_id=category.id or 0, price_cny=data.price_cny, unit=data.unit,
        created_at=now,
    )  # fmt: skip
    _write(product, data, category.id or 0)
    session.add(product)
    await session.flush()
    audit.record(
        session, admin_id=admin_id, action=action, object_type="product", object_id=data.sku,
        after=_snapshot(product), at=now,
    )  # fmt: skip
    return product


@writes
async def create_product(
    session: AsyncSession, *, data: ProductData, admin_id: int, now: datetime
) -> Product:
    """A new product (CatalogError: duplicate_sku, unknown_category, name_required)."""
    if (await session.exec(select(Product.id).where(Product.slug == data.sku))).first():
        raise CatalogError("duplicate_sku", data.sku)
    category = await find_category(session, data.category)
    product = await _create(session, data, category, admin_id, now, "product.create")
    _search_changes(session)
    return product


@dataclass(frozen=True)
class EditResult:
    product: Product
    changed: bool


@writes
async def edit_product(
    session: AsyncSession, *, product_id: int | None = None, sku: str | None = None, edit: Edit,
    admin_id: int, now: datetime,
) -> EditResult:  # fmt: skip
    """One field changed (CatalogError: unknown_sku, unknown_category). An edit that changes
    nothing writes nothing (no audit entry either)."""
    product = (await product_card(session, sku=sku, product_id=product_id)).product
    category = await session.get(Category, product.category_id)
    assert category is not None
    before = data_of(product, category.slug)
    after = apply_edit(before, edit)
    target = category
    if after.category != category.slug:
        target = await find_category(session, after.category)
    snapshot = _snapshot(product)
    product_id = product.id or 0
    if not _write(product, after, target.id or 0):
        await session.rollback()  # expires what was read: read it again
        return EditResult(await _reread(session, product_id), False)
    session.add(product)
    audit.record(
        session, admin_id=admin_id, action="product.edit", object_type="product",
        object_id=product.slug, before=snapshot, after=_snapshot(product), at=now,
    )  # fmt: skip
    _search_changes(session)
    return EditResult(product, True)


async def _reread(session: AsyncSession, product_id: int) -> Product:
    product = await session.get(Product, product_id, populate_existing=True)
    assert product is not None
    return product


@writes
async def set_product_active(
    session: AsyncSession, *, product_id: int, active: bool, admin_id: int, now: datetime
) -> EditResult:
    """Hide a product from buyers (catalogue, search, new digests), or show it again. Open
    groups that offer it keep it, and orders keep their lines."""
    product = await session.get(Product, product_id)
    if product is None:
        raise CatalogError("unknown_sku", product_id)
    if product.is_active == active:
        await session.rollback()
        return EditResult(await _reread(session, product_id), False)
    snapshot = _snapshot(product)
    product.is_active = active
    session.add(product)
    audit.record(
        session, admin_id=admin_id, action="product.show" if active else "product.hide",
        object_type="product", object_id=product.slug, before=snapshot,
        after=_snapshot(product), at=now,
    )  # fmt: skip
    _search_changes(session)
    return EditResult(product, True)


@writes
async def set_photo(
    session: AsyncSession, *, sku: str, photo: str | None, admin_id: int, now: datetime
) -> Product:
    """The product's photo (a Telegram file_id), or none."""
    product = await find_product(session, sku)
    snapshot = _snapshot(product)
    product.photo = photo
    session.add(product)
    audit.record(
        session, admin_id=admin_id, action="product.photo", object_type="product",
        object_id=sku, before=snapshot, after=_snapshot(product), at=now,
    )  # fmt: skip
    return product


# ── categories ──────────────────────────────────────────────────────────────────────────


@writes
async def create_category(
    session: AsyncSession, *, slug: str, emoji: str, names: dict[str, str], admin_id: int,
    now: datetime,
) -> Category:  # fmt: skip
    """A new category, last in the list (CatalogError: duplicate_category, name_required)."""
    if (await session.exec(select(Category.id).where(Category.slug == slug))).first():
        raise CatalogError("duplicate_category", slug)
    if not any(names.values()):
        raise CatalogError("category_name_required")
    last = (await session.exec(select(func.max(Category.position)))).one()
    category = Category(
        slug=slug, emoji=emoji, names={k: v for k, v in names.items() if v},
        position=int(last or 0) + 1,
    )  # fmt: skip
    session.add(category)
    await session.flush()
    audit.record(
        session, admin_id=admin_id, action="category.create", object_type="category",
        object_id=slug, after=audit.snapshot(category, CATEGORY_FIELDS), at=now,
    )  # fmt: skip
    _search_changes(session)
    return category


@dataclass(frozen=True)
class CategoryResult:
    category: Category
    changed: bool


@writes
async def edit_category(
    session: AsyncSession, *, slug: str, edit: Edit, admin_id: int, now: datetime
) -> CategoryResult:
    category = await find_category(session, slug)
    snapshot = audit.snapshot(category, CATEGORY_FIELDS)
    if edit.field == "name":
        assert edit.locale is not None
        names = dict(category.names)
        if edit.value:
            names[edit.locale] = edit.value
        else:
            names.pop(edit.locale, None)
        if not any(names.values()):
            raise CatalogError("category_name_required")
        changed = _assign(category, "names", names)
    else:
        changed = _assign(category, edit.field, edit.value)
    if not changed:
        await session.rollback()
        return CategoryResult(await find_category(session, slug), False)
    session.add(category)
    audit.record(
        session, admin_id=admin_id, action="category.edit", object_type="category",
        object_id=slug, before=snapshot, after=audit.snapshot(category, CATEGORY_FIELDS), at=now,
    )  # fmt: skip
    _search_changes(session)
    return CategoryResult(category, True)


@writes
async def set_category_active(
    session: AsyncSession, *, slug: str, active: bool, admin_id: int, now: datetime
) -> CategoryResult:
    """Hide a category, and with it every product in it, from buyers; or show it again (its
    products that are not hidden themselves come back)."""
    category = await find_category(session, slug)
    if category.is_active == active:
        await session.rollback()
        return CategoryResult(await find_category(session, slug), False)
    snapshot = audit.snapshot(category, CATEGORY_FIELDS)
    category.is_active = active
    session.add(category)
    audit.record(
        session, admin_id=admin_id, action="category.show" if active else "category.hide",
        object_type="category", object_id=slug, before=snapshot,
        after=audit.snapshot(category, CATEGORY_FIELDS), at=now,
    )  # fmt: skip
    _search_changes(session)
    return CategoryResult(category, True)


# ── the product file ────────────────────────────────────────────────────────────────────


async def export_products(session: AsyncSession) -> list[ProductData]:
    """Every product, hidden ones included, in catalogue order."""
    statement = (
        select(Product, Category)
        .join(Category, col(Category.id) == Product.category_id)
        .order_by(
            col(Category.position), col(Category.id), col(Product.position), col(Product.id)
        )  # fmt: skip
    )
    return [data_of(p, c.slug) for p, c in (await session.exec(statement)).all()]


@dataclass(frozen=True)
class Changed:
    data: ProductData
    fields: tuple[str, ...]  # the columns that differ
    before: str  # fingerprint of the product as it was when the file was checked


@dataclass
class ImportPlan:
    """What a checked file would do."""

    new: list[ProductData] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.new) + len(self.changed)

    def to_dict(self) -> dict[str, Any]:
        """What is kept (in the admin's dialog data) until they confirm: what would change."""
        return {
            "new": [d.to_dict() for d in self.new],
            "changed": [
                {"data": c.data.to_dict(), "fields": list(c.fields), "before": c.before}
                for c in self.changed
            ],
            "unchanged": self.unchanged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportPlan:
        """Raises KeyError, TypeError or ValueError for data that is not a kept plan."""
        return cls(
            new=[ProductData.from_dict(d) for d in data["new"]],
            changed=[
                Changed(ProductData.from_dict(c["data"]), tuple(c["fields"]), str(c["before"]))
                for c in data["changed"]
            ],
            unchanged=int(data["unchanged"]),
        )


async def _by_slug(session: AsyncSession, skus: Sequence[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    unique = sorted(set(skus))
    for start in range(0, len(unique), 500):
        rows = await session.exec(
            select(Product).where(col(Product.slug).in_(unique[start : start + 500]))
        )
        found.update({p.slug: p for p in rows.all()})
    return found


async def plan_import(session: AsyncSession, rows: Sequence[tuple[int, ProductData]]) -> ImportPlan:
    """Compare the file's rows with the catalogue. A row naming a category that does not exist
    is a problem of that row (categories are created with /category_new, not by a file)."""
    plan = ImportPlan()
    categories = {c.slug: c for c in await all_categories(session)}
    slug_of = {c.id: c.slug for c in categories.values()}
    existing = await _by_slug(session, [data.sku for _n, data in rows])
    for number, data in rows:
        if data.category not in categories:
            plan.problems.append(
                RowProblem(number, (CatalogError("unknown_category", data.category),))
            )
            continue
        product = existing.get(data.sku)
        if product is None:
            plan.new.append(data)
            continue
        old = data_of(product, slug_of.get(product.category_id, ""))
        found = changes(old, data)
        if found:
            plan.changed.append(Changed(data, tuple(found), fingerprint(old)))
        else:
            plan.unchanged += 1
    return plan


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@writes
async def apply_import(
    session: AsyncSession, *, plan: ImportPlan, admin_id: int, now: datetime
) -> ImportResult:
    """All of the plan or nothing, in one transaction. If the catalogue changed since the file
    was checked (a product edited or created meanwhile, a category gone): CatalogError
    ("import_stale", skus=…) and nothing is written."""
    categories = {c.slug: c for c in await all_categories(session)}
    slug_of = {c.id: c.slug for c in categories.values()}
    existing = await _by_slug(
        session, [d.sku for d in plan.new] + [c.data.sku for c in plan.changed]
    )
    stale = [d.sku for d in plan.new if d.sku in existing or d.category not in categories]
    for change in plan.changed:
        product = existing.get(change.data.sku)
        if (
            product is None
            or change.data.category not in categories
            or fingerprint(data_of(product, slug_of.get(product.category_id, ""))) != change.before
        ):
            stale.append(change.data.sku)
    if stale:
        raise CatalogError("import_stale", ", ".join(stale[:5]), count=len(stale))
    for data in plan.new:
        await _create(session, data, categories[data.category], admin_id, now, "product.import")
    for change in plan.changed:
        product = existing[change.data.sku]
        snapshot = _snapshot(product)
        _write(product, change.data, categories[change.data.category].id or 0)
        session.add(product)
        audit.record(
            session, admin_id=admin_id, action="product.import", object_type="product",
            object_id=product.slug, before=snapshot, after=_snapshot(product), at=now,
        )  # fmt: skip
    _search_changes(session)
    return ImportResult(created=len(plan.new), updated=len(plan.changed))
