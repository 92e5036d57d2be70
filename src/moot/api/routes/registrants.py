"""``/v2/meetings/{meetingId}/registrants``, ``.../registrants/{registrantId}`` and
``.../registrants/status``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.auth import authenticate
from moot.api.responses import json_body, json_response, no_content
from moot.domain.registrant_requests import (
    ListRegistrantsQuery,
    OccurrenceQuery,
    RegistrantCreateQuery,
    RegistrantInput,
    RegistrantStatusInput,
)
from moot.domain.validation import parse
from moot.services import registrants


async def registrant_create(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingRegistrantCreate")
    query = parse(RegistrantCreateQuery, dict(request.query_params))
    body = parse(RegistrantInput, await json_body(request))
    meeting_id = request.path_params["meetingId"]
    created = await registrants.create_registrant(deps, principal, meeting_id, body, query.ids())
    return json_response(created, 201)


async def registrants_list(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingRegistrants")
    query = parse(ListRegistrantsQuery, dict(request.query_params))
    return json_response(
        await registrants.list_registrants(deps, principal, request.path_params["meetingId"], query)
    )


async def registrant_get(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingRegistrantGet")
    meeting_id, registrant_id = request.path_params["meetingId"], request.path_params["registrantId"]
    return json_response(await registrants.get_registrant(deps, principal, meeting_id, registrant_id))


async def registrant_delete(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingregistrantdelete")
    query = parse(OccurrenceQuery, dict(request.query_params))
    meeting_id, registrant_id = request.path_params["meetingId"], request.path_params["registrantId"]
    await registrants.delete_registrant(deps, principal, meeting_id, registrant_id, query.occurrence_id)
    return no_content()


async def registrant_status(request: Request) -> Response:
    deps, principal = await authenticate(request, "meetingRegistrantStatus")
    query = parse(OccurrenceQuery, dict(request.query_params))
    body = parse(RegistrantStatusInput, await json_body(request))
    meeting_id = request.path_params["meetingId"]
    await registrants.update_registrant_status(deps, principal, meeting_id, body, query.occurrence_id)
    return no_content()


_REGISTRANTS = "/v2/meetings/{meetingId}/registrants"

# ``.../registrants/status`` comes before ``.../registrants/{registrantId}``, which would also match it.
ROUTES = [
    Route(_REGISTRANTS, registrant_create, methods=["POST"], name="meetingRegistrantCreate"),
    Route(_REGISTRANTS, registrants_list, methods=["GET"], name="meetingRegistrants"),
    Route(f"{_REGISTRANTS}/status", registrant_status, methods=["PUT"], name="meetingRegistrantStatus"),
    Route(f"{_REGISTRANTS}/{{registrantId}}", registrant_get, methods=["GET"], name="meetingRegistrantGet"),
    Route(
        f"{_REGISTRANTS}/{{registrantId}}",
        registrant_delete,
        methods=["DELETE"],
        name="meetingregistrantdelete",
    ),
]
