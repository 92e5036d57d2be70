"""Past-meeting operations: pastMeetingDetails, pastMeetings, pastMeetingParticipants.

``{meetingId}`` is a meeting id (its latest ended instance) or an instance UUID. UUIDs that start with
``/`` or hold ``//`` reach moot double URL-encoded (S23); the server decodes a path once, and what is left
still encoded is decoded here. Base64 has no ``%``, so decoding a UUID sent once-encoded changes nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from moot.domain.errors import MeetingNotFound, PastMeetingNotEnded, PastParticipantsNotEnded, ZoomError
from moot.domain.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from moot.domain.past_meetings import (
    MeetingInstance,
    PastParticipantsQuery,
    instance_item,
    parse_meeting_number,
    past_meeting_to_wire,
    past_participant_to_wire,
)
from moot.services import pagination
from moot.services.context import Deps, Principal


def _reference(raw: str) -> str:
    return unquote(raw) if "%" in raw else raw


async def _check_meeting(deps: Deps, principal: Principal, number: int, ref: str) -> None:
    """The caller may see this live meeting of theirs (3001 when there is none)."""
    meeting = await deps.store.get_meeting(principal.account_id, number)
    if meeting is None or meeting.deleted_at is not None:
        raise MeetingNotFound(meeting_id=ref)
    principal.check_reach(meeting.host_id)


async def _ended_instance(
    deps: Deps, principal: Principal, raw_id: str, not_ended: type[ZoomError]
) -> MeetingInstance:
    """The instance ``raw_id`` names (a meeting id: its latest ended one); ``not_ended`` for a meeting
    never held or an instance still in progress."""
    ref = _reference(raw_id)
    number = parse_meeting_number(ref)
    if number is not None:
        instance = await deps.store.latest_ended_instance(principal.account_id, number)
        if instance is None:
            await _check_meeting(deps, principal, number, ref)
            raise not_ended()
    else:
        instance = await deps.store.get_instance(principal.account_id, ref)
        if instance is None:
            raise MeetingNotFound(meeting_id=ref)
    principal.check_reach(instance.host_id)
    if instance.end_time is None:
        raise not_ended()
    return instance


async def get_past_meeting(deps: Deps, principal: Principal, raw_id: str) -> dict[str, Any]:
    return past_meeting_to_wire(await _ended_instance(deps, principal, raw_id, PastMeetingNotEnded))


async def list_instances(deps: Deps, principal: Principal, raw_id: str) -> dict[str, Any]:
    """The meeting's ended instances, oldest first; none for a meeting never held."""
    ref = _reference(raw_id)
    number = parse_meeting_number(ref)
    if number is None:
        raise MeetingNotFound(meeting_id=ref)
    instances = await deps.store.list_ended_instances(principal.account_id, number)
    if instances:
        principal.check_reach(instances[-1].host_id)
    else:
        await _check_meeting(deps, principal, number, ref)
    return {"meetings": [instance_item(i) for i in instances]}


async def list_participants(
    deps: Deps, principal: Principal, raw_id: str, query: PastParticipantsQuery
) -> dict[str, Any]:
    instance = await _ended_instance(deps, principal, raw_id, PastParticipantsNotEnded)
    # A page token is good for the instance it was made for only.
    kind = f"past_participants:{instance.uuid}"
    if query.next_page_token:
        state = pagination.decode(deps, kind, query.next_page_token)
        size, after, total = int(state["n"]), int(state["a"]), int(state["r"])
        registrant_id = bool(state["g"])
    else:
        size = min(query.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after, total = 0, await deps.store.count_participants(instance.uuid)
        registrant_id = query.wants_registrant_id
    rows = await deps.store.list_participants(instance.uuid, size + 1, after)
    page = rows[:size]
    token = ""
    if len(rows) > size:
        token = pagination.encode(
            deps, kind, {"n": size, "a": page[-1].row_id, "r": total, "g": registrant_id}
        )
    return {
        "page_count": pagination.page_count(total, size),
        "page_size": size,
        "total_records": total,
        "next_page_token": token,
        "participants": [past_participant_to_wire(p, registrant_id=registrant_id) for p in page],
    }
