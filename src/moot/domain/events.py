"""Webhook events: what Zoom sends when a meeting changes (contract.md §8; shapes from Rivet's event types).

Each builder returns the ``payload`` of one event without ``account_id`` (``envelope`` adds it, first,
as Zoom orders it). Meeting ids are JSON numbers except in the live-meeting events (started, ended and
the participant events), where Zoom sends them as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moot.domain.meetings import Meeting, MeetingType
from moot.domain.recurrence import Occurrence, occurrences_to_wire, zoom_time
from moot.domain.registrants import PROFILE_FIELDS, Registrant
from moot.domain.times import format_zoom

MEETING_CREATED = "meeting.created"
MEETING_UPDATED = "meeting.updated"
MEETING_DELETED = "meeting.deleted"
MEETING_RECOVERED = "meeting.recovered"
MEETING_STARTED = "meeting.started"
MEETING_ENDED = "meeting.ended"
REGISTRATION_CREATED = "meeting.registration_created"
REGISTRATION_APPROVED = "meeting.registration_approved"
REGISTRATION_DENIED = "meeting.registration_denied"
REGISTRATION_CANCELLED = "meeting.registration_cancelled"
PARTICIPANT_JOINED = "meeting.participant_joined"
PARTICIPANT_LEFT = "meeting.participant_left"
PARTICIPANT_JOINED_WAITING_ROOM = "meeting.participant_joined_waiting_room"
PARTICIPANT_ADMITTED = "meeting.participant_admitted"
PARTICIPANT_LEFT_WAITING_ROOM = "meeting.participant_left_waiting_room"

# The events moot sends, in the order ``--events all`` lists them.
EVENT_TYPES: tuple[str, ...] = (
    MEETING_CREATED,
    MEETING_UPDATED,
    MEETING_DELETED,
    MEETING_RECOVERED,
    MEETING_STARTED,
    MEETING_ENDED,
    REGISTRATION_CREATED,
    REGISTRATION_APPROVED,
    REGISTRATION_DENIED,
    REGISTRATION_CANCELLED,
    PARTICIPANT_JOINED,
    PARTICIPANT_LEFT,
    PARTICIPANT_JOINED_WAITING_ROOM,
    PARTICIPANT_ADMITTED,
    PARTICIPANT_LEFT_WAITING_ROOM,
)

URL_VALIDATION = "endpoint.url_validation"


class UnknownEvents(ValueError):
    pass


def parse_events(text: str) -> tuple[str, ...]:
    """A comma- or space-separated event list (``all`` for every event), in EVENT_TYPES order."""
    wanted = {part for part in text.replace(",", " ").split() if part}
    if wanted == {"all"}:
        return EVENT_TYPES
    unknown = sorted(wanted - set(EVENT_TYPES))
    if unknown or not wanted:
        raise UnknownEvents(f"unknown events: {', '.join(unknown)}" if unknown else "no events given")
    return tuple(name for name in EVENT_TYPES if name in wanted)


@dataclass(frozen=True, slots=True)
class Operator:
    """The user on whose behalf the change was made (the token's user)."""

    email: str
    user_id: str

    def fields(self) -> dict[str, str]:
        return {"operator": self.email, "operator_id": self.user_id}


@dataclass(frozen=True, slots=True)
class Event:
    """One event as the outbox keeps it: ``body`` is the exact text every delivery of it sends."""

    name: str
    account_id: str
    # Deliveries of events with the same key reach an endpoint in the order the events happened.
    order_key: str
    event_ts: int  # Unix milliseconds
    body: str


def envelope(name: str, account_id: str, payload: dict[str, Any], event_ts: int) -> dict[str, Any]:
    return {"event": name, "payload": {"account_id": account_id, **payload}, "event_ts": event_ts}


def _start_time(meeting: Meeting) -> str | None:
    if meeting.type.has_start_time and meeting.start_time is not None:
        return format_zoom(meeting.start_time)
    return None


def _occurrence_refs(occurrences: list[Occurrence]) -> list[dict[str, str]]:
    return [{"occurrence_id": o.occurrence_id, "start_time": zoom_time(o.start)} for o in occurrences]


def _meeting_head(meeting: Meeting) -> dict[str, Any]:
    """uuid, id, host_id, topic, type, start_time, duration, timezone: how most events name a meeting."""
    head: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": int(meeting.type),
    }
    start = _start_time(meeting)
    if start is not None:
        head["start_time"] = start
    head["duration"] = meeting.duration
    head["timezone"] = meeting.timezone
    return head


def meeting_created(
    meeting: Meeting,
    operator: Operator,
    *,
    join_url: str,
    occurrences: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``occurrences``: the series' available occurrences as ``occurrences_to_wire`` gives them, when the
    caller has them already."""
    obj: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": int(meeting.type),
    }
    start = _start_time(meeting)
    if start is not None:
        obj["start_time"] = start
    obj["duration"] = meeting.duration
    obj["timezone"] = meeting.timezone
    obj["join_url"] = join_url
    if meeting.passcodes.password:
        obj["password"] = meeting.passcodes.password
    if meeting.pmi is not None:
        obj["pmi"] = str(meeting.pmi)
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        obj["occurrences"] = (
            occurrences if occurrences is not None else occurrences_to_wire(meeting.available_occurrences)
        )
    settings = meeting.settings
    obj["settings"] = {
        "use_pmi": settings["use_pmi"],
        "alternative_hosts": settings["alternative_hosts"],
        "join_before_host": settings["join_before_host"],
        "jbh_time": settings["jbh_time"],
    }
    if settings.get("meeting_invitees"):
        obj["settings"]["meeting_invitees"] = settings["meeting_invitees"]
    if meeting.type.is_recurring and meeting.recurrence is not None:
        obj["recurrence"] = meeting.recurrence
    if meeting.tracking_fields:
        obj["tracking_fields"] = meeting.tracking_fields
    return {**operator.fields(), "creation_source": "open_api", "object": obj}


def updatable_fields(meeting: Meeting) -> dict[str, Any]:
    """The fields of a meeting that ``meeting.updated`` reports when they change."""
    fields: dict[str, Any] = {
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": int(meeting.type),
        "start_time": _start_time(meeting),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "password": meeting.passcodes.password,
        "pre_schedule": meeting.pre_schedule,
        "settings": meeting.settings,
        "recurrence": meeting.recurrence,
        "tracking_fields": meeting.tracking_fields,
    }
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        fields["occurrences"] = occurrences_to_wire(meeting.available_occurrences)
    return fields


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(new values, old values) of the keys that differ; settings compare key by key."""
    new: dict[str, Any] = {}
    old: dict[str, Any] = {}
    for key in after.keys() | before.keys():
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if key == "settings" and isinstance(was, dict) and isinstance(now, dict):
            new[key], old[key] = _changes(was, now)
        else:
            new[key], old[key] = now, was
    order = list(after) + [k for k in before if k not in after]
    return (
        {k: new[k] for k in order if k in new and new[k] is not None},
        {k: old[k] for k in order if k in old and old[k] is not None},
    )


def meeting_updated(
    meeting_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    operator: Operator,
    *,
    time_stamp: int,
    occurrence: Occurrence | None = None,
) -> dict[str, Any] | None:
    """The payload of ``meeting.updated``, or None when nothing Zoom reports changed. ``before`` and
    ``after`` are ``updatable_fields`` of the meeting around the change; with ``occurrence`` the change
    was to that occurrence alone (scope ``single``)."""
    if occurrence is not None:
        was = next(
            (o for o in before.get("occurrences", ()) if o["occurrence_id"] == occurrence.occurrence_id), None
        )
        now = occurrence.to_wire()
        if was == now:
            return None
        new: dict[str, Any] = {"occurrences": [now]}
        old: dict[str, Any] = {"occurrences": [was]} if was is not None else {}
        scope = "single"
    else:
        new, old = _changes(before, after)
        if not new and not old:
            return None
        scope = "all"
    return {
        **operator.fields(),
        "scope": scope,
        "object": {"id": meeting_id, **new},
        "old_object": {"id": meeting_id, **old},
        "time_stamp": time_stamp,
    }


def meeting_deleted(
    meeting: Meeting, operator: Operator, *, occurrence: Occurrence | None = None
) -> dict[str, Any]:
    """The whole meeting (operation ``all``) or, with ``occurrence``, that occurrence (``single``)."""
    obj = _meeting_head(meeting)
    if occurrence is not None:
        obj["occurrences"] = _occurrence_refs([occurrence])
    return {**operator.fields(), "operation": "single" if occurrence else "all", "object": obj}


def meeting_recovered(meeting: Meeting, operator: Operator) -> dict[str, Any]:
    obj = _meeting_head(meeting)
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        obj["occurrences"] = _occurrence_refs(meeting.available_occurrences)
    return {**operator.fields(), "operation": "all", "object": obj}


@dataclass(frozen=True, slots=True)
class Instance:
    """One run of a meeting: the ``uuid`` the live-meeting events and past meetings name it by."""

    uuid: str
    start_time: datetime
    end_time: datetime | None = None


def _live_head(meeting: Meeting, instance: Instance) -> dict[str, Any]:
    return {
        "id": str(meeting.id),
        "uuid": instance.uuid,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": int(meeting.type),
        "start_time": format_zoom(instance.start_time),
        "timezone": meeting.timezone,
        "duration": meeting.duration,
    }


def meeting_started(meeting: Meeting, instance: Instance) -> dict[str, Any]:
    return {"object": _live_head(meeting, instance)}


def meeting_ended(meeting: Meeting, instance: Instance) -> dict[str, Any]:
    assert instance.end_time is not None
    return {"object": {**_live_head(meeting, instance), "end_time": format_zoom(instance.end_time)}}


@dataclass(frozen=True, slots=True)
class Attendee:
    """A participant as the participant events describe them."""

    user_id: str  # the participant's id within this meeting instance
    user_name: str
    email: str
    participant_uuid: str
    registrant_id: str = ""
    id: str = ""  # the Zoom user id, for a participant signed in to the account


def participant_event(
    meeting: Meeting, instance: Instance, attendee: Attendee, *, time_key: str, at: datetime
) -> dict[str, Any]:
    """``participant_joined`` (time_key ``join_time``), ``participant_left`` (``leave_time``),
    ``participant_joined_waiting_room``, ``participant_admitted`` and ``participant_left_waiting_room``
    (``date_time``)."""
    participant: dict[str, Any] = {"user_id": attendee.user_id, "user_name": attendee.user_name}
    if attendee.id:
        participant["id"] = attendee.id
    participant["participant_uuid"] = attendee.participant_uuid
    participant[time_key] = format_zoom(at)
    participant["email"] = attendee.email
    if attendee.registrant_id:
        participant["registrant_id"] = attendee.registrant_id
    return {"object": {**_live_head(meeting, instance), "participant": participant}}


def _registration_head(meeting: Meeting, registrant: Registrant) -> dict[str, Any]:
    obj = _meeting_head(meeting)
    obj.setdefault("start_time", format_zoom(meeting.created_at))
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        chosen = [o for o in meeting.available_occurrences if registrant.covers(o.occurrence_id)]
        obj["occurrences"] = _occurrence_refs(chosen)
    return obj


def _registrant_name(registrant: Registrant) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": registrant.id, "first_name": registrant.first_name}
    if registrant.profile.get("last_name"):
        fields["last_name"] = registrant.profile["last_name"]
    fields["email"] = registrant.email
    return fields


def registration_created(meeting: Meeting, registrant: Registrant, *, join_url: str) -> dict[str, Any]:
    person = _registrant_name(registrant)
    for name in PROFILE_FIELDS[1:]:  # last_name is already there when set
        if registrant.profile.get(name):
            person[name] = registrant.profile[name]
    if registrant.custom_questions:
        person["custom_questions"] = registrant.custom_questions
    person["status"] = registrant.status.value
    person["join_url"] = join_url
    person["participant_pin_code"] = registrant.pin_code
    return {"object": {**_registration_head(meeting, registrant), "registrant": person}}


def registration_approved(
    meeting: Meeting, registrant: Registrant, operator: Operator, *, join_url: str
) -> dict[str, Any]:
    person = {
        **_registrant_name(registrant),
        "join_url": join_url,
        "participant_pin_code": registrant.pin_code,
    }
    return {**operator.fields(), "object": {**_registration_head(meeting, registrant), "registrant": person}}


def registration_denied(meeting: Meeting, registrant: Registrant, operator: Operator) -> dict[str, Any]:
    person = _registrant_name(registrant)
    return {**operator.fields(), "object": {**_registration_head(meeting, registrant), "registrant": person}}


registration_cancelled = registration_denied  # the same shape under another name
