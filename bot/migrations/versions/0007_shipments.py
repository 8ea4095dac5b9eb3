"""shipments, their events, group pickup points, sent message ids

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tracking", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("eta", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("last_event_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_tracking"), ["tracking"], unique=False)

    op.create_table(
        "shipment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("occurred_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("new_eta", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_events_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_events")),
        sa.UniqueConstraint("key", name=op.f("uq_shipment_events_key")),
    )
    with op.batch_alter_table("shipment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipment_events_shipment_at", ["shipment_id", "occurred_at"], unique=False
        )

    with op.batch_alter_table("group_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_point_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("shipment_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_group_orders_shipment_id"), ["shipment_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_group_orders_shipment_id_shipments"),
            "shipments",
            ["shipment_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_group_orders_pickup_point_id_pickup_points"),
            "pickup_points",
            ["pickup_point_id"],
            ["id"],
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))

    _link_pickup_points()


def _link_pickup_points() -> None:
    """A group whose free-text pickup point names one of its city's pickup points is linked
    to it (the text stays, for a group whose point is not in the table)."""
    bind = op.get_bind()
    points = bind.execute(sa.text("SELECT id, country, city, name FROM pickup_points")).all()
    groups = bind.execute(
        sa.text(
            "SELECT id, country, city, pickup_point FROM group_orders "
            "WHERE pickup_point IS NOT NULL AND pickup_point_id IS NULL"
        )
    ).all()
    for group_id, country, city, text in groups:
        for point_id, p_country, p_city, name in points:
            same_place = p_country == country and p_city.casefold() == city.casefold()
            if same_place and text.casefold().startswith(name.casefold()):
                bind.execute(
                    sa.text("UPDATE group_orders SET pickup_point_id = :p WHERE id = :g"),
                    {"p": point_id, "g": group_id},
                )
                break


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")

    with op.batch_alter_table("group_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_group_orders_pickup_point_id_pickup_points"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_group_orders_shipment_id_shipments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_group_orders_shipment_id"))
        batch_op.drop_column("shipment_id")
        batch_op.drop_column("pickup_point_id")

    with op.batch_alter_table("shipment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_shipment_events_shipment_at")

    op.drop_table("shipment_events")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_tracking"))
        batch_op.drop_index(batch_op.f("ix_shipments_country"))

    op.drop_table("shipments")
