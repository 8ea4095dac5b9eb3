from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from models.base import utcnow


class Category(SQLModel, table=True):
    __tablename__ = "categories"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    position: int = Field(default=0)
    emoji: str = Field(default="", max_length=8)
    is_active: bool = Field(default=True)
    # {"zh_Hans": "大米", "en": "Rice", ...}
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Product(SQLModel, table=True):
    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    category_id: int = Field(foreign_key="categories.id", index=True)
    position: int = Field(default=0)
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    descriptions: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # Price of one unit in fen (CNY minor units). Never a float.
    price_cny: int = Field(sa_column=Column(BigInteger, nullable=False))
    unit: str = Field(max_length=16)  # a key of services.catalog.UNITS
    unit_weight_g: int = Field(default=0)  # net weight of one unit, grams
    hs_code: str = Field(default="", max_length=16)
    photo: str | None = Field(default=None, max_length=512)  # Telegram file_id or URL
    # ISO country codes the product may not be shipped to (import restrictions).
    restricted_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    is_active: bool = Field(default=True)
    # units left to sell (None: not counted); a group offer cannot promise more than this
    stock: int | None = Field(default=None)
    # Accent- and case-folded text of every locale, for search (see services.search).
    search_names: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class ExchangeRate(SQLModel, table=True):
    """How many units of `currency` one yuan buys, scaled by 10**6 (an integer, never a float)."""

    __tablename__ = "exchange_rates"

    currency: str = Field(primary_key=True, max_length=3)
    per_cny_micro: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
