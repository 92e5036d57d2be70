"""Entering a meeting: ``/j/{meetingId}/enter`` sends a visitor who is in the meeting (or the host) to
the video provider, or to moot's own room page ``/j/{meetingId}/room`` when the provider answers None;
``/j/{meetingId}/meeting.ics`` is the meeting's calendar file behind the same gate as the join page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.ical import CONTENT_TYPE, filename
from moot.domain.meetings import Meeting
from moot.domain.past_meetings import Participant
from moot.domain.registrants import RegistrantStatus, registration_enabled
from moot.pages.common import Page, deps_of, message, not_valid
from moot.pages.join import link_passes, page_url
from moot.pages.meeting_state import find, present_participants, visitor_standing
from moot.pages.registrant_links import registrant_by_token
from moot.pages.render import redirect, security_headers
from moot.pages.tickets import read_host, read_visitor
from moot.services import invitations
from moot.services.context import Deps, Principal
from moot.video import RoomEntry, VideoUnavailable


async def send_in(
    request: Request, meeting: Meeting, participant: Participant, *, moderator: bool
) -> Response:
    deps = deps_of(request)
    entry = RoomEntry(
        meeting_id=meeting.id,
        topic=meeting.topic,
        display_name=participant.name,
        email=participant.email,
        participant_id=participant.user_id,
        moderator=moderator,
    )
    try:
        url = await request.app.state.video.entry_url(entry, deps.clock.now())
    except VideoUnavailable:
        return message(
            "Video is unavailable",
            "The video service could not be reached. Try again in a moment.",
            503,
            link=(page_url(meeting.id, "/enter"), "Try again"),
        )
    return redirect(url if url is not None else page_url(meeting.id, "/room"))


async def host_participant(deps: Deps, meeting: Meeting) -> Participant | None:
    """The host's record in the meeting's instance in progress."""
    live = await deps.store.get_live_instance(meeting.id)
    if live is None:
        return None
    return next((p for p in await present_participants(deps, live) if p.id == meeting.host_id), None)


async def enter(request: Request) -> Response:
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None:
        return not_valid()
    visitor = read_visitor(deps, request, meeting)
    if visitor is not None:
        standing = await visitor_standing(deps, meeting, visitor)
        if standing.state == "in_meeting" and standing.participant is not None:
            return await send_in(request, meeting, standing.participant, moderator=False)
    return redirect(page_url(meeting.id))


async def room_page(request: Request) -> Response:
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None:
        return not_valid()
    visitor = read_visitor(deps, request, meeting)
    page = Page(request)
    context = {
        "meeting_id": meeting.id,
        "topic": meeting.topic,
        "status_url": page_url(meeting.id, "/status"),
        "back_url": page_url(meeting.id),
        "leave_url": page_url(meeting.id, "/leave"),
        "leave_token": page.token(f"leave:{meeting.id}"),
        "host": False,
    }
    if visitor is not None:
        standing = await visitor_standing(deps, meeting, visitor)
        if standing.state == "in_meeting":
            return page.render("room.html", context)
    if read_host(deps, request, meeting.id) is not None:
        status_url, back_url = f"/s/{meeting.id}/status", f"/s/{meeting.id}"
        return page.render(
            "room.html", {**context, "host": True, "status_url": status_url, "back_url": back_url}
        )
    return redirect(page_url(meeting.id))


async def calendar(request: Request) -> Response:
    """The meeting's .ics, for a visitor past the gate: the cookie, the link's ``pwd`` or a registrant's
    ``tk``. Everyone else gets the page of an unknown meeting."""
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None or not await _may_see(request, deps, meeting):
        return not_valid()
    owner = Principal(account_id=meeting.account_id, client_id="", user_id=meeting.host_id, scopes=())
    _, body = await invitations.get_calendar(deps, owner, str(meeting.id))
    headers = {**security_headers(), "content-disposition": f'attachment; filename="{filename(meeting)}"'}
    return Response(body, media_type=CONTENT_TYPE, headers=headers)


async def _may_see(request: Request, deps: Deps, meeting: Meeting) -> bool:
    if read_visitor(deps, request, meeting) is not None or read_host(deps, request, meeting.id) is not None:
        return True
    token = request.query_params.get("tk", "")
    if token:
        registrant = await registrant_by_token(deps, meeting, token)
        return registrant is not None and registrant.status is not RegistrantStatus.DENIED
    if registration_enabled(meeting):
        return False
    return not meeting.passcodes.password or link_passes(meeting, request.query_params.get("pwd", ""))


ROUTES = [
    Route("/j/{meetingId}/enter", enter, methods=["GET"], name="joinEnter"),
    Route("/j/{meetingId}/room", room_page, methods=["GET"], name="meetingRoom"),
    Route("/j/{meetingId}/meeting.ics", calendar, methods=["GET"], name="joinCalendar"),
]
