"""``/s/{meetingId}?zak=...``: the host's start page.

Opening it with a valid ZAK starts the meeting and leaves a signed host-session cookie, so the page
(and its JSON status, Admit and End buttons) works without the ZAK afterwards. Without a valid ZAK or
session the page is a sign-in form: the host's email and password get a fresh ZAK.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.errors import InvalidZak, MeetingNotFound, ParticipantNotFound, ParticipantNotWaiting
from moot.domain.meetings import Meeting
from moot.domain.past_meetings import ParticipantStatus
from moot.pages import csrf
from moot.pages.common import NOT_VALID, Page, deps_of, forged, form_of, json_status, message
from moot.pages.host_signin import host_signs_in
from moot.pages.meeting_state import find, in_meeting_zone, next_start, present_participants, utc_text
from moot.pages.render import redirect
from moot.pages.room import host_participant, send_in
from moot.pages.throttle import attempts, client_address
from moot.pages.tickets import keep_host, read_host
from moot.services import lifecycle
from moot.services.context import Deps
from moot.services.meetings import join_url
from moot.services.tokens import issue_zak

TITLE = "Cannot start this meeting"


def host_url(meeting_id: int | str, tail: str = "") -> str:
    return f"/s/{meeting_id}{tail}"


def sign_in_form(request: Request, raw_id: str, text: str, *, error: str = "", status: int = 401) -> Response:
    page = Page(request)
    context = {
        "title": TITLE,
        "text": text,
        "error": error,
        "action": host_url(raw_id, "/signin"),
        "csrf_token": page.token(f"signin:{raw_id}"),
    }
    return page.render("host_signin.html", context, status)


async def _session_meeting(request: Request) -> Meeting | None:
    """The meeting, when this browser holds its host's session."""
    deps = deps_of(request)
    meeting = await find(deps, request.path_params["meetingId"])
    if meeting is None or meeting.deleted_at is not None:
        return None
    session = read_host(deps, request, meeting.id)
    if session is None or session.user_id != meeting.host_id or session.account_id != meeting.account_id:
        return None
    return meeting


async def start_page(request: Request) -> Response:
    deps = deps_of(request)
    raw_id = request.path_params["meetingId"]
    if "zak" not in request.query_params:
        meeting = await _session_meeting(request)
        if meeting is None:
            return sign_in_form(request, raw_id, "Sign in to start this meeting.")
        return await host_page(request, meeting)
    try:
        meeting = await lifecycle.start_from_link(deps, raw_id, request.query_params["zak"])
    except InvalidZak as exc:
        return sign_in_form(request, raw_id, exc.message)
    except MeetingNotFound:
        return message(TITLE, NOT_VALID, 404)
    response = await host_page(request, meeting)
    keep_host(response, deps, meeting)
    return response


async def host_page(request: Request, meeting: Meeting) -> Response:
    deps = deps_of(request)
    start = next_start(meeting, deps.clock.now())
    live = await deps.store.get_live_instance(meeting.id)
    page = Page(request)
    context: dict[str, Any] = {
        "meeting_id": meeting.id,
        "topic": meeting.topic,
        "start_utc": utc_text(start) if start else "",
        "start_zone": in_meeting_zone(meeting, start) if start else "",
        "join_url": join_url(deps, meeting),
        "state": "started" if live is not None else "not_started",
        "csrf_token": page.token(f"host:{meeting.id}"),
        "urls": {
            "status": host_url(meeting.id, "/status"),
            "admit": host_url(meeting.id, "/admit"),
            "end": host_url(meeting.id, "/end"),
            "start": host_url(meeting.id, "/start"),
            "enter": host_url(meeting.id, "/enter"),
        },
    }
    return page.render("host.html", context)


async def host_status(request: Request) -> Response:
    """The host's view as JSON: ``state`` (started, not_started), ``waiting`` (id and name of each
    visitor in the waiting room) and ``participants`` (name, host)."""
    deps = deps_of(request)
    meeting = await _session_meeting(request)
    if meeting is None:
        return json_status({"state": "signed_out"}, 401)
    live = await deps.store.get_live_instance(meeting.id)
    if live is None:
        return json_status({"state": "not_started", "waiting": [], "participants": []})
    present = await present_participants(deps, live)
    waiting = [
        {"id": p.user_id, "name": p.name} for p in present if p.status is ParticipantStatus.IN_WAITING_ROOM
    ]
    participants = [
        {"name": p.name, "host": p.id == meeting.host_id}
        for p in present
        if p.status is ParticipantStatus.IN_MEETING
    ]
    return json_status({"state": "started", "waiting": waiting, "participants": participants})


async def _host_form(request: Request) -> tuple[Meeting | None, dict[str, str], Response | None]:
    """The meeting and the form of a host's POST, or the answer refusing it."""
    deps = deps_of(request)
    form = await form_of(request)
    raw_id = request.path_params["meetingId"]
    if not csrf.valid(deps, request, form.get("csrf_token", ""), f"host:{raw_id}"):
        return None, form, forged()
    meeting = await _session_meeting(request)
    if meeting is None:
        return None, form, redirect(host_url(raw_id))
    return meeting, form, None


async def admit_submit(request: Request) -> Response:
    meeting, form, refused = await _host_form(request)
    if meeting is None:
        return refused or redirect("/")
    with suppress(ParticipantNotFound, ParticipantNotWaiting):  # gone, or admitted in another tab
        await lifecycle.admit(deps_of(request), meeting, form.get("participant", ""))
    return redirect(host_url(meeting.id))


async def end_submit(request: Request) -> Response:
    meeting, _, refused = await _host_form(request)
    if meeting is None:
        return refused or redirect("/")
    await lifecycle.end_meeting(deps_of(request), meeting)
    return redirect(host_url(meeting.id))


async def start_submit(request: Request) -> Response:
    meeting, _, refused = await _host_form(request)
    if meeting is None:
        return refused or redirect("/")
    await lifecycle.start_meeting(deps_of(request), meeting)
    return redirect(host_url(meeting.id))


async def host_enter(request: Request) -> Response:
    meeting = await _session_meeting(request)
    if meeting is None:
        return redirect(host_url(request.path_params["meetingId"]))
    participant = await host_participant(deps_of(request), meeting)
    if participant is None:
        return redirect(host_url(meeting.id))
    return await send_in(request, meeting, participant, moderator=True)


async def sign_in_submit(request: Request) -> Response:
    deps = deps_of(request)
    raw_id = request.path_params["meetingId"]
    form = await form_of(request)
    if not csrf.valid(deps, request, form.get("csrf_token", ""), f"signin:{raw_id}"):
        return forged()
    meeting = await find(deps, raw_id)
    if meeting is not None and meeting.deleted_at is not None:
        meeting = None
    if not await attempts(request).allow("signin", meeting.id if meeting else 0, client_address(request)):
        return message(TITLE, "Too many sign-in attempts. Wait 10 minutes, then try again.", 429)
    email = form.get("email", "")
    if meeting is None or not await host_signs_in(deps, meeting, email, form.get("password", "")):
        return sign_in_form(
            request, raw_id, "Sign in to start this meeting.", error="Incorrect email or password."
        )
    return redirect(host_url(meeting.id, f"?zak={fresh_zak(deps, meeting)}"))


def fresh_zak(deps: Deps, meeting: Meeting) -> str:
    return issue_zak(deps, user_id=meeting.host_id, account_id=meeting.account_id, meeting_id=meeting.id)


ROUTES = [
    Route("/s/{meetingId}", start_page, methods=["GET"], name="startMeeting"),
    Route("/s/{meetingId}/signin", sign_in_submit, methods=["POST"], name="startSignIn"),
    Route("/s/{meetingId}/status", host_status, methods=["GET"], name="startStatus"),
    Route("/s/{meetingId}/admit", admit_submit, methods=["POST"], name="startAdmit"),
    Route("/s/{meetingId}/end", end_submit, methods=["POST"], name="startEnd"),
    Route("/s/{meetingId}/start", start_submit, methods=["POST"], name="startAgain"),
    Route("/s/{meetingId}/enter", host_enter, methods=["GET"], name="startEnter"),
]
