"""What a meeting looks like from its join page: when it starts, whether it can be joined now, and
where a visitor stands in it (the states the page and its JSON status show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from moot.domain.meetings import Meeting, MeetingType
from moot.domain.past_meetings import MeetingInstance, Participant, ParticipantStatus, parse_meeting_number
from moot.domain.registrants import RegistrantStatus
from moot.pages.tickets import Visitor
from moot.services.context import Deps

_PAGE = 500


async def find(deps: Deps, raw_id: str) -> Meeting | None:
    """The meeting with this number, deleted or not (None when there is none)."""
    number = parse_meeting_number(raw_id)
    return await deps.store.find_meeting(number) if number is not None else None


async def host_name(deps: Deps, meeting: Meeting) -> str:
    host = await deps.store.get_user(meeting.account_id, meeting.host_id)
    if host is None:
        return meeting.host_email
    full_name = f"{host.first_name} {host.last_name}".strip()
    return host.display_name.strip() or full_name or host.email


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start a visitor should see: the meeting's, or a series' next occurrence not yet over."""
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        upcoming = [o for o in meeting.available_occurrences if o.start + o.duration * 60 > now.timestamp()]
        return datetime.fromtimestamp(min(o.start for o in upcoming), UTC) if upcoming else None
    return meeting.start_time if meeting.type is MeetingType.SCHEDULED else None


def join_opens(meeting: Meeting, now: datetime) -> datetime | None:
    """When join before host lets visitors in (None: any time, or never without join before host)."""
    start = next_start(meeting, now)
    minutes = int(meeting.settings.get("jbh_time") or 0)
    if not meeting.settings.get("join_before_host") or start is None or minutes == 0:
        return None
    return start - timedelta(minutes=minutes)


def may_join_before_host(meeting: Meeting, now: datetime) -> bool:
    if not meeting.settings.get("join_before_host"):
        return False
    opens = join_opens(meeting, now)
    return opens is None or now >= opens


def zone_of(meeting: Meeting) -> ZoneInfo:
    try:
        return ZoneInfo(meeting.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_meeting_zone(meeting: Meeting, at: datetime) -> str:
    zone = zone_of(meeting)
    local = at.astimezone(zone)
    name = zone.key if local.tzname() == zone.key else f"{local.tzname()}, {zone.key}"
    return f"{local:%a %d %b %Y, %H:%M} ({name})"


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def meeting_note(deps: Deps, meeting: Meeting, live: MeetingInstance | None, now: datetime) -> str:
    """started, early (join before host opens later), ended (its last instance ended) or not_started."""
    if live is not None:
        return "started"
    opens = join_opens(meeting, now)
    if opens is not None and now < opens:
        return "early"
    if await deps.store.latest_ended_instance(meeting.account_id, meeting.id) is not None:
        return "ended"
    return "not_started"


@dataclass(frozen=True, slots=True)
class Standing:
    state: str  # see visitor_standing
    meeting: str  # see meeting_note
    live: MeetingInstance | None
    participant: Participant | None


async def visitor_standing(deps: Deps, meeting: Meeting, visitor: Visitor) -> Standing:
    """Where the visitor stands: deleted, denied, pending (registrants), in_meeting, waiting_room,
    join_now (asked to join and now can), waiting_host (asked to join, cannot yet), left, ended (the
    instance they were in ended) or ready (has not asked to join)."""
    now = deps.clock.now()
    if meeting.deleted_at is not None:
        return Standing("deleted", "deleted", None, None)
    live = await deps.store.get_live_instance(meeting.id)
    note = await meeting_note(deps, meeting, live, now)
    if visitor.registrant_id:
        registrant = await deps.store.get_registrant(meeting.id, visitor.registrant_id)
        if registrant is None or registrant.status is RegistrantStatus.DENIED:
            return Standing("denied", note, live, None)
        if registrant.status is RegistrantStatus.PENDING:
            return Standing("pending", note, live, None)
    if visitor.participant:
        if live is None or live.uuid != visitor.instance:
            return Standing("ended", note, live, None)
        present = await deps.store.get_present_participant(live.uuid, visitor.participant)
        if present is None:
            return Standing("left", note, live, None)
        in_meeting = present.status is ParticipantStatus.IN_MEETING
        return Standing("in_meeting" if in_meeting else "waiting_room", note, live, present)
    if visitor.wants_in:
        joinable = live is not None or may_join_before_host(meeting, now)
        return Standing("join_now" if joinable else "waiting_host", note, live, None)
    return Standing("left" if visitor.left else "ready", note, live, None)


async def present_participants(deps: Deps, live: MeetingInstance) -> list[Participant]:
    """Everyone in the instance now (waiting room included), in the order they came."""
    present: list[Participant] = []
    after = 0
    while True:
        records = await deps.store.list_participants(live.uuid, _PAGE, after)
        present += [p for p in records if p.leave_time is None]
        if len(records) < _PAGE:
            return present
        after = records[-1].row_id


def people(meeting: Meeting, participants: list[Participant], you: str) -> list[dict[str, object]]:
    """The room's participant list as the status JSON gives it."""
    return [
        {"name": p.name, "host": p.id == meeting.host_id, "you": p.user_id == you}
        for p in participants
        if p.status is ParticipantStatus.IN_MEETING
    ]
