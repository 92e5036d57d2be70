"""``/j/{meetingId}`` (and a registrant's ``/w/{meetingId}?tk=``): the join page.

A visitor passes the meeting's gate (the ``pwd`` of the join link, the passcode form, or a registrant's
``tk``), which this browser then remembers in a signed cookie; only then does the page show the meeting.
Joining goes through ``services.lifecycle``; the page follows the visitor's state through a small JSON
status endpoint, and sends an admitted visitor on through ``/j/{meetingId}/enter``.
"""

from __future__ import annotations

import hmac
from contextlib import suppress
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.errors import MeetingNotStarted, ParticipantNotFound
from moot.domain.meetings import Meeting
from moot.domain.registrants import Registrant, registration_enabled
from moot.pages import csrf
from moot.pages.common import NOT_VALID, Page, deps_of, forged, form_of, json_status, message, not_valid
from moot.pages.meeting_state import (
    Standing,
    find,
    host_name,
    in_meeting_zone,
    join_opens,
    may_join_before_host,
    next_start,
    people,
    present_participants,
    utc_text,
    visitor_standing,
)
from moot.pages.registrant_links import registrant_by_token
from moot.pages.render import redirect
from moot.pages.throttle import attempts, client_address
from moot.pages.tickets import Visitor, keep_visitor, new_visitor, read_visitor
from moot.services import lifecycle
from moot.services.context import Deps
from moot.services.registration_links import registration_url

NAME_LIMIT = 64
EMAIL_LIMIT = 128


def page_url(meeting_id: int, tail: str = "") -> str:
    return f"/j/{meeting_id}{tail}"


def link_passes(meeting: Meeting, pwd: str) -> bool:
    """The ``pwd`` of a join link: the meeting's encrypted passcode (never the passcode itself, which
    is short enough to guess and so only goes through the throttled form)."""
    encrypted = meeting.passcodes.encrypted_password
    return bool(encrypted) and hmac.compare_digest(pwd.encode(), encrypted.encode())


async def _registrant_visitor(deps: Deps, meeting: Meeting, token: str) -> Visitor | None:
    registrant = await registrant_by_token(deps, meeting, token)
    if registrant is None:
        return None
    return new_visitor(
        deps,
        meeting,
        registrant_id=registrant.id,
        registrant_token=token,
        name=_registrant_name(registrant),
        email=registrant.email,
    )


def _registrant_name(registrant: Registrant) -> str:
    return f"{registrant.first_name} {registrant.profile.get('last_name', '')}".strip()[:NAME_LIMIT]


async def join_page(request: Request) -> Response:
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None:
        return not_valid()
    token, pwd = request.query_params.get("tk", ""), request.query_params.get("pwd", "")
    visitor = read_visitor(deps, request, meeting)
    entering = await _registrant_visitor(deps, meeting, token) if token else None
    if entering is not None and visitor is not None and visitor.registrant_id == entering.registrant_id:
        entering = None  # the same registrant again: keep where they are
    elif entering is None and visitor is None and _open_to(meeting, pwd):
        entering = new_visitor(deps, meeting)
    if token or pwd:  # remembered in the cookie: the link's secrets leave the address bar
        response = redirect(page_url(meeting.id))
        if entering is not None:
            keep_visitor(response, deps, entering)
        return response
    visitor = entering or visitor
    if visitor is None:
        return passcode_form(request, meeting)
    page = await meeting_page(request, meeting, visitor)
    if entering is not None:
        keep_visitor(page, deps, entering)
    return page


def _open_to(meeting: Meeting, pwd: str) -> bool:
    return not meeting.passcodes.password or link_passes(meeting, pwd)


def passcode_form(request: Request, meeting: Meeting, *, error: str = "", status: int = 200) -> Response:
    page = Page(request)
    context = {
        "meeting_id": meeting.id,
        "action": page_url(meeting.id),
        "csrf_token": page.token(f"passcode:{meeting.id}"),
        "error": error,
    }
    return page.render("passcode.html", context, status)


async def passcode_submit(request: Request) -> Response:
    deps = deps_of(request)
    form = await form_of(request)
    if not csrf.valid(
        deps, request, form.get("csrf_token", ""), f"passcode:{request.path_params['meetingId']}"
    ):
        return forged()
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None:
        return not_valid()
    if not await attempts(request).allow("passcode", meeting.id, client_address(request)):
        return message(
            "Too many attempts",
            "Too many passcode attempts for this meeting. Wait 10 minutes, then try again.",
            429,
            link=(page_url(meeting.id), "Back"),
        )
    typed = form.get("passcode", "").strip()
    if not meeting.passcodes.password or not hmac.compare_digest(
        typed.encode(), meeting.passcodes.password.encode()
    ):
        return passcode_form(request, meeting, error="Incorrect meeting passcode.", status=401)
    response = redirect(page_url(meeting.id))
    keep_visitor(response, deps, new_visitor(deps, meeting))
    return response


def _calendar_link(meeting: Meeting, visitor: Visitor) -> str:
    if visitor.registrant_token:
        return page_url(meeting.id, f"/meeting.ics?tk={visitor.registrant_token}")
    encrypted = meeting.passcodes.encrypted_password
    return page_url(meeting.id, f"/meeting.ics?pwd={encrypted}" if encrypted else "/meeting.ics")


async def meeting_page(request: Request, meeting: Meeting, visitor: Visitor) -> Response:
    deps = deps_of(request)
    if registration_enabled(meeting) and not visitor.registrant_id:
        return message(
            "Registration required",
            "This meeting requires registration. Register, then join through the link you are given.",
            200,
            link=(registration_url(deps, meeting) or "", "Register"),
        )
    standing = await visitor_standing(deps, meeting, visitor)
    now = deps.clock.now()
    start, opens = next_start(meeting, now), join_opens(meeting, now)
    page = Page(request)
    context: dict[str, Any] = {
        "meeting_id": meeting.id,
        "topic": meeting.topic,
        "agenda": meeting.agenda,
        "host": await host_name(deps, meeting),
        "start_utc": utc_text(start) if start else "",
        "start_zone": in_meeting_zone(meeting, start) if start else "",
        "opens_utc": utc_text(opens) if opens else "",
        "opens_zone": in_meeting_zone(meeting, opens) if opens else "",
        "calendar_url": _calendar_link(meeting, visitor),
        "state": standing.state,
        "note": standing.meeting,
        "name": visitor.name,
        "email": visitor.email,
        "registrant": bool(visitor.registrant_id),
        "urls": {
            "status": page_url(meeting.id, "/status"),
            "join": page_url(meeting.id, "/join"),
            "leave": page_url(meeting.id, "/leave"),
            "enter": page_url(meeting.id, "/enter"),
        },
        "join_token": page.token(f"join:{meeting.id}"),
        "leave_token": page.token(f"leave:{meeting.id}"),
    }
    return page.render("join.html", context)


async def _gated(request: Request) -> tuple[Meeting | None, Visitor | None]:
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None:
        return None, None
    return meeting, read_visitor(deps, request, meeting)


def _clean(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


async def join_submit(request: Request) -> Response:
    deps = deps_of(request)
    form = await form_of(request)
    if not csrf.valid(deps, request, form.get("csrf_token", ""), f"join:{request.path_params['meetingId']}"):
        return forged()
    meeting, visitor = await _gated(request)
    if meeting is None or meeting.deleted_at is not None:
        return not_valid()
    if visitor is None:
        return redirect(page_url(meeting.id))
    if not visitor.registrant_id:
        name, email = _clean(form.get("name", ""), NAME_LIMIT), _clean(form.get("email", ""), EMAIL_LIMIT)
        if not name or (email and "@" not in email):
            return redirect(page_url(meeting.id))
        visitor = replace(visitor, name=name, email=email)
    standing = await visitor_standing(deps, meeting, visitor)
    if standing.state in ("in_meeting", "waiting_room", "pending", "denied", "deleted"):
        return _back(deps, meeting, visitor)
    visitor = visitor.out()
    if standing.live is None and not may_join_before_host(meeting, deps.clock.now()):
        return _back(deps, meeting, replace(visitor, wants_in=True))
    try:
        joined = await lifecycle.join(deps, meeting, name=visitor.name, email=visitor.email)
    except MeetingNotStarted:
        return _back(deps, meeting, replace(visitor, wants_in=True))
    return _back(deps, meeting, visitor.joined(joined.instance_uuid, joined.user_id))


def _back(deps: Deps, meeting: Meeting, visitor: Visitor) -> Response:
    response = redirect(page_url(meeting.id))
    keep_visitor(response, deps, visitor)
    return response


async def status(request: Request) -> Response:
    """The visitor's state as JSON (``state``, ``meeting``; ``participants`` once in the meeting)."""
    deps = deps_of(request)
    meeting, visitor = await _gated(request)
    if meeting is None:
        return json_status({"state": "invalid", "message": NOT_VALID}, 404)
    if visitor is None:
        return json_status({"state": "locked"}, 401)
    standing = await visitor_standing(deps, meeting, visitor)
    return json_status(await status_body(deps, meeting, standing))


async def status_body(deps: Deps, meeting: Meeting, standing: Standing) -> dict[str, Any]:
    body: dict[str, Any] = {"state": standing.state, "meeting": standing.meeting}
    if standing.state == "in_meeting" and standing.live is not None and standing.participant is not None:
        present = await present_participants(deps, standing.live)
        body["participants"] = people(meeting, present, standing.participant.user_id)
    return body


async def leave_submit(request: Request) -> Response:
    deps = deps_of(request)
    form = await form_of(request)
    if not csrf.valid(deps, request, form.get("csrf_token", ""), f"leave:{request.path_params['meetingId']}"):
        return forged()
    meeting, visitor = await _gated(request)
    if meeting is None:
        return not_valid()
    if visitor is None:
        return redirect(page_url(meeting.id))
    standing = await visitor_standing(deps, meeting, visitor)
    if standing.participant is not None and meeting.deleted_at is None:
        with suppress(ParticipantNotFound):
            await lifecycle.leave(deps, meeting, standing.participant.user_id)
    return _back(deps, meeting, visitor.out(left=True))


ROUTES = [
    Route("/j/{meetingId}", join_page, methods=["GET"], name="joinMeeting"),
    Route("/w/{meetingId}", join_page, methods=["GET"], name="joinMeetingRegistrant"),
    Route("/j/{meetingId}", passcode_submit, methods=["POST"], name="joinPasscode"),
    Route("/j/{meetingId}/join", join_submit, methods=["POST"], name="joinSubmit"),
    Route("/j/{meetingId}/status", status, methods=["GET"], name="joinStatus"),
    Route("/j/{meetingId}/leave", leave_submit, methods=["POST"], name="joinLeave"),
]
