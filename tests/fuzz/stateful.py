"""Stateful contract fuzzing: OpenAPI links added to Zoom's spec (which has none), so that schemathesis'
state machine chains what one call creates into the next calls: create a meeting, then get, update, end,
list registrants of, register for, delete and get it again; register, then get, approve or cancel, and
delete the registrant; get the meeting's host and list its meetings.

Each step goes through the same in-process server and checks as the single-operation fuzzing."""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from schemathesis import Case
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import APIStateMachine
from schemathesis.specs.openapi.schemas import OpenApiSchema

MEETING_ID = {"meetingId": "$response.body#/id"}
SAME_MEETING = {"meetingId": "$request.path.meetingId"}
REGISTRANT = {"meetingId": "$response.body#/id", "registrantId": "$response.body#/registrant_id"}
SAME_REGISTRANT = {"meetingId": "$request.path.meetingId", "registrantId": "$request.path.registrantId"}
HOST_ID = {"userId": "$response.body#/host_id"}

# What each meeting-level operation is linked to, from wherever a meeting id is known.
ON_A_MEETING = {
    "meeting": "GetMeeting",
    "meetingUpdate": "UpdateMeeting",
    "meetingDelete": "DeleteMeeting",
    "meetingStatus": "UpdateMeetingStatus",
    "meetingInvitation": "GetInvitation",
    "meetingRegistrantCreate": "AddRegistrant",
    "meetingRegistrants": "ListRegistrants",
    "meetingRegistrantStatus": "UpdateRegistrantStatus",
}
ON_A_REGISTRANT = {
    "meetingRegistrantGet": "GetRegistrant",
    "meetingregistrantdelete": "DeleteRegistrant",
}


def _to(operations: dict[str, str], parameters: dict[str, str]) -> dict[str, Any]:
    return {name: {"operationId": op, "parameters": parameters} for op, name in operations.items()}


# (path, method, status) -> that response's links.
LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("/users/{userId}/meetings", "post", "201"): {
        **_to(ON_A_MEETING, MEETING_ID),
        **_to({"user": "GetHost", "meetings": "ListHostMeetings"}, HOST_ID),
    },
    ("/meetings/{meetingId}", "get", "200"): _to(ON_A_MEETING, MEETING_ID),
    ("/meetings/{meetingId}", "patch", "204"): _to(ON_A_MEETING, SAME_MEETING),
    ("/meetings/{meetingId}", "delete", "204"): _to(
        {"meeting": "GetMeeting", "meetingStatus": "UpdateMeetingStatus"}, SAME_MEETING
    ),
    ("/meetings/{meetingId}/status", "put", "204"): _to(ON_A_MEETING, SAME_MEETING),
    ("/meetings/{meetingId}/registrants", "post", "201"): {
        **_to(ON_A_REGISTRANT, REGISTRANT),
        **_to({"meetingRegistrantStatus": "UpdateRegistrantStatus"}, MEETING_ID),
    },
    ("/meetings/{meetingId}/registrants/{registrantId}", "get", "200"): _to(ON_A_REGISTRANT, SAME_REGISTRANT),
    ("/meetings/{meetingId}/registrants/{registrantId}", "delete", "204"): _to(
        {"meetingRegistrantGet": "GetRegistrant"}, SAME_REGISTRANT
    ),
}


def linked_operation_ids() -> set[str]:
    """The operations a link starts from or leads to: the state machine's whole world."""
    targets = {link["operationId"] for links in LINKS.values() for link in links.values()}
    return targets | {"meetingCreate"}


def with_links(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (changed in place) with :data:`LINKS` on the responses they start from."""
    for (path, method, status), links in LINKS.items():
        response = spec["paths"][path][method]["responses"][status]
        response["links"] = {**response.get("links", {}), **links}
    return spec


class Calls(Protocol):
    """How the machine's steps reach the server and are checked (the test's in-process server)."""

    def reset(self) -> None:
        """A scenario begins: forget what the last one created (hypothesis needs each to replay alike)."""

    def before(self, case: Case) -> None:
        """Adjust a case before it is sent (e.g. give generated path parameters existing ids)."""

    def send(self, case: Case) -> httpx.Response: ...

    def check(self, case: Case, response: httpx.Response) -> None:
        """Fail the step on a 5xx, a schema violation or a malformed error body."""


def state_machine(schema: OpenApiSchema, calls: Calls) -> type[APIStateMachine]:
    """schemathesis' state machine for ``schema`` (with links), sending and checking through ``calls``."""
    base = schema.as_state_machine()

    class ZoomStateMachine(base):  # type: ignore[valid-type, misc]
        last: httpx.Response | None = None

        def setup(self) -> None:
            calls.reset()

        def before_call(self, case: Case) -> None:
            calls.before(case)

        def call(self, case: Case, **kwargs: Any) -> Response:
            self.last = calls.send(case)
            return Response.from_any(self.last)

        def validate_response(self, response: Response, case: Case, *args: Any, **kwargs: Any) -> None:
            assert self.last is not None
            calls.check(case, self.last)

    return ZoomStateMachine
