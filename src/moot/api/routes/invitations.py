"""``/v2/meetings/{meetingId}/invitation`` and moot's own ``/v2/meetings/{meetingId}/ics``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.auth import authenticate
from moot.api.responses import json_response
from moot.domain.ical import CONTENT_TYPE, filename
from moot.services import invitations


async def meeting_invitation(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingInvitation")
    return json_response(await invitations.get_invitation(deps, principal, request.path_params["meetingId"]))


async def meeting_ics(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingIcs")
    meeting, body = await invitations.get_calendar(deps, principal, request.path_params["meetingId"])
    disposition = f'attachment; filename="{filename(meeting)}"'
    return Response(body, media_type=CONTENT_TYPE, headers={"Content-Disposition": disposition})


ROUTES = [
    Route(
        "/v2/meetings/{meetingId}/invitation", meeting_invitation, methods=["GET"], name="meetingInvitation"
    ),
    Route("/v2/meetings/{meetingId}/ics", meeting_ics, methods=["GET"], name="meetingIcs"),
]
