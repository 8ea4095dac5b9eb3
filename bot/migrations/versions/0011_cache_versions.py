"""cache versions: a number per family of cached rows (catalogue, groups, their offers, users), moved on by
every transaction that changes them, so every worker's in-memory copies can be checked

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAMILIES = ("catalog", "groups", "offers", "users")


def upgrade() -> None:
    table = op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )
    op.bulk_insert(table, [{"name": name, "version": 0} for name in FAMILIES])


def downgrade() -> None:
    op.drop_table("cache_versions")
