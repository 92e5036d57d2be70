"""People entering rooms, shared by the video-provider tests."""

from __future__ import annotations

from datetime import UTC, datetime

from moot.video import RoomEntry

HOST = RoomEntry(
    meeting_id=85746065432,
    topic="Weekly sync",
    display_name="Hana Host",
    email="hana@example.com",
    participant_id="u-host-1",
    moderator=True,
)
GUEST = RoomEntry(
    meeting_id=85746065432,
    topic="Weekly sync",
    display_name="Gus Guest",
    email="gus@example.org",
    participant_id="p-guest-2",
    moderator=False,
)


def wall_clock() -> datetime:
    """The real time (whole seconds), for verifiers that check tokens against it."""
    return datetime.now(UTC).replace(microsecond=0)
