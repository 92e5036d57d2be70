"""Accounts, users, apps, meetings and server secrets.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("account_id", sa.Text, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_lower", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.UniqueConstraint("account_id", "email_lower", name="uq_users_account_email"),
    )
    op.create_index("ix_users_account_status", "users", ["account_id", "status", "created_at", "id"])
    op.create_table(
        "apps",
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("account_id", sa.Text, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("user_id", sa.Text, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("type", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("sort_time", sa.Text, nullable=False),
        sa.Column("end_time", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("deleted_at", sa.Text, nullable=True),
        sa.Column("doc", sa.Text, nullable=False),
    )
    # Lists filter a host's live meetings by type, status and time and page by (sort_time, id): this
    # index answers both the page and its COUNT without reading the (large) rows.
    op.create_index(
        "ix_meetings_host_list",
        "meetings",
        [
            "host_id",
            "sort_time",
            "id",
            "type",
            "status",
            "end_time",
            "expires_at",
            "deleted_at",
            "account_id",
        ],
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_meetings_host_list", "meetings")
    op.drop_table("meetings")
    op.drop_table("apps")
    op.drop_index("ix_users_account_status", "users")
    op.drop_table("users")
    op.drop_table("accounts")
    op.drop_table("server_secrets")
