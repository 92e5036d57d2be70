"""``/meeting/register/{token}``: a meeting's public registration form (its ``registration_url``).

Registering creates a registrant through the registrant service, as ``POST .../registrants`` does
(same checks, same ``meeting.registration_created`` event); the answer says whether the registration
is approved and, when it is, gives the personal join link.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.errors import FieldError, ValidationFailed, ZoomError
from moot.domain.meetings import Meeting
from moot.domain.recurrence import Occurrence
from moot.domain.registrant_requests import RegistrantInput
from moot.domain.registrants import picks_occurrences, registration_enabled
from moot.domain.validation import parse
from moot.pages import csrf
from moot.pages.common import Page, deps_of, forged, form_pairs, message
from moot.pages.meeting_state import host_name, in_meeting_zone, next_start, utc_text
from moot.pages.throttle import attempts, client_address
from moot.services import registrants
from moot.services.context import Deps, Principal
from moot.services.registration_links import registration_meeting_number

NOT_VALID = "This registration link is not valid."


async def _meeting(deps: Deps, token: str) -> Meeting | None:
    number = registration_meeting_number(deps, token)
    meeting = await deps.store.find_meeting(number) if number is not None else None
    if meeting is None or meeting.deleted_at is not None or not registration_enabled(meeting):
        return None
    return meeting


def _choices(meeting: Meeting, now: float, chosen: list[str]) -> list[dict[str, Any]]:
    """The occurrences a registrant of a series picks from (registration_type 2 and 3): those not yet
    over, each with its time in the meeting's zone."""
    if not picks_occurrences(meeting):
        return []
    upcoming: list[Occurrence] = [o for o in meeting.available_occurrences if o.start + o.duration * 60 > now]
    return [
        {
            "id": o.occurrence_id,
            "utc": utc_text(o.start_time),
            "text": in_meeting_zone(meeting, o.start_time),
            "checked": o.occurrence_id in chosen,
        }
        for o in upcoming
    ]


async def _form(
    request: Request,
    meeting: Meeting,
    fields: dict[str, str],
    *,
    chosen: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    deps = deps_of(request)
    page = Page(request)
    start = next_start(meeting, deps.clock.now())
    context: dict[str, Any] = {
        "topic": meeting.topic,
        "host": await host_name(deps, meeting),
        "start_utc": utc_text(start) if start else "",
        "start_zone": in_meeting_zone(meeting, start) if start else "",
        "action": request.url.path,
        "csrf_token": page.token(f"register:{request.path_params['token']}"),
        "fields": {key: fields.get(key, "") for key in ("first_name", "last_name", "email")},
        "occurrences": _choices(meeting, deps.clock.timestamp(), chosen or []),
        "error": error,
    }
    return page.render("register.html", context, status)


async def register_page(request: Request) -> Response:
    meeting = await _meeting(deps_of(request), request.path_params["token"])
    if meeting is None:
        return message("Registration", NOT_VALID, 404)
    return await _form(request, meeting, {})


def _problem(error: ZoomError) -> str:
    if isinstance(error, ValidationFailed) and error.errors:
        return "; ".join(f"{_label(e)}: {e.message}" for e in error.errors)
    return error.message


_LABELS = {"occurrence_ids": "Occurrences"}


def _label(error: FieldError) -> str:
    return _LABELS.get(error.field) or error.field.replace("_", " ").capitalize()


async def register_submit(request: Request) -> Response:
    deps = deps_of(request)
    pairs = await form_pairs(request)
    form = dict(pairs)
    chosen = [value for key, value in pairs if key == "occurrence_ids" and value][:100]
    if not csrf.valid(deps, request, form.get("csrf_token", ""), f"register:{request.path_params['token']}"):
        return forged()
    meeting = await _meeting(deps, request.path_params["token"])
    if meeting is None:
        return message("Registration", NOT_VALID, 404)
    if not await attempts(request).allow("register", meeting.id, client_address(request)):
        return message("Registration", "Too many registrations from here. Wait 10 minutes.", 429)
    fields = {key: form.get(key, "").strip() for key in ("first_name", "last_name", "email")}
    host = Principal(account_id=meeting.account_id, client_id="", user_id=meeting.host_id, scopes=())
    try:
        body = parse(RegistrantInput, {key: value for key, value in fields.items() if value})
        created = await registrants.create_registrant(deps, host, str(meeting.id), body, chosen)
    except ZoomError as error:
        return await _form(request, meeting, fields, chosen=chosen, error=_problem(error), status=400)
    join_url = created.get("join_url")
    if join_url is None:
        return message(
            "Registration received",
            "Your registration is pending: the host approves each registration. "
            "Your personal join link comes once they do.",
            200,
        )
    return message(
        "You are registered",
        "Your registration is approved. Keep your personal join link: it lets you in.",
        200,
        link=(str(join_url), "Join the meeting"),
    )


ROUTES = [
    Route("/meeting/register/{token}", register_page, methods=["GET"], name="registrationForm"),
    Route("/meeting/register/{token}", register_submit, methods=["POST"], name="registrationSubmit"),
]
