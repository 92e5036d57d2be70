"""meetingInvitation, and the meeting's calendar file (moot's own)."""

from __future__ import annotations

from typing import Any

from moot.domain.ical import meeting_calendar
from moot.domain.invitation import invitation_text
from moot.domain.meetings import Meeting
from moot.services.context import Deps, Principal
from moot.services.meetings import join_url, load_meeting


async def _host_name(deps: Deps, meeting: Meeting) -> str:
    """The host as Zoom names them in an invitation: display name, else first and last name, else email."""
    host = await deps.store.get_user(meeting.account_id, meeting.host_id)
    if host is None:
        return meeting.host_email
    full_name = f"{host.first_name} {host.last_name}".strip()
    return host.display_name.strip() or full_name or host.email


async def _invitation(deps: Deps, meeting: Meeting) -> str:
    return invitation_text(
        meeting, host_name=await _host_name(deps, meeting), join_url=join_url(deps, meeting)
    )


async def get_invitation(deps: Deps, principal: Principal, raw_id: str) -> dict[str, Any]:
    meeting = await load_meeting(deps, principal, raw_id)
    return {"invitation": await _invitation(deps, meeting), "sip_links": []}


async def get_calendar(deps: Deps, principal: Principal, raw_id: str) -> tuple[Meeting, bytes]:
    """The meeting and its .ics (its description is the invitation)."""
    meeting = await load_meeting(deps, principal, raw_id)
    calendar = meeting_calendar(
        meeting,
        description=await _invitation(deps, meeting),
        join_url=join_url(deps, meeting),
        now=deps.clock.now(),
    )
    return meeting, calendar.to_ical()
