"""``client.meetings.registrants``: meetingRegistrantCreate, meetingRegistrants, meetingRegistrantGet,
meetingregistrantdelete and meetingRegistrantStatus (contract.md §1.2)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Unpack, cast

from moot.client.calls import Call, jsonable, segment
from moot.client.engine import AsyncEngine, SyncEngine
from moot.client.models import (
    Registrant,
    RegistrantAction,
    RegistrantCreate,
    RegistrantCreated,
    RegistrantRef,
)
from moot.client.pages import AsyncPages, Pages

MeetingId = int | str


def _base(meeting_id: MeetingId) -> str:
    return f"/meetings/{segment(meeting_id)}/registrants"


def create_call(meeting_id: MeetingId, body: RegistrantCreate, occurrence_ids: Sequence[str] | None) -> Call:
    return Call("POST", _base(meeting_id), {"occurrence_ids": occurrence_ids}, json=jsonable(body))


def list_call(meeting_id: MeetingId, params: dict[str, Any]) -> Call:
    return Call("GET", _base(meeting_id), params)


def get_call(meeting_id: MeetingId, registrant_id: str) -> Call:
    return Call("GET", f"{_base(meeting_id)}/{segment(registrant_id)}")


def delete_call(meeting_id: MeetingId, registrant_id: str, occurrence_id: str | None) -> Call:
    return Call("DELETE", f"{_base(meeting_id)}/{segment(registrant_id)}", {"occurrence_id": occurrence_id})


def status_call(
    meeting_id: MeetingId,
    action: RegistrantAction,
    registrants: Sequence[RegistrantRef],
    occurrence_id: str | None,
) -> Call:
    body = {"action": action, "registrants": [dict(r) for r in registrants]}
    return Call("PUT", f"{_base(meeting_id)}/status", {"occurrence_id": occurrence_id}, json=body)


class Registrants:
    """Registrants of a meeting with registration on (``settings.approval_type`` 0 or 1)."""

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine

    def create(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_ids: Sequence[str] | None = None,
        **body: Unpack[RegistrantCreate],
    ) -> RegistrantCreated:
        """``POST /meetings/{meetingId}/registrants`` → 201. Never retried."""
        return cast(RegistrantCreated, self._engine.execute(create_call(meeting_id, body, occurrence_ids)))

    def list(
        self,
        meeting_id: MeetingId,
        *,
        status: str | None = None,
        occurrence_id: str | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> Pages[Registrant]:
        """``GET /meetings/{meetingId}/registrants``: status approved (default), pending, denied."""
        params = {
            "status": status,
            "occurrence_id": occurrence_id,
            "page_size": page_size,
            "page_number": page_number,
        }
        return Pages(self._engine, list_call(meeting_id, params), "registrants")

    def get(self, meeting_id: MeetingId, registrant_id: str) -> Registrant:
        """``GET /meetings/{meetingId}/registrants/{registrantId}``."""
        return cast(Registrant, self._engine.execute(get_call(meeting_id, registrant_id)))

    def delete(self, meeting_id: MeetingId, registrant_id: str, *, occurrence_id: str | None = None) -> None:
        """``DELETE /meetings/{meetingId}/registrants/{registrantId}`` → 204."""
        self._engine.execute(delete_call(meeting_id, registrant_id, occurrence_id))

    def update_status(
        self,
        meeting_id: MeetingId,
        action: RegistrantAction,
        registrants: builtins.list[RegistrantRef],
        *,
        occurrence_id: str | None = None,
    ) -> None:
        """``PUT /meetings/{meetingId}/registrants/status`` → 204: approve, cancel or deny up to 30."""
        self._engine.execute(status_call(meeting_id, action, registrants, occurrence_id))


class AsyncRegistrants:
    """Registrants of a meeting (async); see :class:`Registrants`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self,
        meeting_id: MeetingId,
        *,
        occurrence_ids: Sequence[str] | None = None,
        **body: Unpack[RegistrantCreate],
    ) -> RegistrantCreated:
        """``POST /meetings/{meetingId}/registrants`` → 201. Never retried."""
        call = create_call(meeting_id, body, occurrence_ids)
        return cast(RegistrantCreated, await self._engine.execute(call))

    def list(
        self,
        meeting_id: MeetingId,
        *,
        status: str | None = None,
        occurrence_id: str | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> AsyncPages[Registrant]:
        """``GET /meetings/{meetingId}/registrants`` as an async iterator."""
        params = {
            "status": status,
            "occurrence_id": occurrence_id,
            "page_size": page_size,
            "page_number": page_number,
        }
        return AsyncPages(self._engine, list_call(meeting_id, params), "registrants")

    async def get(self, meeting_id: MeetingId, registrant_id: str) -> Registrant:
        """``GET /meetings/{meetingId}/registrants/{registrantId}``."""
        return cast(Registrant, await self._engine.execute(get_call(meeting_id, registrant_id)))

    async def delete(
        self, meeting_id: MeetingId, registrant_id: str, *, occurrence_id: str | None = None
    ) -> None:
        """``DELETE /meetings/{meetingId}/registrants/{registrantId}`` → 204."""
        await self._engine.execute(delete_call(meeting_id, registrant_id, occurrence_id))

    async def update_status(
        self,
        meeting_id: MeetingId,
        action: RegistrantAction,
        registrants: builtins.list[RegistrantRef],
        *,
        occurrence_id: str | None = None,
    ) -> None:
        """``PUT /meetings/{meetingId}/registrants/status`` → 204."""
        await self._engine.execute(status_call(meeting_id, action, registrants, occurrence_id))
