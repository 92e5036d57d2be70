"""Webhook outbox: events written with the change they describe, their deliveries and every attempt.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A 64-bit key on PostgreSQL; SQLite's INTEGER PRIMARY KEY (its rowid) is 64-bit already.
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("order_key", sa.Text, nullable=False),
        sa.Column("event_ts", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("fanned_out", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_webhook_events_pending", "webhook_events", ["fanned_out", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.BigInteger, sa.ForeignKey("webhook_events.id"), nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("order_key", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("lease_owner", sa.Text, nullable=True),
        sa.Column("tracking_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("delivered_at", sa.Text, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["state", "next_attempt_at"])
    op.create_index(
        "ix_webhook_deliveries_order", "webhook_deliveries", ["client_id", "order_key", "state", "event_id"]
    )
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.BigInteger, sa.ForeignKey("webhook_deliveries.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("response", sa.Text, nullable=False),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "number"])


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
