from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import utcnow


class Agent(SQLModel, table=True):
    """A regional agent (or pickup point operator) for one city; a user may cover several."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("user_id", "country", "city"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    country: str = Field(max_length=2, index=True)
    city: str = Field(max_length=128)
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class PickupPoint(SQLModel, table=True):
    """A place where buyers of a city collect their orders, run by an agent."""

    __tablename__ = "pickup_points"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    country: str = Field(max_length=2)
    city: str = Field(max_length=128)
    name: str = Field(max_length=128)
    address: str = Field(max_length=256)
    hours: str = Field(default="", max_length=128)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class AgentInvite(SQLModel, table=True):
    """A one-time link (`start=agent_<token>`) that makes whoever opens it the agent of a city."""

    __tablename__ = "agent_invites"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    country: str = Field(max_length=2)
    city: str = Field(max_length=128)
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    expires_at: datetime
    used_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    used_at: datetime | None = None
