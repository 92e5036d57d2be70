"""The meeting lifecycle: a meeting starts (its host opens the start link, or a participant joins before
the host), participants join, wait in the waiting room, are admitted and leave, and it ends
(meetingStatus ``end``).

Each change is one write block together with the events it causes (``meeting.started``,
``meeting.ended``, ``meeting.participant_*``), so no event goes out for a change that was not committed.
Races are settled by the store: a meeting has at most one instance in progress (of two starts, one is a
no-op), and ending, admitting and leaving are conditional updates that only one request wins.

An instance is named by the meeting's ``uuid`` at the time it starts; ending it gives the meeting a new
``uuid`` for its next instance, as Zoom does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from moot.domain import events as ev
from moot.domain import ids
from moot.domain.errors import (
    InvalidZak,
    MeetingNotFound,
    MeetingNotStarted,
    ParticipantNotFound,
    ParticipantNotWaiting,
)
from moot.domain.meetings import Meeting, MeetingStatus
from moot.domain.past_meetings import (
    MeetingInstance,
    Participant,
    ParticipantStatus,
    parse_meeting_number,
    participant_user_id,
    participant_uuid,
)
from moot.domain.registrants import RegistrantStatus
from moot.services import events
from moot.services.context import Deps
from moot.services.tokens import verify_zak
from moot.storage.base import DuplicateKey, WriteTx

_IN_MEETING = ParticipantStatus.IN_MEETING
_IN_WAITING_ROOM = ParticipantStatus.IN_WAITING_ROOM
# Attempts at a join that a concurrent start or end keeps overtaking.
_JOIN_ATTEMPTS = 3


class _Overtaken(Exception):
    """Another request changed the instance first: this write block rolls back."""


def _now(deps: Deps) -> datetime:
    return deps.clock.now().replace(microsecond=0)


async def meeting_by_number(deps: Deps, raw_id: str) -> Meeting:
    """A live meeting of any account (moot's admin API), or Zoom's 3001."""
    number = parse_meeting_number(raw_id)
    meeting = await deps.store.find_meeting(number) if number is not None else None
    if meeting is None or meeting.deleted_at is not None:
        raise MeetingNotFound(meeting_id=raw_id)
    return meeting


async def _host_name(deps: Deps, meeting: Meeting) -> str:
    host = await deps.store.get_user(meeting.account_id, meeting.host_id)
    return host.display_name if host is not None and host.display_name else meeting.host_email


def _new_instance(meeting: Meeting, host_name: str, now: datetime) -> MeetingInstance:
    return MeetingInstance(
        uuid=meeting.uuid,
        meeting_id=meeting.id,
        account_id=meeting.account_id,
        host_id=meeting.host_id,
        host_email=meeting.host_email,
        host_name=host_name,
        topic=meeting.topic,
        type=int(meeting.type),
        start_time=now,
    )


async def _emit(tx: WriteTx, deps: Deps, meeting: Meeting, name: str, payload: dict[str, Any]) -> None:
    await events.emit(tx, deps, name, meeting.account_id, str(meeting.id), payload)


async def _participant_event(
    tx: WriteTx,
    deps: Deps,
    meeting: Meeting,
    instance: MeetingInstance,
    participant: Participant,
    name: str,
    *,
    time_key: str,
    at: datetime,
) -> None:
    payload = ev.participant_event(
        meeting, instance.event_instance, participant.attendee, time_key=time_key, at=at
    )
    await _emit(tx, deps, meeting, name, payload)


async def _left(
    tx: WriteTx,
    deps: Deps,
    meeting: Meeting,
    instance: MeetingInstance,
    participant: Participant,
    at: datetime,
) -> None:
    """``participant_left`` for a stay in the meeting, ``participant_left_waiting_room`` for a wait."""
    if participant.status is _IN_MEETING:
        await _participant_event(
            tx, deps, meeting, instance, participant, ev.PARTICIPANT_LEFT, time_key="leave_time", at=at
        )
    elif participant.status is _IN_WAITING_ROOM:
        await _participant_event(
            tx,
            deps,
            meeting,
            instance,
            participant,
            ev.PARTICIPANT_LEFT_WAITING_ROOM,
            time_key="date_time",
            at=at,
        )


async def _begin(tx: WriteTx, deps: Deps, meeting: Meeting, instance: MeetingInstance) -> None:
    """Start ``instance`` (DuplicateKey when the meeting already has one in progress)."""
    await tx.insert_instance(instance)
    meeting.status = MeetingStatus.STARTED
    await tx.update_meeting(meeting)
    await _emit(tx, deps, meeting, ev.MEETING_STARTED, ev.meeting_started(meeting, instance.event_instance))


async def _enter(
    tx: WriteTx,
    deps: Deps,
    meeting: Meeting,
    instance: MeetingInstance,
    *,
    name: str,
    email: str,
    status: ParticipantStatus,
    at: datetime,
    registrant_id: str = "",
    user_id: str = "",
) -> Participant:
    number = await tx.next_participant_number(instance.uuid)
    if number is None:  # the instance ended meanwhile
        raise _Overtaken()
    participant = Participant(
        instance_uuid=instance.uuid,
        user_id=participant_user_id(number),
        participant_uuid=participant_uuid(),
        name=name,
        email=email,
        status=status,
        join_time=at,
        registrant_id=registrant_id,
        id=user_id,
    )
    await tx.insert_participant(participant)
    if status is _IN_WAITING_ROOM:
        event, time_key = ev.PARTICIPANT_JOINED_WAITING_ROOM, "date_time"
    else:
        event, time_key = ev.PARTICIPANT_JOINED, "join_time"
    await _participant_event(tx, deps, meeting, instance, participant, event, time_key=time_key, at=at)
    return participant


async def start_from_link(deps: Deps, raw_id: str, zak: str) -> Meeting:
    """The host opened the start link ``/s/{meetingId}?zak=...``: the meeting as started."""
    key = verify_zak(deps, zak)
    number = parse_meeting_number(raw_id)
    meeting = await deps.store.get_meeting(key.account_id, number) if number is not None else None
    if meeting is None or meeting.deleted_at is not None:
        raise MeetingNotFound(meeting_id=raw_id)
    if key.user_id != meeting.host_id or key.meeting_id not in ("", str(meeting.id)):
        raise InvalidZak()
    await start_meeting(deps, meeting)
    return meeting


async def start_meeting(deps: Deps, meeting: Meeting) -> MeetingInstance:
    """Start a new instance with the host in it; a meeting in progress stays as it is."""
    live = await deps.store.get_live_instance(meeting.id)
    if live is not None:
        meeting.status = MeetingStatus.STARTED
        return live
    now = _now(deps)
    host_name = await _host_name(deps, meeting)
    instance = _new_instance(meeting, host_name, now)
    try:
        async with events.write(deps) as tx:
            await _begin(tx, deps, meeting, instance)
            await _enter(
                tx,
                deps,
                meeting,
                instance,
                name=host_name,
                email=meeting.host_email,
                status=_IN_MEETING,
                at=now,
                user_id=meeting.host_id,
            )
    except DuplicateKey:  # another start won
        meeting.status = MeetingStatus.STARTED
        return await deps.store.get_live_instance(meeting.id) or instance
    return instance


async def end_meeting(deps: Deps, meeting: Meeting) -> None:
    """End the instance in progress: everyone still in leaves, then the meeting ends and waits for its
    next start under a new UUID. A meeting not in progress stays as it is."""
    live = await deps.store.get_live_instance(meeting.id)
    if live is None:
        return
    now = _now(deps)
    ended = replace(live, end_time=now)
    meeting.status = MeetingStatus.WAITING
    meeting.uuid = ids.meeting_uuid()
    try:
        async with events.write(deps) as tx:
            if not await tx.end_instance(live.uuid, now):
                raise _Overtaken()
            for participant in await tx.close_participants(live.uuid, now):
                await _left(tx, deps, meeting, ended, participant, now)
            await tx.update_meeting(meeting)
            await _emit(tx, deps, meeting, ev.MEETING_ENDED, ev.meeting_ended(meeting, ended.event_instance))
    except _Overtaken:  # another end won
        return


async def _registrant_id(deps: Deps, meeting: Meeting, email: str) -> str:
    """The approved registrant of the meeting with this email, as Zoom links a registrant who joins."""
    if not email:
        return ""
    registrant = await deps.store.find_registrant_by_email(meeting.id, email)
    return registrant.id if registrant is not None and registrant.status is RegistrantStatus.APPROVED else ""


async def join(deps: Deps, meeting: Meeting, *, name: str, email: str) -> Participant:
    """A participant joins: into the waiting room when the meeting has one, else into the meeting. Before
    the host has started it, join before host lets them in (which starts the instance); without it they
    are refused (MeetingNotStarted)."""
    waiting_room = bool(meeting.settings.get("waiting_room"))
    registrant_id = await _registrant_id(deps, meeting, email)
    for _ in range(_JOIN_ATTEMPTS):
        live = await deps.store.get_live_instance(meeting.id)
        if live is None and not meeting.settings.get("join_before_host"):
            break
        now = _now(deps)
        instance = live or _new_instance(meeting, await _host_name(deps, meeting), now)
        try:
            async with events.write(deps) as tx:
                if live is None:
                    await _begin(tx, deps, meeting, instance)
                return await _enter(
                    tx,
                    deps,
                    meeting,
                    instance,
                    name=name,
                    email=email,
                    status=_IN_WAITING_ROOM if waiting_room else _IN_MEETING,
                    at=now,
                    registrant_id=registrant_id,
                )
        except (DuplicateKey, _Overtaken):  # a start or an end got there first: look again
            continue
    raise MeetingNotStarted(meeting_id=meeting.id)


async def _present(deps: Deps, meeting: Meeting, user_id: str) -> tuple[MeetingInstance, Participant]:
    live = await deps.store.get_live_instance(meeting.id)
    present = await deps.store.get_present_participant(live.uuid, user_id) if live is not None else None
    if live is None or present is None:
        raise ParticipantNotFound(participant_id=user_id, meeting_id=meeting.id)
    return live, present


async def admit(deps: Deps, meeting: Meeting, user_id: str) -> Participant:
    """Admit a participant from the waiting room: their wait ends and their stay in the meeting begins
    (two records, one ``user_id``)."""
    live, present = await _present(deps, meeting, user_id)
    if present.status is not _IN_WAITING_ROOM:
        raise ParticipantNotWaiting(participant_id=user_id)
    now = _now(deps)
    admitted = replace(present, status=_IN_MEETING, join_time=now, leave_time=None, row_id=0)
    async with events.write(deps) as tx:
        if await tx.close_participant(live.uuid, user_id, now, waiting_only=True) is None:
            raise ParticipantNotFound(participant_id=user_id, meeting_id=meeting.id)
        await tx.insert_participant(admitted)
        await _participant_event(
            tx, deps, meeting, live, admitted, ev.PARTICIPANT_ADMITTED, time_key="date_time", at=now
        )
        await _participant_event(
            tx, deps, meeting, live, admitted, ev.PARTICIPANT_JOINED, time_key="join_time", at=now
        )
    return admitted


async def leave(deps: Deps, meeting: Meeting, user_id: str) -> None:
    """A participant leaves the meeting (or gives up waiting in the waiting room)."""
    live, _ = await _present(deps, meeting, user_id)
    now = _now(deps)
    async with events.write(deps) as tx:
        closed = await tx.close_participant(live.uuid, user_id, now)
        if closed is None:
            raise ParticipantNotFound(participant_id=user_id, meeting_id=meeting.id)
        await _left(tx, deps, meeting, live, closed, now)
