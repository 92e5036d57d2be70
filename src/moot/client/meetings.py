"""``client.meetings``: meetingCreate, meeting, meetings, meetingUpdate, meetingDelete, meetingStatus and
meetingInvitation (contract.md §1, rows 1-6 and 11). Registrants live in :mod:`moot.client.registrants`."""

from __future__ import annotations

from typing import Any, Literal, Unpack, cast

from moot.client.calls import Call, jsonable, segment
from moot.client.engine import AsyncEngine, SyncEngine
from moot.client.models import Invitation, ListType, Meeting, MeetingCreate, MeetingListItem, MeetingUpdate
from moot.client.pages import AsyncPages, Pages
from moot.client.registrants import AsyncRegistrants, Registrants

MeetingId = int | str


def create_call(user_id: str, body: MeetingCreate) -> Call:
    return Call("POST", f"/users/{segment(user_id)}/meetings", json=jsonable(body))


def get_call(meeting_id: MeetingId, occurrence_id: str | None, show_previous: bool | None) -> Call:
    params = {"occurrence_id": occurrence_id, "show_previous_occurrences": show_previous}
    return Call("GET", f"/meetings/{segment(meeting_id)}", params)


def list_params(
    list_type: ListType | None,
    page_size: int | None,
    page_number: int | None,
    from_: str | None,
    to: str | None,
    timezone: str | None,
) -> dict[str, Any]:
    return {
        "type": list_type,
        "page_size": page_size,
        "page_number": page_number,
        "from": from_,
        "to": to,
        "timezone": timezone,
    }


def list_call(user_id: str, params: dict[str, Any]) -> Call:
    return Call("GET", f"/users/{segment(user_id)}/meetings", params)


def update_call(meeting_id: MeetingId, body: MeetingUpdate, occurrence_id: str | None) -> Call:
    return Call(
        "PATCH", f"/meetings/{segment(meeting_id)}", {"occurrence_id": occurrence_id}, json=jsonable(body)
    )


def delete_call(meeting_id: MeetingId, params: dict[str, Any]) -> Call:
    return Call("DELETE", f"/meetings/{segment(meeting_id)}", params)


def status_call(meeting_id: MeetingId, action: Literal["end", "recover"]) -> Call:
    return Call("PUT", f"/meetings/{segment(meeting_id)}/status", json={"action": action})


def invitation_call(meeting_id: MeetingId) -> Call:
    return Call("GET", f"/meetings/{segment(meeting_id)}/invitation")


class Meetings:
    """Meetings of Zoom users (``client.meetings``)."""

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine
        self.registrants = Registrants(engine)

    def create(self, user_id: str = "me", **body: Unpack[MeetingCreate]) -> Meeting:
        """``POST /users/{userId}/meetings`` → 201 with the meeting. Never retried: Zoom has no idempotency
        key, and each create counts against the host's 100 per day."""
        return cast(Meeting, self._engine.execute(create_call(user_id, body)))

    def get(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_id: str | None = None,
        show_previous_occurrences: bool | None = None,
    ) -> Meeting:
        """``GET /meetings/{meetingId}``; with ``occurrence_id``, that occurrence's start and duration."""
        return cast(
            Meeting, self._engine.execute(get_call(meeting_id, occurrence_id, show_previous_occurrences))
        )

    def list(
        self,
        user_id: str = "me",
        *,
        type: ListType | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
        from_: str | None = None,
        to: str | None = None,
        timezone: str | None = None,
    ) -> Pages[MeetingListItem]:
        """``GET /users/{userId}/meetings``: every meeting, following ``next_page_token`` (``page_size``
        ≤ 300 per page); with ``page_number``, from that page on. ``from_`` and ``to`` are days
        ``YYYY-MM-DD``."""
        params = list_params(type, page_size, page_number, from_, to, timezone)
        return Pages(self._engine, list_call(user_id, params), "meetings")

    def update(
        self, meeting_id: MeetingId, *, occurrence_id: str | None = None, **body: Unpack[MeetingUpdate]
    ) -> None:
        """``PATCH /meetings/{meetingId}`` → 204. Not retried (counts against the 100/day)."""
        self._engine.execute(update_call(meeting_id, body, occurrence_id))

    def delete(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_id: str | None = None,
        schedule_for_reminder: bool | None = None,
        cancel_meeting_reminder: bool | None = None,
    ) -> None:
        """``DELETE /meetings/{meetingId}`` → 204 (one occurrence with ``occurrence_id``)."""
        params = {
            "occurrence_id": occurrence_id,
            "schedule_for_reminder": schedule_for_reminder,
            "cancel_meeting_reminder": cancel_meeting_reminder,
        }
        self._engine.execute(delete_call(meeting_id, params))

    def end(self, meeting_id: MeetingId) -> None:
        """``PUT /meetings/{meetingId}/status {"action": "end"}`` → 204."""
        self._engine.execute(status_call(meeting_id, "end"))

    def recover(self, meeting_id: MeetingId) -> None:
        """``PUT /meetings/{meetingId}/status {"action": "recover"}`` → 204: undeletes a meeting."""
        self._engine.execute(status_call(meeting_id, "recover"))

    def invitation(self, meeting_id: MeetingId) -> Invitation:
        """``GET /meetings/{meetingId}/invitation``: ``{"invitation": text, "sip_links": [...]}``."""
        return cast(Invitation, self._engine.execute(invitation_call(meeting_id)))


class AsyncMeetings:
    """Meetings of Zoom users (``async_client.meetings``); see :class:`Meetings`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.registrants = AsyncRegistrants(engine)

    async def create(self, user_id: str = "me", **body: Unpack[MeetingCreate]) -> Meeting:
        """``POST /users/{userId}/meetings`` → 201 with the meeting. Never retried."""
        return cast(Meeting, await self._engine.execute(create_call(user_id, body)))

    async def get(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_id: str | None = None,
        show_previous_occurrences: bool | None = None,
    ) -> Meeting:
        """``GET /meetings/{meetingId}``."""
        call = get_call(meeting_id, occurrence_id, show_previous_occurrences)
        return cast(Meeting, await self._engine.execute(call))

    def list(
        self,
        user_id: str = "me",
        *,
        type: ListType | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
        from_: str | None = None,
        to: str | None = None,
        timezone: str | None = None,
    ) -> AsyncPages[MeetingListItem]:
        """``GET /users/{userId}/meetings`` as an async iterator over every page."""
        params = list_params(type, page_size, page_number, from_, to, timezone)
        return AsyncPages(self._engine, list_call(user_id, params), "meetings")

    async def update(
        self, meeting_id: MeetingId, *, occurrence_id: str | None = None, **body: Unpack[MeetingUpdate]
    ) -> None:
        """``PATCH /meetings/{meetingId}`` → 204. Not retried."""
        await self._engine.execute(update_call(meeting_id, body, occurrence_id))

    async def delete(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_id: str | None = None,
        schedule_for_reminder: bool | None = None,
        cancel_meeting_reminder: bool | None = None,
    ) -> None:
        """``DELETE /meetings/{meetingId}`` → 204."""
        params = {
            "occurrence_id": occurrence_id,
            "schedule_for_reminder": schedule_for_reminder,
            "cancel_meeting_reminder": cancel_meeting_reminder,
        }
        await self._engine.execute(delete_call(meeting_id, params))

    async def end(self, meeting_id: MeetingId) -> None:
        """``PUT /meetings/{meetingId}/status {"action": "end"}`` → 204."""
        await self._engine.execute(status_call(meeting_id, "end"))

    async def recover(self, meeting_id: MeetingId) -> None:
        """``PUT /meetings/{meetingId}/status {"action": "recover"}`` → 204."""
        await self._engine.execute(status_call(meeting_id, "recover"))

    async def invitation(self, meeting_id: MeetingId) -> Invitation:
        """``GET /meetings/{meetingId}/invitation``."""
        return cast(Invitation, await self._engine.execute(invitation_call(meeting_id)))
