"""Accounts' rate-limit mode: Zoom's limits, scaled, or off.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("rate_limits", sa.Text, nullable=False, server_default="zoom"))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("rate_limits")
