from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlmodel import SQLModel

# A naming convention makes constraint names stable, so Alembic can drop and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """An aware UTC timestamp (SQLModel's datetime columns refuse naive ones)."""
    return datetime.now(UTC)
