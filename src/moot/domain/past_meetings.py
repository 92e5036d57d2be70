"""Meeting instances (one run of a meeting, named by its UUID) and their participants, and how the
past-meeting operations answer them (S23 pastMeetingDetails, pastMeetings, pastMeetingParticipants).

A participant is a record per stay, as in Zoom: leaving and joining again makes two records, and a wait in
the waiting room is a record of its own (status ``in_waiting_room``) before the one in the meeting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from moot.domain.events import Attendee, Instance
from moot.domain.meeting_requests import Email
from moot.domain.times import format_zoom
from moot.domain.validation import ZoomInput

# Zoom numbers the participants of an instance 16778240, 16779264, ... (0x1001000 in steps of 1024).
_FIRST_USER_ID = 16_778_240
_USER_ID_STEP = 1_024


class ParticipantStatus(StrEnum):
    IN_MEETING = "in_meeting"
    IN_WAITING_ROOM = "in_waiting_room"


def participant_user_id(number: int) -> str:
    """The id of the ``number``-th (from 1) participant of an instance, valid in that instance only."""
    return str(_FIRST_USER_ID + _USER_ID_STEP * (number - 1))


def participant_uuid() -> str:
    return str(uuid.uuid4()).upper()


def _minutes(seconds: int) -> int:
    """Whole minutes, rounded up (Zoom's reports count a started minute)."""
    return -(-seconds // 60)


@dataclass(slots=True)
class MeetingInstance:
    """One run of a meeting, from start to end. What the past-meeting operations report of the meeting
    (topic, type, host) is kept as it was when the instance started."""

    uuid: str
    meeting_id: int
    account_id: str
    host_id: str
    host_email: str
    host_name: str
    topic: str
    type: int
    start_time: datetime
    end_time: datetime | None = None
    # Filled by the reads that answer pastMeetingDetails: in-meeting records and their seconds.
    participants_count: int = 0
    total_seconds: int = 0

    @property
    def event_instance(self) -> Instance:
        return Instance(self.uuid, self.start_time, self.end_time)


@dataclass(slots=True)
class Participant:
    """One stay of one participant in an instance: in the meeting, or in its waiting room."""

    instance_uuid: str
    user_id: str  # the participant's id in this instance (kept when admitted from the waiting room)
    participant_uuid: str
    name: str
    email: str
    status: ParticipantStatus
    join_time: datetime
    leave_time: datetime | None = None
    registrant_id: str = ""
    id: str = ""  # the Zoom user id of a signed-in participant (the host), else ""
    row_id: int = 0  # the store's order of records

    @property
    def duration(self) -> int:
        """Seconds in the meeting (or waiting room); 0 while still there."""
        if self.leave_time is None:
            return 0
        return int((self.leave_time - self.join_time).total_seconds())

    @property
    def attendee(self) -> Attendee:
        return Attendee(
            user_id=self.user_id,
            user_name=self.name,
            email=self.email,
            participant_uuid=self.participant_uuid,
            registrant_id=self.registrant_id,
            id=self.id,
        )


def past_meeting_to_wire(instance: MeetingInstance) -> dict[str, Any]:
    """``GET /past_meetings/{meetingId}``: one ended instance, in Zoom's key order."""
    assert instance.end_time is not None
    seconds = int((instance.end_time - instance.start_time).total_seconds())
    return {
        "uuid": instance.uuid,
        "id": instance.meeting_id,
        "host_id": instance.host_id,
        "type": instance.type,
        "topic": instance.topic,
        "user_name": instance.host_name,
        "user_email": instance.host_email,
        "start_time": format_zoom(instance.start_time),
        "end_time": format_zoom(instance.end_time),
        "duration": _minutes(seconds),
        "total_minutes": _minutes(instance.total_seconds),
        "participants_count": instance.participants_count,
    }


def instance_item(instance: MeetingInstance) -> dict[str, Any]:
    """An item of ``GET /past_meetings/{meetingId}/instances``."""
    return {"uuid": instance.uuid, "start_time": format_zoom(instance.start_time)}


def past_participant_to_wire(participant: Participant, *, registrant_id: bool = False) -> dict[str, Any]:
    """An item of ``GET /past_meetings/{meetingId}/participants``; ``registrant_id`` only when asked for
    (``include_fields=registrant_id``), as Zoom does."""
    item: dict[str, Any] = {
        "id": participant.id,
        "name": participant.name,
        "user_id": participant.user_id,
    }
    if registrant_id:
        item["registrant_id"] = participant.registrant_id
    item["user_email"] = participant.email
    item["join_time"] = format_zoom(participant.join_time)
    if participant.leave_time is not None:
        item["leave_time"] = format_zoom(participant.leave_time)
    item["duration"] = participant.duration
    item["failover"] = False
    item["status"] = participant.status.value
    return item


def live_participant_to_wire(participant: Participant, meeting_id: int) -> dict[str, Any]:
    """A participant as moot's admin API answers it (``participantId`` is ``user_id``)."""
    body: dict[str, Any] = {
        "meeting_id": meeting_id,
        "meeting_uuid": participant.instance_uuid,
        "user_id": participant.user_id,
        "participant_uuid": participant.participant_uuid,
        "name": participant.name,
        "email": participant.email,
        "status": participant.status.value,
        "join_time": format_zoom(participant.join_time),
    }
    if participant.registrant_id:
        body["registrant_id"] = participant.registrant_id
    return body


class ParticipantInput(ZoomInput):
    """The body of ``POST /moot/api/meetings/{meetingId}/participants``."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    email: Email | None = None


class PastParticipantsQuery(ZoomInput):
    """Query of ``GET /past_meetings/{meetingId}/participants``."""

    page_size: int | None = Field(default=None, ge=1)
    next_page_token: Annotated[str, StringConstraints(max_length=2048)] | None = None
    include_fields: Annotated[str, StringConstraints(max_length=256)] | None = None

    @property
    def wants_registrant_id(self) -> bool:
        return "registrant_id" in (self.include_fields or "").replace(" ", "").split(",")


_MAX_MEETING_NUMBER = 2**63 - 1  # Zoom's meeting ids are int64


def parse_meeting_number(raw: str) -> int | None:
    """A meeting id given in a path, or None when ``raw`` is not one (e.g. a UUID)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > _MAX_MEETING_NUMBER:
        return None
    return int(raw)
