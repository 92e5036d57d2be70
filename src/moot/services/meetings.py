"""Meeting operations: meetingCreate, meeting, meetings, meetingUpdate, meetingDelete, meetingStatus."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from moot.domain import events as ev
from moot.domain import ids, timezones
from moot.domain.errors import (
    FieldError,
    InstantMeetingScheduleFor,
    MeetingNotFound,
    ScheduleForInvalid,
    UserNotFound,
    ValidationFailed,
)
from moot.domain.listing import MAX_PAGE_SIZE, Cursor, ListType, MeetingQuery
from moot.domain.meeting_requests import ListMeetingsQuery, MeetingInput
from moot.domain.meetings import (
    DEFAULT_SETTINGS,
    Meeting,
    MeetingStatus,
    MeetingType,
    Passcodes,
    check_type_rules,
    meeting_list_item,
    meeting_to_wire,
    merged_settings,
)
from moot.domain.recurrence import Occurrence, occurrences_to_wire, with_duration
from moot.domain.times import format_zoom, parse_start_time
from moot.domain.users import User
from moot.services import events, lifecycle, occurrences, pagination, registration_links
from moot.services.context import Deps, Principal
from moot.services.tokens import issue_zak
from moot.services.users import resolve_user
from moot.storage.base import DuplicateKey

_ID_ATTEMPTS = 8


def join_url(deps: Deps, meeting: Meeting) -> str:
    number = meeting.pmi if meeting.pmi is not None else meeting.id
    url = f"{deps.settings.base_url}/j/{number}"
    encrypted = meeting.passcodes.encrypted_password
    return f"{url}?pwd={encrypted}" if encrypted else url


def start_url(deps: Deps, meeting: Meeting) -> str:
    zak = issue_zak(deps, user_id=meeting.host_id, account_id=meeting.account_id, meeting_id=meeting.id)
    return f"{deps.settings.base_url}/s/{meeting.id}?zak={zak}"


def to_wire(
    deps: Deps,
    meeting: Meeting,
    *,
    occurrence: Occurrence | None = None,
    show_previous: bool = False,
    every_occurrence: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``every_occurrence``: all of the series' occurrences through ``occurrences_to_wire``, if the caller
    has them (used when every one of them is to be shown)."""
    shown = occurrences.shown(meeting, deps.clock.now(), show_previous=show_previous)
    known = every_occurrence is not None and len(shown) == len(meeting.occurrences) == len(every_occurrence)
    return meeting_to_wire(
        meeting,
        start_url=start_url(deps, meeting),
        join_url=join_url(deps, meeting),
        occurrences=shown,
        occurrence=occurrence,
        registration_url=registration_links.registration_url(deps, meeting),
        occurrences_wire=every_occurrence if known else None,
    )


def _start_time(value: str, zone: tzinfo) -> datetime:
    parsed = parse_start_time(value, zone)
    if parsed is None:
        raise ValidationFailed([FieldError("start_time", "Invalid field.")])
    return parsed


def _zone(name: str) -> tzinfo:
    zone = timezones.resolve(name)
    if zone is None:  # only reachable for a host whose stored timezone is not a zone
        raise ValidationFailed([FieldError("timezone", "Invalid timezone.")])
    return zone


def _tracking_fields(body: MeetingInput) -> list[dict[str, Any]]:
    return [{"field": f.field, "value": f.value or "", "visible": True} for f in body.tracking_fields or []]


async def _schedule_for(deps: Deps, principal: Principal, ref: str) -> User:
    try:
        return await resolve_user(deps, principal, ref)
    except UserNotFound:
        raise ScheduleForInvalid() from None


async def create_meeting(
    deps: Deps, principal: Principal, user_ref: str, body: MeetingInput
) -> dict[str, Any]:
    user = await resolve_user(deps, principal, user_ref)
    sent = body.sent()
    meeting_type = MeetingType(body.type or MeetingType.SCHEDULED)
    host, assistant_id = user, None
    if "schedule_for" in sent:
        if meeting_type is MeetingType.INSTANT:
            raise InstantMeetingScheduleFor()
        host = await _schedule_for(deps, principal, str(body.schedule_for))
        assistant_id = user.id if host.id != user.id else None
    recurrence = (
        body.recurrence.to_stored() if body.recurrence is not None and meeting_type.is_recurring else None
    )
    check_type_rules(meeting_type, recurrence)
    now = deps.clock.now()
    timezone = body.timezone or host.timezone
    start = (
        _start_time(body.start_time, _zone(timezone))
        if body.start_time and meeting_type.has_start_time
        else now
    )
    settings = merged_settings(DEFAULT_SETTINGS, body.settings.changes() if body.settings else {})
    passcodes = Passcodes.from_password(str(body.password)) if "password" in sent else Passcodes.generated()
    meeting = Meeting(
        id=ids.meeting_number(),
        uuid=ids.meeting_uuid(),
        account_id=host.account_id,
        host_id=host.id,
        host_email=host.email,
        topic=body.topic if body.topic is not None else "Zoom Meeting",
        type=meeting_type,
        status=MeetingStatus.WAITING,
        start_time=start if meeting_type.has_start_time else None,
        duration=body.duration or 0,
        timezone=timezone,
        agenda=body.agenda or "",
        created_at=now,
        passcodes=passcodes,
        settings=settings,
        pre_schedule=bool(body.pre_schedule)
        and meeting_type in (MeetingType.SCHEDULED, MeetingType.RECURRING_NO_FIXED_TIME),
        recurrence=recurrence,
        tracking_fields=_tracking_fields(body),
        assistant_id=assistant_id,
        pmi=host.pmi
        if settings["use_pmi"] and meeting_type is not MeetingType.RECURRING_FIXED_TIME
        else None,
    )
    occurrences.schedule(meeting, _zone(timezone))
    # A new series' meeting.created event lists its available occurrences, which are all of them, and
    # so does the answer unless some are over already: then both get the same list, built once.
    every_occurrence = occurrences_to_wire(meeting.available_occurrences) if meeting.occurrences else None
    await deps.charge_host(principal, host.id)
    operator = await events.operator(deps, principal, user)
    await _insert_with_fresh_number(deps, meeting, operator, every_occurrence)
    return to_wire(deps, meeting, every_occurrence=every_occurrence)


async def _insert_with_fresh_number(
    deps: Deps, meeting: Meeting, operator: ev.Operator, every_occurrence: list[dict[str, Any]] | None
) -> None:
    for attempt in range(_ID_ATTEMPTS):
        try:
            async with events.write(deps) as tx:
                await tx.insert_meeting(meeting)
                payload = ev.meeting_created(
                    meeting, operator, join_url=join_url(deps, meeting), occurrences=every_occurrence
                )
                await events.emit(tx, deps, ev.MEETING_CREATED, meeting.account_id, str(meeting.id), payload)
            return
        except DuplicateKey:
            if attempt == _ID_ATTEMPTS - 1:
                raise
            meeting.id = ids.meeting_number()


_MAX_MEETING_ID = 2**63 - 1  # Zoom's meeting ids are int64


def _meeting_number(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > _MAX_MEETING_ID:
        raise MeetingNotFound(meeting_id=raw)
    return int(raw)


async def load_meeting(deps: Deps, principal: Principal, raw_id: str) -> Meeting:
    """A live (not deleted) meeting of the caller's account, or Zoom's 3001."""
    meeting = await deps.store.get_meeting(principal.account_id, _meeting_number(raw_id))
    if meeting is None or meeting.deleted_at is not None:
        raise MeetingNotFound(meeting_id=raw_id)
    principal.check_reach(meeting.host_id)
    return meeting


async def get_meeting(
    deps: Deps, principal: Principal, raw_id: str, occurrence_id: str | None, *, show_previous: bool = False
) -> dict[str, Any]:
    meeting = await load_meeting(deps, principal, raw_id)
    occurrence = occurrences.find(meeting, occurrence_id)
    return to_wire(deps, meeting, occurrence=occurrence, show_previous=show_previous)


async def update_meeting(
    deps: Deps, principal: Principal, raw_id: str, body: MeetingInput, occurrence_id: str | None
) -> None:
    meeting = await load_meeting(deps, principal, raw_id)
    occurrence = occurrences.find(meeting, occurrence_id)
    await deps.charge_host(principal, meeting.host_id)
    before = ev.updatable_fields(meeting)
    edited: Occurrence | None = None
    if occurrence is not None:
        edited = _update_occurrence(meeting, occurrence, body)
    else:
        await _update_series(deps, principal, meeting, body)
    payload = ev.meeting_updated(
        meeting.id,
        before,
        ev.updatable_fields(meeting),
        await events.operator(deps, principal),
        time_stamp=int(deps.clock.timestamp() * 1000),
        occurrence=edited,
    )
    async with events.write(deps) as tx:
        await tx.update_meeting(meeting)
        if payload is not None:
            await events.emit(tx, deps, ev.MEETING_UPDATED, meeting.account_id, str(meeting.id), payload)


def _update_occurrence(meeting: Meeting, occurrence: Occurrence, body: MeetingInput) -> Occurrence | None:
    """With ``occurrence_id``, only that occurrence's start time and duration change; the occurrence
    as it is now."""
    sent = body.sent()
    start = _start_time(str(body.start_time), _zone(meeting.timezone)) if "start_time" in sent else None
    duration = int(body.duration or 0) if "duration" in sent else None
    occurrences.edit(meeting, occurrence, start=start, duration=duration)
    return meeting.occurrence(occurrence.occurrence_id)


async def _update_series(deps: Deps, principal: Principal, meeting: Meeting, body: MeetingInput) -> None:
    sent = body.sent()
    old_duration = meeting.duration
    if "schedule_for" in sent:
        host = await _schedule_for(deps, principal, str(body.schedule_for))
        meeting.host_id, meeting.host_email = host.id, host.email
    if "type" in sent:
        meeting.type = MeetingType(int(body.type or 0))
    if body.recurrence is not None:
        meeting.recurrence = body.recurrence.to_stored()
    if not meeting.type.is_recurring:
        meeting.recurrence = None
    check_type_rules(meeting.type, meeting.recurrence)
    if "topic" in sent:
        meeting.topic = str(body.topic)
    if "agenda" in sent:
        meeting.agenda = str(body.agenda)
    if "duration" in sent:
        meeting.duration = int(body.duration or 0)
    if "timezone" in sent:
        meeting.timezone = str(body.timezone)
    if "pre_schedule" in sent:
        meeting.pre_schedule = bool(body.pre_schedule)
    if "tracking_fields" in sent:
        meeting.tracking_fields = _tracking_fields(body)
    if "start_time" in sent and meeting.type.has_start_time:
        start = _start_time(str(body.start_time), _zone(meeting.timezone))
        # Zoom ignores a past start_time for a recurring series (contract.md §4).
        if not (meeting.type is MeetingType.RECURRING_FIXED_TIME and start < deps.clock.now()):
            meeting.start_time = start
    if meeting.type.has_start_time and meeting.start_time is None:
        meeting.start_time = deps.clock.now()
    if "password" in sent:
        meeting.passcodes = Passcodes.from_password(str(body.password))
    if body.settings is not None:
        meeting.settings = merged_settings(meeting.settings, body.settings.changes())
    meeting.occurrences = with_duration(meeting.occurrences, old_duration, meeting.duration)
    occurrences.schedule(meeting, _zone(meeting.timezone))


async def delete_meeting(deps: Deps, principal: Principal, raw_id: str, occurrence_id: str | None) -> None:
    meeting = await load_meeting(deps, principal, raw_id)
    occurrence = occurrences.find(meeting, occurrence_id)
    if occurrence is not None:
        occurrences.delete(meeting, occurrence)
    else:
        meeting.deleted_at = deps.clock.now()
    payload = ev.meeting_deleted(meeting, await events.operator(deps, principal), occurrence=occurrence)
    async with events.write(deps) as tx:
        await tx.update_meeting(meeting)
        await events.emit(tx, deps, ev.MEETING_DELETED, meeting.account_id, str(meeting.id), payload)


async def update_meeting_status(deps: Deps, principal: Principal, raw_id: str, action: str) -> None:
    meeting = await deps.store.get_meeting(principal.account_id, _meeting_number(raw_id))
    now = deps.clock.now()
    if meeting is None or (meeting.deleted_at is not None and not meeting.is_recoverable(now)):
        raise MeetingNotFound(meeting_id=raw_id)
    principal.check_reach(meeting.host_id)
    if action == "recover":
        if meeting.deleted_at is None:
            return
        meeting.deleted_at = None
        payload = ev.meeting_recovered(meeting, await events.operator(deps, principal))
        async with events.write(deps) as tx:
            await tx.update_meeting(meeting)
            await events.emit(tx, deps, ev.MEETING_RECOVERED, meeting.account_id, str(meeting.id), payload)
        return
    else:
        if meeting.deleted_at is not None:
            raise MeetingNotFound(meeting_id=raw_id)
        await lifecycle.end_meeting(deps, meeting)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def list_meetings(
    deps: Deps, principal: Principal, user_ref: str, query: ListMeetingsQuery
) -> dict[str, Any]:
    host = await resolve_user(deps, principal, user_ref)
    now = deps.clock.now()
    after: Cursor | None = None
    page_number = query.page_number or 1
    if query.next_page_token:
        # Bound to the host: another host's (or account's) token would carry its total and cursor.
        state = pagination.decode(deps, f"meetings:{host.id}", query.next_page_token)
        list_type, size = ListType(state["t"]), int(state["n"])
        from_date, to_date, dates_zone = _date(state["f"]), _date(state["u"]), state.get("z") or "UTC"
        after, page_number = Cursor(state["c"], int(state["i"])), int(state["p"]) + 1
        known_total = int(state["r"])
    else:
        list_type = ListType(query.type or ListType.SCHEDULED)
        size = min(query.page_size or 30, MAX_PAGE_SIZE)
        from_date, to_date, dates_zone = query.from_, query.to, query.timezone or "UTC"
        known_total = None
    meetings, total = await deps.store.list_meetings(
        MeetingQuery(
            account_id=principal.account_id,
            host_id=host.id,
            list_type=list_type,
            now=now,
            page_size=size,
            from_date=from_date,
            to_date=to_date,
            dates_zone=_zone(dates_zone),
            after=after,
            offset=0 if after is not None else (page_number - 1) * size,
            known_total=known_total,
        )
    )
    token = ""
    if meetings and page_number < pagination.page_count(total, size):
        last = meetings[-1]
        token = pagination.encode(
            deps,
            f"meetings:{host.id}",
            {
                "t": list_type.value,
                "n": size,
                "f": from_date.isoformat() if from_date else None,
                "u": to_date.isoformat() if to_date else None,
                "z": dates_zone,
                "c": format_zoom(last.sort_time),
                "i": last.id,
                "p": page_number,
                "r": total,
            },
        )
    items = [meeting_list_item(m, join_url=join_url(deps, m), now=now) for m in meetings]
    return pagination.envelope("meetings", items, size=size, number=page_number, total=total, token=token)
