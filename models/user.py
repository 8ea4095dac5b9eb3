from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from models.base import utcnow


class User(SQLModel, table=True):
    """A Telegram user as the bot knows them. The primary key is the Telegram user id."""

    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = Field(default="", max_length=256)
    username: str | None = Field(default=None, max_length=64)
    language_code: str | None = Field(default=None, max_length=16)  # as Telegram sent it
    locale: str | None = Field(default=None, max_length=16)  # in core.locales.LOCALES, once chosen
    country: str | None = Field(default=None, max_length=2)  # ISO 3166-1 alpha-2
    city: str | None = Field(default=None, max_length=128)
    currency: str | None = Field(default=None, max_length=3)  # ISO 4217
    timezone: str = Field(default="UTC", max_length=64)
    pickup_point_id: int | None = Field(default=None)  # the buyer's chosen pickup point
    start_payload: str | None = Field(default=None, max_length=64)  # deep link of the first /start
    is_blocked: bool = Field(default=False)  # the user blocked the bot
    # the digest (domain.digests): how often, on which weekday (0 = Monday) for a weekly one, at
    # which local hour; when the next one is due (UTC; None: to be computed) and the last sent
    digest: str = Field(default="daily", max_length=8)
    digest_day: int = Field(default=0)
    digest_hour: int = Field(default=9)
    digest_due_at: datetime | None = Field(default=None, index=True)
    last_digest_at: datetime | None = None
    group_alerts: bool = Field(default=True)  # "tell me when a group opens in my city"
    # an admin appointed in the bot (/admin_add); ADMIN_IDS are admins whatever this says
    is_admin: bool = Field(default=False)
    # suspended by an admin (/block): the bot answers nothing but that, and sends them nothing
    is_banned: bool = Field(default=False)
    # checkout details, asked once and reused: a pickup point (pickup_point_id), or delivery to
    # a home or a restaurant at this address and phone; a restaurant's business name and VAT
    delivery: str = Field(default="pickup", max_length=12)  # pickup | home | restaurant
    address: str | None = Field(default=None, max_length=256)
    phone: str | None = Field(default=None, max_length=32)
    business_name: str | None = Field(default=None, max_length=128)
    vat_number: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def onboarded(self) -> bool:
        return bool(self.locale and self.country and self.city and self.currency)
