"""payments: every order's money as entries (payments and refunds, undoable), when and how a
group's buyers pay, a note and a "not supplied" mark per line, and the buyers' checkout details

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from domain.money import BASE_CURRENCY, line_amount
from domain.pricing import tier_index

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("group_orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pay_when", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                server_default="formed",
            )
        )  # fmt: skip
        batch_op.add_column(
            sa.Column("pay_methods", sa.JSON(), nullable=False, server_default='["cash"]')
        )
        batch_op.add_column(
            sa.Column("iban", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True)
        )
        batch_op.add_column(
            sa.Column("beneficiary", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True)
        )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("supplied", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivery", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False,
                server_default="pickup",
            )
        )  # fmt: skip
        for name, length in (("address", 256), ("phone", 32), ("business_name", 128),
                             ("vat_number", 32)):  # fmt: skip
            batch_op.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
            )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("amount_cny", sa.BigInteger(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("undone_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("undone_by", sa.BigInteger(), nullable=True),
        sa.Column("charge_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column(
            "provider_charge_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_payments_charge_id")),
    )
    op.create_index("ix_payments_order_id_id", "payments", ["order_id", "id"], unique=False)
    _payments_of_orders_marked_paid()


def _json(value: object) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]


def _payments_of_orders_marked_paid() -> None:
    """An order marked paid before 0010 keeps its payment, as one cash entry of what it was due
    then: the amount fixed at formation, or (a prepayment in a group that was still open, or
    that failed or was cancelled since) its lines at the group's tier by its total, in the
    buyer's currency at today's rate, which the order then keeps."""
    conn = op.get_bind()
    rates = dict(conn.execute(sa.text("SELECT currency, per_cny_micro FROM exchange_rates")).all())
    rows = (
        conn.execute(
            sa.text(
                """
            SELECT o.id, o.paid_by, o.paid_at, o.currency, o.rate_micro, o.amount_cny,
                   o.amount_local, g.tiers, g.total, u.currency AS buyer_currency
            FROM orders o
            JOIN group_orders g ON g.id = o.group_id
            LEFT JOIN users u ON u.id = o.user_id
            WHERE o.paid_at IS NOT NULL
            """
            )
        )
        .mappings()
        .all()
    )
    for row in rows:
        if row["amount_cny"] is not None:
            currency = row["currency"] or BASE_CURRENCY
            cny = row["amount_cny"]
            amount = row["amount_local"] if row["amount_local"] is not None else cny
        else:
            lines = conn.execute(
                sa.text(
                    "SELECT l.quantity, f.prices FROM order_lines l "
                    "JOIN group_offers f ON f.id = l.offer_id WHERE l.order_id = :id"
                ),
                {"id": row["id"]},
            ).all()
            if not lines:
                continue  # left the group: its lines are gone, and what it was due with them
            tier = tier_index(_json(row["tiers"]), row["total"] or 0)
            currency = row["buyer_currency"] or BASE_CURRENCY
            rate = rates.get(currency)
            if currency == BASE_CURRENCY or rate is None:
                currency, rate = BASE_CURRENCY, None
            cny = sum(_json(prices)[tier] * quantity for quantity, prices in lines)
            amount = sum(
                line_amount(_json(prices)[tier], quantity, rate, currency)
                for quantity, prices in lines
            )
            conn.execute(
                sa.text("UPDATE orders SET currency = :c, rate_micro = :r WHERE id = :id"),
                {"c": currency, "r": rate, "id": row["id"]},
            )
        conn.execute(
            sa.text(
                "INSERT INTO payments (order_id, kind, method, amount, currency, amount_cny, "
                "recorded_by, recorded_at) VALUES (:id, 'payment', 'cash', :amount, :currency, "
                ":cny, :by, :at)"
            ),
            {
                "id": row["id"],
                "amount": amount,
                "currency": currency,
                "cny": cny,
                "by": row["paid_by"],
                "at": row["paid_at"],
            },  # fmt: skip
        )


def downgrade() -> None:
    op.drop_index("ix_payments_order_id_id", table_name="payments")
    op.drop_table("payments")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in ("vat_number", "business_name", "phone", "address", "delivery"):
            batch_op.drop_column(name)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("supplied")
        batch_op.drop_column("note")
    with op.batch_alter_table("group_orders", schema=None) as batch_op:
        batch_op.drop_column("beneficiary")
        batch_op.drop_column("iban")
        batch_op.drop_column("pay_methods")
        batch_op.drop_column("pay_when")
