"""Zoom operations that moot does not implement answer a Zoom-style 404 naming the operation
(docs/compatibility.md, "Operations moot does not implement"); other unknown paths and wrong methods keep
their generic answers, and implemented operations are unaffected."""

from __future__ import annotations

import pytest

from tests.support.api import ZoomApi


def _not_implemented(operation: str, method: str, path: str) -> dict[str, object]:
    return {
        "code": 404,
        "message": f"moot does not implement Zoom's operation {operation} ({method} {path}) yet.",
    }


@pytest.mark.parametrize(
    ("method", "path", "operation", "template"),
    [
        # No route of moot's has these paths.
        ("GET", "/v2/webinars/123", "webinar", "/v2/webinars/{webinarId}"),
        ("GET", "/v2/users/me/zak", "userZak", "/v2/users/me/zak"),
        (
            "PUT",
            "/v2/meetings/85746065432/recordings/status",
            "recordingStatusUpdate",
            "/v2/meetings/{meetingUUID}/recordings/status",
        ),
        (
            "GET",
            "/v2/meetings/1/recordings/settings",
            "recordingSettingUpdate",
            "/v2/meetings/{meetingId}/recordings/settings",
        ),
        (
            "DELETE",
            "/v2/meetings/1/recordings/abc",
            "recordingDeleteOne",
            "/v2/meetings/{meetingId}/recordings/{recordingId}",
        ),
        # moot serves these paths with other methods (a 405 before).
        ("DELETE", "/v2/users/me", "userDelete", "/v2/users/{userId}"),
        (
            "PATCH",
            "/v2/meetings/1/registrants/questions",
            "meetingRegistrantQuestionUpdate",
            "/v2/meetings/{meetingId}/registrants/questions",
        ),
        # A route of moot's would take these (GET /users/{userId}, .../registrants/{registrantId}, ...).
        ("GET", "/v2/users/summary", "userSummary", "/v2/users/summary"),
        ("GET", "/v2/users/email?email=jill@example.com", "userEmail", "/v2/users/email"),
        (
            "GET",
            "/v2/meetings/1/registrants/questions",
            "meetingRegistrantsQuestionsGet",
            "/v2/meetings/{meetingId}/registrants/questions",
        ),
        ("GET", "/v2/past_meetings/1/polls", "listPastMeetingPolls", "/v2/past_meetings/{meetingId}/polls"),
        (
            "GET",
            "/v2/past_meetings/1/archive_files",
            "getArchivedFiles",
            "/v2/past_meetings/{meetingUUID}/archive_files",
        ),
        # Trailing slashes are ignored, as everywhere.
        ("GET", "/v2/users/summary/", "userSummary", "/v2/users/summary"),
        ("GET", "/v2/webinars/123/", "webinar", "/v2/webinars/{webinarId}"),
    ],
)
async def test_an_unimplemented_operation_is_a_404_naming_it(
    api: ZoomApi, method: str, path: str, operation: str, template: str
) -> None:
    response = await api.call(method, path)
    assert (response.status_code, response.json()) == (404, _not_implemented(operation, method, template))
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.headers["x-zm-trackingid"]


@pytest.mark.parametrize(
    ("path", "operation", "template"),
    [
        ("/v2/webinars/123", "webinar", "/v2/webinars/{webinarId}"),
        ("/v2/users/summary", "userSummary", "/v2/users/summary"),
    ],
)
async def test_it_is_answered_without_a_token(api: ZoomApi, path: str, operation: str, template: str) -> None:
    response = await api.get(path, auth=False)
    assert (response.status_code, response.json()) == (404, _not_implemented(operation, "GET", template))


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/v2/nothing/here", 404, {"code": 404, "message": "The requested resource was not found."}),
        # Zoom's path, a method Zoom does not have on it.
        ("POST", "/v2/users/me/zak", 404, {"code": 404, "message": "The requested resource was not found."}),
        ("GET", "/v3/webinars/123", 404, {"code": 404, "message": "The requested resource was not found."}),
        ("GET", "/webinars/123", 404, {"code": 404, "message": "The requested resource was not found."}),
        # A path moot serves, a method Zoom does not have on it either.
        ("PUT", "/v2/meetings/1", 405, {"code": 405, "message": "Method Not Allowed."}),
        ("PUT", "/v2/users/me/meetings", 405, {"code": 405, "message": "Method Not Allowed."}),
        ("POST", "/v2/users/summary", 405, {"code": 405, "message": "Method Not Allowed."}),
    ],
)
async def test_other_unknown_requests_keep_their_generic_answers(
    api: ZoomApi, method: str, path: str, status: int, body: dict[str, object]
) -> None:
    response = await api.call(method, path)
    assert (response.status_code, response.json()) == (status, body)


async def test_implemented_operations_are_unaffected(api: ZoomApi) -> None:
    assert api.tenant is not None
    me = await api.get("/v2/users/me")
    by_email = await api.get(f"/v2/users/{api.tenant.owner.email}")
    assert (me.status_code, by_email.status_code, by_email.json()) == (200, 200, me.json())
    registrant = await api.get("/v2/meetings/1/registrants/abc")
    assert (registrant.status_code, registrant.json()) == (
        404,
        {"code": 3001, "message": "Meeting does not exist: 1."},
    )
    unknown_user = await api.get("/v2/users/nobody@example.com")
    assert (unknown_user.status_code, unknown_user.json()) == (
        404,
        {"code": 1001, "message": "User does not exist: nobody@example.com."},
    )
