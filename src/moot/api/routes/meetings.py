"""``/v2/users/{userId}/meetings`` and ``/v2/meetings/{meetingId}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.auth import authenticate
from moot.api.responses import json_body, json_response, no_content
from moot.domain.meeting_requests import ListMeetingsQuery, MeetingGetQuery, MeetingInput, MeetingStatusInput
from moot.domain.validation import parse
from moot.services import meetings


async def meeting_create(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingCreate")
    body = parse(MeetingInput, await json_body(request))
    return json_response(
        await meetings.create_meeting(deps, principal, request.path_params["userId"], body), 201
    )


async def meetings_list(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetings")
    query = parse(ListMeetingsQuery, dict(request.query_params))
    return json_response(await meetings.list_meetings(deps, principal, request.path_params["userId"], query))


_NO_GET_QUERY = MeetingGetQuery()  # what an empty query string parses to (most reads send none)


async def meeting_get(request: Request) -> Response:
    deps, principal = await authenticate(request, "meeting")
    has_query = bool(request.scope["query_string"])
    query = parse(MeetingGetQuery, dict(request.query_params)) if has_query else _NO_GET_QUERY
    meeting_id = request.path_params["meetingId"]
    body = await meetings.get_meeting(
        deps, principal, meeting_id, query.occurrence_id, show_previous=bool(query.show_previous_occurrences)
    )
    return json_response(body)


async def meeting_update(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingUpdate")
    body = parse(MeetingInput, await json_body(request))
    occurrence = request.query_params.get("occurrence_id")
    await meetings.update_meeting(deps, principal, request.path_params["meetingId"], body, occurrence)
    return no_content()


async def meeting_delete(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingDelete")
    occurrence = request.query_params.get("occurrence_id")
    await meetings.delete_meeting(deps, principal, request.path_params["meetingId"], occurrence)
    return no_content()


async def meeting_status(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingStatus")
    body = parse(MeetingStatusInput, await json_body(request))
    await meetings.update_meeting_status(deps, principal, request.path_params["meetingId"], body.action)
    return no_content()


ROUTES = [
    Route("/v2/users/{userId}/meetings", meeting_create, methods=["POST"], name="meetingCreate"),
    Route("/v2/users/{userId}/meetings", meetings_list, methods=["GET"], name="meetings"),
    Route("/v2/meetings/{meetingId}", meeting_get, methods=["GET"], name="meeting"),
    Route("/v2/meetings/{meetingId}", meeting_update, methods=["PATCH"], name="meetingUpdate"),
    Route("/v2/meetings/{meetingId}", meeting_delete, methods=["DELETE"], name="meetingDelete"),
    Route("/v2/meetings/{meetingId}/status", meeting_status, methods=["PUT"], name="meetingStatus"),
]
