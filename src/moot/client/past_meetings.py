"""``client.past_meetings``: pastMeetingDetails, pastMeetings and pastMeetingParticipants (contract.md §1,
rows 12-14): the ended instances of a meeting and who attended them, against moot or Zoom alike."""

from __future__ import annotations

from typing import cast

from moot.client.calls import Call, segment
from moot.client.engine import AsyncEngine, SyncEngine
from moot.client.models import Participant, PastMeeting, PastMeetingInstance
from moot.client.pages import AsyncPages, Pages

MeetingRef = int | str
"""A meeting id, or the UUID of one instance (encoded twice when it starts with ``/`` or holds ``//``)."""


def get_call(meeting: MeetingRef) -> Call:
    return Call("GET", f"/past_meetings/{segment(meeting)}")


def instances_call(meeting_id: MeetingRef) -> Call:
    return Call("GET", f"/past_meetings/{segment(meeting_id)}/instances")


def participants_call(meeting: MeetingRef, page_size: int | None) -> Call:
    return Call("GET", f"/past_meetings/{segment(meeting)}/participants", {"page_size": page_size})


class PastMeetings:
    """Ended meeting instances (``client.past_meetings``)."""

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine

    def get(self, meeting: MeetingRef) -> PastMeeting:
        """``GET /past_meetings/{meetingId}`` (id or UUID)."""
        return cast(PastMeeting, self._engine.execute(get_call(meeting)))

    def instances(self, meeting_id: MeetingRef) -> list[PastMeetingInstance]:
        """``GET /past_meetings/{meetingId}/instances``: ``[{uuid, start_time}]``."""
        page = self._engine.execute(instances_call(meeting_id))
        return cast(list[PastMeetingInstance], (page or {}).get("meetings", []))

    def participants(self, meeting: MeetingRef, *, page_size: int | None = None) -> Pages[Participant]:
        """``GET /past_meetings/{meetingId}/participants``, every page."""
        return Pages(self._engine, participants_call(meeting, page_size), "participants")


class AsyncPastMeetings:
    """Ended meeting instances (async); see :class:`PastMeetings`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, meeting: MeetingRef) -> PastMeeting:
        """``GET /past_meetings/{meetingId}``."""
        return cast(PastMeeting, await self._engine.execute(get_call(meeting)))

    async def instances(self, meeting_id: MeetingRef) -> list[PastMeetingInstance]:
        """``GET /past_meetings/{meetingId}/instances``."""
        page = await self._engine.execute(instances_call(meeting_id))
        return cast(list[PastMeetingInstance], (page or {}).get("meetings", []))

    def participants(self, meeting: MeetingRef, *, page_size: int | None = None) -> AsyncPages[Participant]:
        """``GET /past_meetings/{meetingId}/participants`` as an async iterator."""
        return AsyncPages(self._engine, participants_call(meeting, page_size), "participants")
