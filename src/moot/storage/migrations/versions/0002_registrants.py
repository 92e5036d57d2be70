"""Meeting registrants.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('approved', 'pending')")


def upgrade() -> None:
    op.create_table(
        "registrants",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column(
            "meeting_id", sa.BigInteger, sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("email_lower", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("occurrence_ids", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_registrants_meeting_status", "registrants", ["meeting_id", "status", "created_at", "id"]
    )
    op.create_index(
        "ix_registrants_meeting_email", "registrants", ["meeting_id", "email_lower", "created_at"]
    )
    # One live (approved or pending) registration per email and meeting.
    op.create_index(
        "uq_registrants_live_email",
        "registrants",
        ["meeting_id", "email_lower"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_registrants_live_email", "registrants")
    op.drop_index("ix_registrants_meeting_email", "registrants")
    op.drop_index("ix_registrants_meeting_status", "registrants")
    op.drop_table("registrants")
