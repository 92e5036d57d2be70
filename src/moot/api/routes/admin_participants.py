"""``/moot/api/meetings/{meetingId}/participants``: participants simulated until the join pages exist.

``POST`` joins one (``{"name", "email"}``), ``POST .../{participantId}/admit`` admits one from the waiting
room, ``DELETE .../{participantId}`` makes one leave. ``participantId`` is the ``user_id`` answered.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.admin import admin
from moot.api.responses import json_body, json_response, no_content
from moot.domain.past_meetings import ParticipantInput, live_participant_to_wire
from moot.domain.validation import parse
from moot.services import lifecycle


async def participant_join(request: Request) -> Response:
    deps = admin(request)
    meeting = await lifecycle.meeting_by_number(deps, request.path_params["meetingId"])
    body = parse(ParticipantInput, await json_body(request))
    joined = await lifecycle.join(deps, meeting, name=body.name, email=body.email or "")
    return json_response(live_participant_to_wire(joined, meeting.id), 201)


async def participant_admit(request: Request) -> Response:
    deps = admin(request)
    meeting = await lifecycle.meeting_by_number(deps, request.path_params["meetingId"])
    admitted = await lifecycle.admit(deps, meeting, request.path_params["participantId"])
    return json_response(live_participant_to_wire(admitted, meeting.id))


async def participant_leave(request: Request) -> Response:
    deps = admin(request)
    meeting = await lifecycle.meeting_by_number(deps, request.path_params["meetingId"])
    await lifecycle.leave(deps, meeting, request.path_params["participantId"])
    return no_content()


_PARTICIPANTS = "/moot/api/meetings/{meetingId}/participants"

ROUTES = [
    Route(_PARTICIPANTS, participant_join, methods=["POST"]),
    Route(f"{_PARTICIPANTS}/{{participantId}}/admit", participant_admit, methods=["POST"]),
    Route(f"{_PARTICIPANTS}/{{participantId}}", participant_leave, methods=["DELETE"]),
]
