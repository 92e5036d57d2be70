"""Meeting instances (each run of a meeting) and their participants.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A 64-bit key on PostgreSQL; SQLite's INTEGER PRIMARY KEY (its rowid) is 64-bit already.
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LIVE = sa.text("end_time IS NULL")
PRESENT = sa.text("leave_time IS NULL")


def upgrade() -> None:
    # No foreign key to meetings: an instance outlives its meeting (Zoom keeps past meetings).
    op.create_table(
        "meeting_instances",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.Text, nullable=False, unique=True),
        sa.Column("meeting_id", sa.BigInteger, nullable=False),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("start_time", sa.Text, nullable=False),
        sa.Column("end_time", sa.Text, nullable=True),
        # How many participants have joined: numbers each new one (see participant_user_id).
        sa.Column("participant_seq", sa.Integer, nullable=False, server_default="0"),
        sa.Column("doc", sa.Text, nullable=False),
    )
    # A meeting's instances by time: the latest ended one, and the list of ended ones.
    op.create_index(
        "ix_meeting_instances_meeting", "meeting_instances", ["meeting_id", "account_id", "start_time", "id"]
    )
    # At most one instance of a meeting in progress: two starts racing leave one instance.
    op.create_index(
        "uq_meeting_instances_live",
        "meeting_instances",
        ["meeting_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_table(
        "meeting_participants",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column(
            "instance_uuid",
            sa.Text,
            sa.ForeignKey("meeting_instances.uuid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("join_time", sa.Text, nullable=False),
        sa.Column("join_epoch", sa.BigInteger, nullable=False),
        sa.Column("leave_time", sa.Text, nullable=True),
        sa.Column("duration", sa.Integer, nullable=True),  # seconds, set on leaving
        sa.Column("doc", sa.Text, nullable=False),
    )
    # An instance's records in the order they began: pages, and everyone still in when it ends.
    op.create_index("ix_meeting_participants_instance", "meeting_participants", ["instance_uuid", "id"])
    # One open record per participant: leave and admit find it, and nobody is in twice at once.
    op.create_index(
        "uq_meeting_participants_present",
        "meeting_participants",
        ["instance_uuid", "user_id"],
        unique=True,
        sqlite_where=PRESENT,
        postgresql_where=PRESENT,
    )


def downgrade() -> None:
    op.drop_index("uq_meeting_participants_present", "meeting_participants")
    op.drop_index("ix_meeting_participants_instance", "meeting_participants")
    op.drop_table("meeting_participants")
    op.drop_index("uq_meeting_instances_live", "meeting_instances")
    op.drop_index("ix_meeting_instances_meeting", "meeting_instances")
    op.drop_table("meeting_instances")
