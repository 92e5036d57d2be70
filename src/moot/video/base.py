"""What every video provider is given and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RoomEntry:
    """One person entering a meeting's room."""

    meeting_id: int
    topic: str
    display_name: str
    email: str
    participant_id: str  # the participant's user_id in moot's records of the instance
    moderator: bool  # the host


NOT_BEFORE_SKEW = timedelta(seconds=30)
"""Provider tokens are valid from this long before ``now``: the video server's clock may lag moot's."""


class VideoUnavailable(Exception):
    """The provider could not be reached or refused to set up the room (pages show a retry page)."""


def room_name(meeting_id: int) -> str:
    """The provider's room for a meeting: stable across every occurrence and instance of a series."""
    return f"moot-{meeting_id}"


class VideoProvider(Protocol):
    name: str

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        """Where to send this person (an absolute URL), or None for moot's own meeting-room page."""
        ...

    async def close(self) -> None: ...
