"""Occurrences of a type 8 series within the meeting operations: computing them when the series
changes, finding one by id, editing or deleting one alone, and choosing which a response shows."""

from __future__ import annotations

from datetime import datetime, tzinfo

from moot.domain.errors import FieldError, InvalidOccurrenceId, ValidationFailed
from moot.domain.meetings import Meeting, MeetingType
from moot.domain.recurrence import Occurrence, OccurrenceStatus, expand


def schedule(meeting: Meeting, zone: tzinfo) -> None:
    """(Re)compute a series' occurrences from its recurrence, keeping edits that still apply."""
    if meeting.type is not MeetingType.RECURRING_FIXED_TIME or meeting.recurrence is None:
        meeting.occurrences = []
        return
    assert meeting.start_time is not None
    meeting.occurrences = expand(
        meeting.recurrence, meeting.start_time, zone, meeting.duration, meeting.occurrences
    )
    if not meeting.occurrences:
        raise ValidationFailed(
            [FieldError("recurrence.end_date_time", "The recurrence ends before the meeting's start time.")]
        )


def find(meeting: Meeting, occurrence_id: str | None) -> Occurrence | None:
    """The occurrence ``occurrence_id`` names (None when no id is given), or Zoom's 3000."""
    if not occurrence_id:
        return None
    found = meeting.occurrence(occurrence_id.strip())
    if found is None:
        raise InvalidOccurrenceId()
    return found


def replace_one(meeting: Meeting, old: Occurrence, new: Occurrence) -> None:
    meeting.occurrences = [new if o.occurrence_id == old.occurrence_id else o for o in meeting.occurrences]


def edit(meeting: Meeting, occurrence: Occurrence, *, start: datetime | None, duration: int | None) -> None:
    """Move or resize one occurrence alone (a deleted one cannot be edited)."""
    if occurrence.status is OccurrenceStatus.DELETED:
        raise InvalidOccurrenceId()
    changed = occurrence._replace(
        start=int(start.timestamp()) if start is not None else occurrence.start,
        duration=duration if duration is not None else occurrence.duration,
    )
    replace_one(meeting, occurrence, changed)


def delete(meeting: Meeting, occurrence: Occurrence) -> None:
    if occurrence.status is OccurrenceStatus.DELETED:
        raise InvalidOccurrenceId()
    replace_one(meeting, occurrence, occurrence._replace(status=OccurrenceStatus.DELETED))


def shown(meeting: Meeting, now: datetime, *, show_previous: bool) -> list[Occurrence]:
    """What a response lists: every occurrence, or only those not yet over."""
    if show_previous:
        return list(meeting.occurrences)
    now_epoch = int(now.timestamp())
    return [o for o in meeting.occurrences if o.start + 60 * o.duration >= now_epoch]  # o.end, inlined
