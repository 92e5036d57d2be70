"""The error tree, and what goes on the wire (httpx.MockTransport)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from moot import client as sdk
from moot.client.calls import resolve_urls, segment, zoom_time
from moot.client.errors import from_body
from tests.client.fake import FakeZoom, body, s2s_client


@pytest.mark.parametrize(
    ("status", "payload", "cls"),
    [
        (404, {"code": 3001, "message": "Meeting does not exist: 1."}, sdk.MeetingNotFound),
        (404, {"code": 1001, "message": "User does not exist: x."}, sdk.UserNotFound),
        (400, {"code": 1001, "message": "code wins over status"}, sdk.UserNotFound),
        (401, {"code": 124, "message": "Access token is expired."}, sdk.InvalidAccessToken),
        (
            400,
            {"code": 4711, "message": "Invalid access token, does not contain scopes:[x]."},
            sdk.MissingScopes,
        ),
        (401, {"code": 4711, "message": "scopes"}, sdk.MissingScopes),
        (429, {"code": 429, "message": "You have reached the maximum daily rate limit"}, sdk.RateLimited),
        (400, {"code": 300, "message": "Request Body should be a valid JSON object."}, sdk.ValidationFailed),
        (400, {"code": 3000, "message": "Invalid occurrence_id."}, sdk.BadRequest),
        (409, {"code": 1005, "message": 'Email "a@b.c" has already been used.'}, sdk.Conflict),
        (
            404,
            {"code": 404, "message": "Registration has not been enabled for this meeting: 1."},
            sdk.NotFound,
        ),
        (500, {"code": 500, "message": "An internal error occurred."}, sdk.ServerError),
        (502, None, sdk.ServerError),
        (401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, sdk.OAuthError),
        (418, {"code": 7, "message": "teapot"}, sdk.ZoomAPIError),
    ],
)
def test_error_class_comes_from_the_code_then_the_status(status: int, payload: Any, cls: type) -> None:
    error = from_body(status, payload, "trk")
    assert type(error) is cls
    assert error.status_code == status and error.tracking_id == "trk"


def test_error_hierarchy() -> None:
    assert issubclass(sdk.MeetingNotFound, sdk.NotFound) and issubclass(sdk.UserNotFound, sdk.NotFound)
    assert issubclass(sdk.InvalidAccessToken, sdk.AuthError) and issubclass(sdk.MissingScopes, sdk.AuthError)
    assert all(
        issubclass(c, sdk.ZoomAPIError) for c in (sdk.RateLimited, sdk.ValidationFailed, sdk.OAuthError)
    )


def test_validation_error_fields_and_tracking_id_from_a_response() -> None:
    answer = httpx.Response(
        400,
        json={
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "topic", "message": "Invalid field."}],
        },
        headers={"x-zm-trackingid": "v=2.0;clid=us;rid=1"},
    )
    with pytest.raises(sdk.ValidationFailed) as raised:
        s2s_client(FakeZoom(answers=[answer])).meetings.create(topic="")
    error = raised.value
    assert (error.status_code, error.code, error.message) == (400, 300, "Validation Failed.")
    assert error.errors == [{"field": "topic", "message": "Invalid field."}]
    assert error.tracking_id == "v=2.0;clid=us;rid=1"
    assert str(error) == "[400/300] Validation Failed."


def test_a_non_json_error_body() -> None:
    answer = httpx.Response(502, text="<html>Bad gateway</html>")
    with pytest.raises(sdk.ServerError) as raised:
        s2s_client(FakeZoom(answers=[answer]), retry=sdk.NO_RETRIES).meetings.get(1)
    assert (raised.value.code, raised.value.message) == (None, "HTTP 502")


def test_create_request_on_the_wire() -> None:
    fake = FakeZoom(answers=[httpx.Response(201, json={"id": 1})])
    s2s_client(fake).meetings.create(
        "host@example.com",
        topic="Planning",
        type=8,
        start_time=datetime(2030, 6, 9, 19, 0, 30, 999, tzinfo=timezone(timedelta(hours=2))),
        timezone="Europe/Berlin",
        recurrence={"type": 2, "weekly_days": "2,4", "end_date_time": datetime(2030, 7, 1, tzinfo=UTC)},
        settings={"approval_type": 0},
    )
    request = fake.requests[0]
    assert (request.method, request.url.raw_path) == ("POST", b"/v2/users/host%40example.com/meetings")
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    assert body(request) == {
        "topic": "Planning",
        "type": 8,
        "start_time": "2030-06-09T17:00:30Z",
        "timezone": "Europe/Berlin",
        "recurrence": {"type": 2, "weekly_days": "2,4", "end_date_time": "2030-07-01T00:00:00Z"},
        "settings": {"approval_type": 0},
    }


def test_queries_and_204s() -> None:
    fake = FakeZoom(answers=[httpx.Response(204), httpx.Response(204), httpx.Response(204)])
    client = s2s_client(fake)
    assert client.meetings.delete(5, occurrence_id="1648194360000", cancel_meeting_reminder=True) is None
    client.meetings.update(5, occurrence_id="1648194360000", duration=15)
    client.meetings.registrants.update_status(5, "deny", [{"email": "a@b.c"}])
    delete, patch, status = fake.requests
    assert dict(delete.url.params) == {"occurrence_id": "1648194360000", "cancel_meeting_reminder": "true"}
    assert delete.content == b""
    assert (patch.url.params["occurrence_id"], json.loads(patch.content)) == (
        "1648194360000",
        {"duration": 15},
    )
    assert status.url.path == "/v2/meetings/5/registrants/status"
    assert body(status) == {"action": "deny", "registrants": [{"email": "a@b.c"}]}


def test_past_meeting_uuids_are_encoded_twice_when_zoom_says_so() -> None:
    fake = FakeZoom(answers=[httpx.Response(200, json={}), httpx.Response(200, json={"meetings": []})])
    client = s2s_client(fake)
    client.past_meetings.get("/ajXp112QmuoKj4854875==")
    assert client.past_meetings.instances(85746065432) == []
    assert fake.requests[0].url.raw_path == b"/v2/past_meetings/%252FajXp112QmuoKj4854875%253D%253D"
    assert fake.requests[1].url.path == "/v2/past_meetings/85746065432/instances"
    assert segment("abc+d==") == "abc%2Bd%3D%3D"


@pytest.mark.parametrize(
    ("base_url", "api", "token"),
    [
        (None, "https://api.zoom.us/v2", "https://zoom.us/oauth/token"),
        ("https://api.zoom.us/v2/", "https://api.zoom.us/v2", "https://zoom.us/oauth/token"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v2", "http://127.0.0.1:8000/oauth/token"),
        ("http://127.0.0.1:8000/v2", "http://127.0.0.1:8000/v2", "http://127.0.0.1:8000/oauth/token"),
        ("https://gw.example/zoom/v2", "https://gw.example/zoom/v2", "https://gw.example/zoom/oauth/token"),
    ],
)
def test_urls(base_url: str | None, api: str, token: str) -> None:
    assert resolve_urls(base_url, None) == (api, token)


def test_zoom_time() -> None:
    assert zoom_time(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2030-01-02T03:04:05Z"
    assert zoom_time(datetime(2030, 1, 2, 3, 4, 5, 600)) == "2030-01-02T03:04:05"
    assert zoom_time(date(2030, 1, 2)) == "2030-01-02"
    assert zoom_time("2030-01-02T03:04:05Z") == "2030-01-02T03:04:05Z"
    assert sdk.parse_time("2030-01-02T03:04:05Z") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_secrets_stay_out_of_reprs() -> None:
    client = sdk.Client(account_id="a", client_id="c", client_secret="very-secret")
    assert "very-secret" not in repr(client._engine.tokens.auth)
    token = sdk.Token("access-secret", 1.5, "refresh-secret", "meeting:read")
    assert repr(token) == "Token(expires_at=1.5, scope='meeting:read')"


def test_page_number_goes_on_the_first_call_only() -> None:
    def page(number: int, token: str, ids: list[int]) -> httpx.Response:
        meetings = [{"id": i} for i in ids]
        return httpx.Response(
            200,
            json={"page_count": 3, "page_number": number, "page_size": 2, "total_records": 6,
                  "next_page_token": token, "meetings": meetings},
        )  # fmt: skip

    fake = FakeZoom(answers=[page(2, "t3", [3, 4]), page(3, "", [5, 6])])
    pager = s2s_client(fake).meetings.list("me", type="upcoming", page_size=2, page_number=2)
    assert [m["id"] for m in pager] == [3, 4, 5, 6]
    assert [dict(r.url.params) for r in fake.requests] == [
        {"type": "upcoming", "page_size": "2", "page_number": "2"},
        {"type": "upcoming", "page_size": "2", "next_page_token": "t3"},
    ]
    assert (pager.total_records, pager.page_count, pager.page_number) == (6, 3, 3)
