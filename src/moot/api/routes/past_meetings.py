"""``/v2/past_meetings/{meetingId}``, ``.../instances`` and ``.../participants``.

``{meetingId}`` is read from the raw path, where the ``/`` of a UUID sent encoded (``%2F``) is still
encoded: the server decodes paths before routing, which would split such a UUID. A UUID sent
double-encoded, as Zoom asks for one that starts with ``/`` or holds ``//``, is decoded once more by the
service. Slashed UUIDs, which no ``{meetingId}`` route matches once decoded, reach the catch-all route.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.auth import authenticate
from moot.api.responses import json_response
from moot.domain.past_meetings import PastParticipantsQuery
from moot.domain.validation import parse
from moot.services import past_meetings

_INSTANCES = "/instances"
_PARTICIPANTS = "/participants"


def meeting_ref(request: Request, suffix: str = "") -> str:
    """The ``{meetingId}`` as sent (percent-decoded once), whatever ``/`` it holds."""
    raw: bytes | None = request.scope.get("raw_path")
    if not raw:
        sent: str = request.path_params.get("meetingId") or request.path_params["rest"]
        return sent.removesuffix(suffix)
    path = raw.decode("latin-1").split("?", 1)[0].rstrip("/")
    return unquote(path.partition("/past_meetings/")[2].removesuffix(suffix))


async def past_meeting_get(request: Request) -> Response:
    deps, principal = await authenticate(request, "pastMeetingDetails")
    return json_response(await past_meetings.get_past_meeting(deps, principal, meeting_ref(request)))


async def past_meeting_instances(request: Request) -> Response:
    deps, principal = await authenticate(request, "pastMeetings")
    ref = meeting_ref(request, _INSTANCES)
    return json_response(await past_meetings.list_instances(deps, principal, ref))


async def past_meeting_participants(request: Request) -> Response:
    deps, principal = await authenticate(request, "pastMeetingParticipants")
    query = parse(PastParticipantsQuery, dict(request.query_params))
    ref = meeting_ref(request, _PARTICIPANTS)
    return json_response(await past_meetings.list_participants(deps, principal, ref, query))


async def past_meeting_slashed(request: Request) -> Response:
    """Any of the three, for a UUID whose ``/`` the server decoded (sent as ``%2F``, or not encoded)."""
    rest: str = request.path_params["rest"]
    if rest.endswith(_PARTICIPANTS):
        return await past_meeting_participants(request)
    if rest.endswith(_INSTANCES):
        return await past_meeting_instances(request)
    return await past_meeting_get(request)


_PAST = "/v2/past_meetings/{meetingId}"

ROUTES = [
    Route(_PAST, past_meeting_get, methods=["GET"], name="pastMeetingDetails"),
    Route(f"{_PAST}{_INSTANCES}", past_meeting_instances, methods=["GET"], name="pastMeetings"),
    Route(
        f"{_PAST}{_PARTICIPANTS}", past_meeting_participants, methods=["GET"], name="pastMeetingParticipants"
    ),
    Route("/v2/past_meetings/{rest:path}", past_meeting_slashed, methods=["GET"], name="pastMeetingDetails"),
]
