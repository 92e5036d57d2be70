"""Registrant operations: meetingRegistrantCreate, meetingRegistrants, meetingRegistrantGet,
meetingregistrantdelete, meetingRegistrantStatus.

Every change happens inside one write block, with the webhook events it causes. Reads that decide a
change are made before the block: the database's unique index on live emails is what settles two
registrations of one email racing each other.
"""

from __future__ import annotations

from typing import Any

from moot.domain import events as ev
from moot.domain.errors import (
    AlreadyRegistered,
    FieldError,
    HostCannotRegister,
    InvalidOccurrenceId,
    RegistrantCapacityReached,
    RegistrantNotFound,
    RegistrationClosed,
    RegistrationNotEnabled,
    ValidationFailed,
)
from moot.domain.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from moot.domain.meetings import Meeting, MeetingType
from moot.domain.recurrence import Occurrence, OccurrenceStatus
from moot.domain.registrant_requests import (
    ListRegistrantsQuery,
    RegistrantInput,
    RegistrantRef,
    RegistrantStatusInput,
)
from moot.domain.registrants import (
    LIVE_STATUSES,
    MAX_REGISTRANTS,
    Registrant,
    RegistrantStatus,
    StatusAction,
    created_to_wire,
    new_registrant_id,
    participant_pin_code,
    picks_occurrences,
    registrant_to_wire,
    registrant_token,
    registration_closed,
    registration_enabled,
    status_on_create,
)
from moot.services import events, pagination
from moot.services.context import Deps, Principal
from moot.services.meetings import load_meeting
from moot.services.registration_links import personal_link, registrant_join_url
from moot.storage.base import DuplicateKey


async def _registration_meeting(deps: Deps, principal: Principal, raw_id: str) -> Meeting:
    """The caller's meeting (3001 otherwise), which must take registrants (404 otherwise)."""
    meeting = await load_meeting(deps, principal, raw_id)
    if not registration_enabled(meeting):
        raise RegistrationNotEnabled(meeting_id=meeting.id)
    return meeting


def _occurrence(meeting: Meeting, occurrence_id: str | None, *, available: bool = False) -> Occurrence | None:
    """The occurrence ``occurrence_id`` names (None when none is given), or Zoom's 3000."""
    if not occurrence_id:
        return None
    found = meeting.occurrence(occurrence_id.strip())
    if found is None or (available and found.status is not OccurrenceStatus.AVAILABLE):
        raise InvalidOccurrenceId()
    return found


def _occurrences_to_register(meeting: Meeting, requested: list[str]) -> list[Occurrence]:
    """What a new registrant registers for: a series' occurrences (every available one, or those named
    in ``occurrence_ids`` for registration_type 2 and 3); nothing for a single meeting."""
    named = [_occurrence(meeting, oid, available=True) for oid in dict.fromkeys(requested)]
    if meeting.type is not MeetingType.RECURRING_FIXED_TIME:
        return []
    if not picks_occurrences(meeting):
        return meeting.available_occurrences
    chosen = [o for o in named if o is not None]
    if not chosen:
        raise ValidationFailed([FieldError("occurrence_ids", "This field is required.")])
    return sorted(chosen, key=lambda o: o.start_time)


async def _check_email_free(deps: Deps, meeting: Meeting, email: str, *, other_than: str = "") -> None:
    newest = await deps.store.find_registrant_by_email(meeting.id, email)
    if newest is not None and newest.id != other_than and newest.status.is_live:
        raise AlreadyRegistered(email=email)


async def _check_capacity(deps: Deps, meeting: Meeting, joining: int) -> None:
    if await deps.store.count_registrants(meeting.id, LIVE_STATUSES) + joining > MAX_REGISTRANTS:
        raise RegistrantCapacityReached()


async def create_registrant(
    deps: Deps, principal: Principal, raw_id: str, body: RegistrantInput, occurrence_ids: list[str]
) -> dict[str, Any]:
    meeting = await _registration_meeting(deps, principal, raw_id)
    occurrences = _occurrences_to_register(meeting, occurrence_ids)
    now = deps.clock.now()
    if registration_closed(meeting, now, occurrences):
        raise RegistrationClosed()
    if body.email.lower() == meeting.host_email.lower():
        raise HostCannotRegister()
    await _check_email_free(deps, meeting, body.email)
    await _check_capacity(deps, meeting, 1)
    registrant = Registrant(
        id=new_registrant_id(),
        meeting_id=meeting.id,
        account_id=meeting.account_id,
        email=body.email,
        first_name=body.first_name,
        status=status_on_create(meeting, bool(body.auto_approve)),
        created_at=now,
        token=registrant_token(),
        pin_code=participant_pin_code(),
        occurrence_ids=tuple(o.occurrence_id for o in occurrences) if picks_occurrences(meeting) else (),
        profile=body.profile(),
        custom_questions=[q.model_dump() for q in body.custom_questions or ()],
        language=body.language,
    )
    payload = ev.registration_created(meeting, registrant, join_url=personal_link(deps, meeting, registrant))
    try:
        async with events.write(deps) as tx:
            await tx.insert_registrant(registrant)
            await events.emit(tx, deps, ev.REGISTRATION_CREATED, meeting.account_id, str(meeting.id), payload)
    except DuplicateKey:
        raise AlreadyRegistered(email=body.email) from None
    join_url = registrant_join_url(deps, meeting, registrant)
    return created_to_wire(meeting, registrant, join_url=join_url, occurrences=occurrences)


async def _registrant(deps: Deps, meeting: Meeting, registrant_id: str) -> Registrant:
    registrant = await deps.store.get_registrant(meeting.id, registrant_id)
    if registrant is None:
        raise RegistrantNotFound(registrant=registrant_id)
    return registrant


async def get_registrant(deps: Deps, principal: Principal, raw_id: str, registrant_id: str) -> dict[str, Any]:
    meeting = await _registration_meeting(deps, principal, raw_id)
    registrant = await _registrant(deps, meeting, registrant_id)
    return registrant_to_wire(registrant, join_url=registrant_join_url(deps, meeting, registrant))


async def list_registrants(
    deps: Deps, principal: Principal, raw_id: str, query: ListRegistrantsQuery
) -> dict[str, Any]:
    meeting = await _registration_meeting(deps, principal, raw_id)
    # A page token is good for the meeting it was made for only.
    kind = f"registrants:{meeting.id}"
    if query.next_page_token:
        state = pagination.decode(deps, kind, query.next_page_token)
        status, occurrence_id = RegistrantStatus(state["s"]), state["o"]
        size, number = int(state["n"]), int(state["p"]) + 1
    else:
        status = RegistrantStatus(query.status or RegistrantStatus.APPROVED)
        occurrence_id = query.occurrence_id
        size, number = min(query.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), query.page_number or 1
    occurrence = _occurrence(meeting, occurrence_id)
    registrants, total = await deps.store.list_registrants(
        meeting.id, status, occurrence.occurrence_id if occurrence else None, size, (number - 1) * size
    )
    token = ""
    if number < pagination.page_count(total, size):
        state = {"s": status.value, "o": occurrence_id, "n": size, "p": number}
        token = pagination.encode(deps, kind, state)
    items = [registrant_to_wire(r, join_url=registrant_join_url(deps, meeting, r)) for r in registrants]
    return pagination.envelope("registrants", items, size=size, number=number, total=total, token=token)


async def delete_registrant(
    deps: Deps, principal: Principal, raw_id: str, registrant_id: str, occurrence_id: str | None
) -> None:
    """With ``occurrence_id``, only the registration for that occurrence goes (the registrant with it
    when it was the last one, or when it registered for every occurrence)."""
    meeting = await _registration_meeting(deps, principal, raw_id)
    occurrence = _occurrence(meeting, occurrence_id)
    registrant = await _registrant(deps, meeting, registrant_id)
    remaining: tuple[str, ...] = ()
    if occurrence is not None:
        if not registrant.covers(occurrence.occurrence_id):
            raise RegistrantNotFound(registrant=registrant_id)
        remaining = tuple(oid for oid in registrant.occurrence_ids if oid != occurrence.occurrence_id)
    async with deps.store.write() as tx:
        if remaining:
            registrant.occurrence_ids = remaining
            await tx.update_registrant(registrant)
        else:
            await tx.delete_registrant(meeting.id, registrant.id)


async def _referenced(deps: Deps, meeting: Meeting, ref: RegistrantRef) -> Registrant:
    if ref.id:
        return await _registrant(deps, meeting, ref.id)
    assert ref.email is not None
    registrant = await deps.store.find_registrant_by_email(meeting.id, ref.email)
    if registrant is None:
        raise RegistrantNotFound(registrant=ref.email)
    return registrant


async def update_registrant_status(
    deps: Deps, principal: Principal, raw_id: str, body: RegistrantStatusInput, occurrence_id: str | None
) -> None:
    """All named registrants change, or (one unknown, or an email taken again) none does."""
    meeting = await _registration_meeting(deps, principal, raw_id)
    _occurrence(meeting, occurrence_id)
    action = StatusAction(body.action)
    target = action.target
    named: dict[str, Registrant] = {}
    for ref in body.registrants or ():
        registrant = await _referenced(deps, meeting, ref)
        named.setdefault(registrant.id, registrant)
    changing = [r for r in named.values() if r.status is not target]
    revived = [r for r in changing if not r.status.is_live]
    for registrant in revived:
        await _check_email_free(deps, meeting, registrant.email, other_than=registrant.id)
    if revived:
        await _check_capacity(deps, meeting, len(revived))
    if not changing:
        return
    operator = await events.operator(deps, principal)
    async with events.write(deps) as tx:
        for registrant in changing:
            registrant.status = target
            try:
                await tx.update_registrant(registrant)
            except DuplicateKey:
                raise AlreadyRegistered(email=registrant.email) from None
            name, payload = _status_event(deps, meeting, registrant, action, operator)
            await events.emit(tx, deps, name, meeting.account_id, str(meeting.id), payload)


def _status_event(
    deps: Deps, meeting: Meeting, registrant: Registrant, action: StatusAction, operator: ev.Operator
) -> tuple[str, dict[str, Any]]:
    if action is StatusAction.APPROVE:
        link = personal_link(deps, meeting, registrant)
        return ev.REGISTRATION_APPROVED, ev.registration_approved(
            meeting, registrant, operator, join_url=link
        )
    if action is StatusAction.DENY:
        return ev.REGISTRATION_DENIED, ev.registration_denied(meeting, registrant, operator)
    return ev.REGISTRATION_CANCELLED, ev.registration_cancelled(meeting, registrant, operator)
