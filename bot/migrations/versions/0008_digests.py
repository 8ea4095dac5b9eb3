"""digest preferences and schedule, and the group-opened alert, per user

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "digest", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                server_default="daily",
            )
        )  # fmt: skip
        batch_op.add_column(
            sa.Column("digest_day", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("digest_hour", sa.Integer(), nullable=False, server_default="9")
        )
        batch_op.add_column(
            sa.Column("digest_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_digest_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("group_alerts", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_index(batch_op.f("ix_users_digest_due_at"), ["digest_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_digest_due_at"))
        for column in (
            "group_alerts",
            "last_digest_at",
            "digest_due_at",
            "digest_hour",
            "digest_day",
            "digest",
        ):
            batch_op.drop_column(column)
