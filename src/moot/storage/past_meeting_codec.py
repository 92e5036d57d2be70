"""Meeting instances and participants: their rows and SQL, shared by every SQL backend (``?`` placeholders).

Changes that race (two starts, an end and a join, two leaves) are settled by the statements themselves:
the unique index on a meeting's live instance, and conditional UPDATEs that report the rows they changed
(``RETURNING``, on SQLite since 3.35 and on PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from moot.domain.past_meetings import MeetingInstance, Participant, ParticipantStatus
from moot.domain.times import format_zoom, parse_zoom

INSTANCE_COLUMNS = "uuid, meeting_id, account_id, host_id, start_time, end_time, doc"
_I_COLUMNS = ", ".join(f"i.{c.strip()}" for c in INSTANCE_COLUMNS.split(","))
# An instance with its in-meeting records counted and their seconds summed (pastMeetingDetails).
_IN_MEETING = "FROM meeting_participants p WHERE p.instance_uuid = i.uuid AND p.status = 'in_meeting'"
_WITH_TOTALS = (
    f"SELECT {_I_COLUMNS}, (SELECT COUNT(*) {_IN_MEETING}), "
    f"(SELECT COALESCE(SUM(p.duration), 0) {_IN_MEETING})"
)

INSERT_INSTANCE = f"INSERT INTO meeting_instances ({INSTANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
END_INSTANCE = "UPDATE meeting_instances SET end_time = ? WHERE uuid = ? AND end_time IS NULL"
NEXT_PARTICIPANT = (
    "UPDATE meeting_instances SET participant_seq = participant_seq + 1 "
    "WHERE uuid = ? AND end_time IS NULL RETURNING participant_seq"
)
SELECT_LIVE_INSTANCE = (
    f"SELECT {INSTANCE_COLUMNS} FROM meeting_instances WHERE meeting_id = ? AND end_time IS NULL"
)
SELECT_INSTANCE = f"{_WITH_TOTALS} FROM meeting_instances i WHERE i.uuid = ? AND i.account_id = ?"
SELECT_LATEST_ENDED = (
    f"{_WITH_TOTALS} FROM meeting_instances i WHERE i.meeting_id = ? AND i.account_id = ? "
    "AND i.end_time IS NOT NULL ORDER BY i.start_time DESC, i.id DESC LIMIT 1"
)
SELECT_ENDED = (
    f"SELECT {INSTANCE_COLUMNS} FROM meeting_instances WHERE meeting_id = ? AND account_id = ? "
    "AND end_time IS NOT NULL ORDER BY start_time, id"
)

PARTICIPANT_COLUMNS = "id, instance_uuid, user_id, status, join_time, join_epoch, leave_time, duration, doc"
_INSERT_COLUMNS = PARTICIPANT_COLUMNS.removeprefix("id, ")
INSERT_PARTICIPANT = f"INSERT INTO meeting_participants ({_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
# Leaving sets leave_time and the seconds stayed; each returns the records it closed.
_LEAVE = "UPDATE meeting_participants SET leave_time = ?, duration = ? - join_epoch"
CLOSE_PARTICIPANT = (
    f"{_LEAVE} WHERE instance_uuid = ? AND user_id = ? AND leave_time IS NULL RETURNING {PARTICIPANT_COLUMNS}"
)
CLOSE_WAITING_PARTICIPANT = (
    f"{_LEAVE} WHERE instance_uuid = ? AND user_id = ? AND leave_time IS NULL AND status = 'in_waiting_room' "
    f"RETURNING {PARTICIPANT_COLUMNS}"
)
CLOSE_ALL_PARTICIPANTS = (
    f"{_LEAVE} WHERE instance_uuid = ? AND leave_time IS NULL RETURNING {PARTICIPANT_COLUMNS}"
)
SELECT_PRESENT_PARTICIPANT = (
    f"SELECT {PARTICIPANT_COLUMNS} FROM meeting_participants "
    "WHERE instance_uuid = ? AND user_id = ? AND leave_time IS NULL"
)
SELECT_PARTICIPANTS = (
    f"SELECT {PARTICIPANT_COLUMNS} FROM meeting_participants WHERE instance_uuid = ? AND id > ? "
    "ORDER BY id LIMIT ?"
)
COUNT_PARTICIPANTS = "SELECT COUNT(*) FROM meeting_participants WHERE instance_uuid = ?"

_STATUSES = {status.value: status for status in ParticipantStatus}


def _opt_time(value: datetime | None) -> str | None:
    return format_zoom(value) if value is not None else None


def instance_row(instance: MeetingInstance) -> tuple[Any, ...]:
    doc = {
        "host_email": instance.host_email,
        "host_name": instance.host_name,
        "topic": instance.topic,
        "type": instance.type,
    }
    return (
        instance.uuid,
        instance.meeting_id,
        instance.account_id,
        instance.host_id,
        format_zoom(instance.start_time),
        _opt_time(instance.end_time),
        orjson.dumps(doc).decode(),
    )


def instance_from_row(row: Any) -> MeetingInstance:
    """From ``INSTANCE_COLUMNS``, optionally followed by the in-meeting count and seconds."""
    doc = orjson.loads(row[6])
    return MeetingInstance(
        uuid=row[0],
        meeting_id=row[1],
        account_id=row[2],
        host_id=row[3],
        start_time=parse_zoom(row[4]),
        end_time=parse_zoom(row[5]) if row[5] is not None else None,
        host_email=doc["host_email"],
        host_name=doc["host_name"],
        topic=doc["topic"],
        type=doc["type"],
        participants_count=int(row[7]) if len(row) > 7 else 0,
        total_seconds=int(row[8]) if len(row) > 8 else 0,
    )


def participant_row(participant: Participant) -> tuple[Any, ...]:
    """The columns of INSERT_PARTICIPANT (``PARTICIPANT_COLUMNS`` without ``id``)."""
    doc: dict[str, Any] = {
        "participant_uuid": participant.participant_uuid,
        "name": participant.name,
        "email": participant.email,
    }
    if participant.registrant_id:
        doc["registrant_id"] = participant.registrant_id
    if participant.id:
        doc["id"] = participant.id
    leave = participant.leave_time
    return (
        participant.instance_uuid,
        participant.user_id,
        participant.status.value,
        format_zoom(participant.join_time),
        int(participant.join_time.timestamp()),
        _opt_time(leave),
        participant.duration if leave is not None else None,
        orjson.dumps(doc).decode(),
    )


def leave_params(at: datetime) -> tuple[str, int]:
    """The leave_time and the epoch seconds that the duration is counted to."""
    return format_zoom(at), int(at.timestamp())


def participant_from_row(row: Any) -> Participant:
    doc = orjson.loads(row[8])
    return Participant(
        row_id=int(row[0]),
        instance_uuid=row[1],
        user_id=row[2],
        status=_STATUSES[row[3]],
        join_time=parse_zoom(row[4]),
        leave_time=parse_zoom(row[6]) if row[6] is not None else None,
        participant_uuid=doc["participant_uuid"],
        name=doc["name"],
        email=doc["email"],
        registrant_id=doc.get("registrant_id", ""),
        id=doc.get("id", ""),
    )
