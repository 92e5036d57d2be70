"""Hostile input. First, no input reachable from the API produces a 500: random bodies, queries and ids on
every operation. Then, by hand, each kind of attack input with the exact answer it gets: oversized bodies
(declared or chunked), deeply nested JSON, invalid UTF-8, NUL bytes, huge page sizes, SQL metacharacters in
every string field, path traversal in ids, and CR/LF meant to inject headers or calendar lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp, Message, Receive

from moot.api.app import create_app
from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from tests.conftest import BACKENDS, NOW
from tests.support.api import ZoomApi, asgi_client
from tests.support.databases import open_test_store

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["2", "30", "true", "false", "", "2030-01-01T10:00:00Z", "GMT+8", "\x00", "' OR 1=1 --"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
meeting_fields = st.sampled_from(
    [
        "topic",
        "type",
        "start_time",
        "duration",
        "timezone",
        "password",
        "agenda",
        "schedule_for",
        "recurrence",
        "settings",
        "tracking_fields",
        "pre_schedule",
        "default_password",
    ]
)
settings_fields = st.sampled_from(
    [
        "approval_type",
        "audio",
        "jbh_time",
        "waiting_room",
        "alternative_hosts",
        "breakout_room",
        "resources",
        "meeting_invitees",
        "use_pmi",
        "global_dial_in_countries",
        "language_interpretation",
    ]
)
meeting_bodies = st.fixed_dictionaries(
    {},
    optional={
        "topic": json_values,
        "type": json_values,
        "start_time": json_values,
        "timezone": json_values,
        "recurrence": st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "repeat_interval",
                    "weekly_days",
                    "monthly_day",
                    "monthly_week",
                    "monthly_week_day",
                    "end_times",
                    "end_date_time",
                ]
            ),
            json_values,
        ),
        "settings": st.dictionaries(settings_fields, json_values),
    },
) | st.dictionaries(meeting_fields, json_values)
# Percent-encoded as a client would send them; "." and ".." would be resolved away by the client.
path_segments = (
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)
    .filter(lambda s: s not in (".", ".."))
    .map(lambda s: quote(s, safe=""))
)
query_values = st.text(max_size=30)


@pytest.fixture(params=BACKENDS)
def zoom(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[asyncio.AbstractEventLoop, ZoomApi]]:
    """One event loop and one API for all of a test's examples (hypothesis drives them synchronously)."""
    loop = asyncio.new_event_loop()
    url = request.getfixturevalue("module_postgres_url") if request.param == "postgres" else None
    store = loop.run_until_complete(open_test_store(request.param, tmp_path, url))
    deps = Deps(
        store,
        ControllableClock(NOW, frozen=True),
        Settings(public_url="http://moot.test"),
        loop.run_until_complete(Keys.load(store)),
    )
    client = asgi_client(deps)
    api = ZoomApi(deps, client)
    api.tenant = loop.run_until_complete(api.new_tenant())
    yield loop, api
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(store.close())
    loop.close()


def never_500(loop: asyncio.AbstractEventLoop, api: ZoomApi, method: str, path: str, **kwargs: Any) -> None:
    response = loop.run_until_complete(api.call(method, path, **kwargs))
    assert response.status_code < 500, (method, path, kwargs, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["code"], int) and isinstance(body["message"], str)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=meeting_bodies)
def test_create_and_update_with_random_bodies(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], body: dict[str, Any]
) -> None:
    loop, api = zoom
    never_500(loop, api, "POST", "/v2/users/me/meetings", json=body)
    created = loop.run_until_complete(api.post("/v2/users/me/meetings", json={}))
    never_500(loop, api, "PATCH", f"/v2/meetings/{created.json()['id']}", json=body)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_random_bytes_as_a_body(zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], raw: bytes) -> None:
    loop, api = zoom
    never_500(
        loop, api, "POST", "/v2/users/me/meetings", content=raw, headers={"Content-Type": "application/json"}
    )
    never_500(loop, api, "POST", "/v2/users", content=raw)
    never_500(loop, api, "PUT", "/v2/meetings/1/status", content=raw)


@FUZZ
@given(
    segment=path_segments,
    query=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "page_size",
                "page_number",
                "next_page_token",
                "from",
                "to",
                "timezone",
                "occurrence_id",
                "status",
            ]
        ),
        query_values,
    ),
)
def test_random_ids_and_queries(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], segment: str, query: dict[str, str]
) -> None:
    loop, api = zoom
    never_500(loop, api, "GET", f"/v2/users/{segment}/meetings", params=query)
    never_500(loop, api, "GET", "/v2/users/me/meetings", params=query)
    never_500(loop, api, "GET", f"/v2/meetings/{segment}", params=query)
    never_500(loop, api, "DELETE", f"/v2/meetings/{segment}", params=query)
    never_500(loop, api, "GET", f"/v2/users/{segment}", params=query)
    never_500(loop, api, "GET", "/v2/users", params=query)


@FUZZ
@given(
    body=st.dictionaries(st.sampled_from(["action", "user_info"]), json_values)
    | st.fixed_dictionaries(
        {
            "action": st.sampled_from(["create", "custCreate"]),
            "user_info": st.dictionaries(
                st.sampled_from(["email", "type", "first_name", "password"]), json_values
            ),
        }
    )
)
def test_user_create_with_random_bodies(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], body: dict[str, Any]
) -> None:
    loop, api = zoom
    never_500(loop, api, "POST", "/v2/users", json=body)


# --- By hand ----------------------------------------------------------------------------------------------

TOO_LARGE = (413, {"code": 413, "message": "Request Body is too large."})
NOT_JSON = (400, {"code": 300, "message": "Request Body should be a valid JSON object."})
TEN_MB = 10 * 1024 * 1024


def answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


def invalid(field: str, message: str = "Invalid field.") -> tuple[int, Any]:
    return 400, {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [{"field": field, "message": message}],
    }


async def raw_call(
    app: ASGIApp, method: str, raw_path: bytes, receive: Receive, headers: list[tuple[bytes, bytes]]
) -> tuple[int, Any]:
    """One request straight through ASGI (no client normalising the path or checking the headers)."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"moot.test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("moot.test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return sent[0]["status"], orjson.loads(b"".join(m.get("body", b"") for m in sent[1:]))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v2/users/me/meetings"),
        ("PATCH", "/v2/meetings/1"),
        ("POST", "/v2/users"),
        ("POST", "/v2/meetings/1/registrants"),
        ("POST", "/oauth/token"),
        ("GET", "/v2/users/me"),  # a route that never reads its body: refused on the declared length
    ],
)
async def test_a_10_mb_body_is_413(api: ZoomApi, method: str, path: str) -> None:
    body = b'{"topic": "' + b"x" * TEN_MB + b'"}'
    response = await api.call(method, path, content=body, headers={"Content-Type": "application/json"})
    assert answer(response) == TOO_LARGE
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert "x-zm-trackingid" in response.headers


async def test_a_chunked_10_mb_body_is_413(api: ZoomApi) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"topic": "'
        for _ in range(TEN_MB // 65_536):
            yield b"x" * 65_536
        yield b'"}'

    response = await api.post("/v2/users/me/meetings", content=chunks())
    assert answer(response) == TOO_LARGE


async def test_the_body_limit_is_configurable(deps: Deps) -> None:
    small = Deps(
        store=deps.store,
        clock=deps.clock,
        settings=deps.settings.model_copy(update={"max_body_bytes": 2048}),
        keys=deps.keys,
    )
    async with asgi_client(small) as client:
        api = ZoomApi(small, client)
        api.tenant = await api.new_tenant()
        fits = {"topic": "t", "agenda": "a" * 1900}
        assert (await api.post("/v2/users/me/meetings", json=fits)).status_code == 201
        over = {"topic": "t" * 200, "agenda": "a" * 2000}
        assert answer(await api.post("/v2/users/me/meetings", json=over)) == TOO_LARGE


async def test_a_chunked_body_over_the_limit_is_cut_off_unread(deps: Deps) -> None:
    """Straight through ASGI, with a client that would stream for ever: moot stops reading just past the
    limit and answers 413."""
    app = create_app(deps.settings, deps=deps)
    api = ZoomApi(deps, asgi_client(deps))
    tenant = await api.new_tenant()
    await api.client.aclose()
    chunk = b"x" * 65_536
    read = 0

    async def receive() -> Message:
        nonlocal read
        read += 1
        if read > 10_000:  # 640 MB: it would have read it all
            raise AssertionError("the body was read on and on")
        return {"type": "http.request", "body": b'{"topic": "' if read == 1 else chunk, "more_body": True}

    headers = [
        (b"content-type", b"application/json"),
        (b"transfer-encoding", b"chunked"),
        (b"authorization", f"Bearer {tenant.token}".encode()),
    ]
    assert await raw_call(app, "POST", b"/v2/users/me/meetings", receive, headers) == TOO_LARGE
    assert read * len(chunk) <= deps.settings.max_body_bytes + 2 * len(chunk)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"settings": ' * 5_000 + b"{}" + b"}" * 5_000,
        b'{"topic": ' + b'{"a": ' * 2_000 + b"1" + b"}" * 2_001,
    ],
    ids=["arrays", "objects", "in-a-field"],
)
async def test_deeply_nested_json_is_not_a_json_object(api: ZoomApi, body: bytes) -> None:
    assert answer(await api.post("/v2/users/me/meetings", content=body)) == NOT_JSON


async def test_nesting_that_parses_is_a_validation_error(api: ZoomApi) -> None:
    body = b'{"tracking_fields": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert answer(await api.post("/v2/users/me/meetings", content=body)) == invalid("tracking_fields[0]")
    body = b'{"settings": {"language_interpretation": ' + b'{"x": ' * 500 + b"1" + b"}" * 502
    response = await api.post("/v2/users/me/meetings", content=body)
    assert response.status_code == 201  # unknown keys are ignored, however deep


@pytest.mark.parametrize(
    "body",
    [b'{"topic": "\xff\xfe"}', b'{"topic": "\xc3\x28"}', b'{"\xed\xa0\x80": 1}', b"\xef\xbb\xbf\xff{}"],
    ids=["ff-fe", "bad-continuation", "surrogate-key", "bom-then-garbage"],
)
async def test_invalid_utf8_in_a_body_is_not_a_json_object(api: ZoomApi, body: bytes) -> None:
    assert answer(await api.post("/v2/users/me/meetings", content=body)) == NOT_JSON
    assert answer(await api.post("/v2/users", content=body)) == NOT_JSON


async def test_invalid_utf8_in_paths_and_queries(api: ZoomApi) -> None:
    # Percent-decoded bytes that are not UTF-8 are read with replacement characters: just an unknown id.
    assert answer(await api.get("/v2/users/%FF%FE/meetings")) == (
        404,
        {"code": 1001, "message": "User does not exist: \ufffd\ufffd."},
    )
    assert answer(await api.get("/v2/meetings/%FF")) == (
        404,
        {"code": 3001, "message": "Meeting does not exist: \ufffd."},
    )
    assert answer(await api.get("/v2/users/me/meetings?type=%FF")) == invalid("type")
    assert answer(await api.get("/v2/users/me/meetings?next_page_token=%C3%28")) == invalid(
        "next_page_token", "The next page token is invalid or expired."
    )


async def test_invalid_utf8_in_the_token_form_is_ignored(api: ZoomApi) -> None:
    assert api.tenant is not None
    response = await api.post(
        "/oauth/token",
        content=b"grant_type=\xff\xfe",
        headers={"Authorization": api.tenant.basic, "Content-Type": "application/x-www-form-urlencoded"},
        auth=False,
    )
    assert answer(response) == (400, {"reason": "Missing grant type", "error": "invalid_request"})


@pytest.mark.parametrize(
    "body",
    [
        b'{"topic": "a\x00b"}',
        b'{"topic": "a\\u0000b"}',
        b'{"settings": {"contact_name": "\\u0000"}}',
        b"\x00",
    ],
    ids=["raw", "escaped", "nested-escaped", "alone"],
)
async def test_nul_bytes_in_bodies_are_refused(api: ZoomApi, body: bytes) -> None:
    assert answer(await api.post("/v2/users/me/meetings", content=body)) == NOT_JSON


@pytest.mark.parametrize(
    "path",
    [
        "/v2/users/me%00/meetings",
        "/v2/meetings/1%00",
        "/v2/users/me/meetings?next_page_token=%00",
        "/v2/users?status=active%00",
        "/oauth/token?grant_type=account_credentials%00",
    ],
)
async def test_nul_bytes_in_paths_and_queries_are_refused(api: ZoomApi, path: str) -> None:
    assert answer(await api.get(path) if path.startswith("/v2") else await api.post(path)) == invalid(
        "", "NUL characters are not allowed in paths or query strings."
    )


@pytest.mark.parametrize("size", ["301", "1000000", str(2**63), str(10**30)])
async def test_huge_page_sizes_are_capped_at_300(api: ZoomApi, size: str) -> None:
    await api.post("/v2/users/me/meetings", json={"topic": "one"})
    meetings = await api.get(f"/v2/users/me/meetings?page_size={size}")
    assert (meetings.status_code, meetings.json()["page_size"], meetings.json()["total_records"]) == (
        200,
        300,
        1,
    )
    users = await api.get(f"/v2/users?page_size={size}")
    assert (users.status_code, users.json()["page_size"], users.json()["total_records"]) == (200, 300, 1)


@pytest.mark.parametrize("size", ["0", "-1", "1e9", "300.5", "0x100", "NaN", "Infinity"])
async def test_page_sizes_that_are_not_counts_are_300(api: ZoomApi, size: str) -> None:
    assert answer(await api.get(f"/v2/users/me/meetings?page_size={size}")) == invalid("page_size")
    assert answer(await api.get(f"/v2/users?page_size={size}")) == invalid("page_size")


SQL = [
    "' OR '1'='1",
    "'; DROP TABLE meetings; --",
    '"; DELETE FROM users; --',
    "1); SELECT pg_sleep(10); --",
    "%' AND 1=0 UNION SELECT password_hash FROM users --",
    "\\'; $1 $$ ` ;",
]


@pytest.mark.parametrize("text", SQL)
async def test_sql_metacharacters_in_free_text_are_stored_as_given(api: ZoomApi, text: str) -> None:
    body = {
        "topic": text,
        "agenda": text,
        "tracking_fields": [{"field": text, "value": text}],
        "settings": {"contact_name": text, "approval_type": 0, "registration_type": 1},
    }
    created = await api.post("/v2/users/me/meetings", json=body)
    assert created.status_code == 201, created.text
    meeting = (await api.get(f"/v2/meetings/{created.json()['id']}")).json()
    assert (meeting["topic"], meeting["agenda"], meeting["settings"]["contact_name"]) == (text, text, text)
    assert meeting["tracking_fields"] == [{"field": text, "value": text, "visible": True}]
    listed = (await api.get("/v2/users/me/meetings")).json()
    assert [m["topic"] for m in listed["meetings"]] == [text]
    fields = ("first_name", "last_name", "address", "city", "state", "zip", "country", "phone")
    fields += ("comments", "industry", "org", "job_title")
    registrant = {name: text[:64] for name in fields} | {"email": "r@example.com"}
    registrant["custom_questions"] = [{"title": text, "value": text}]
    added = await api.post(f"/v2/meetings/{meeting['id']}/registrants", json=registrant)
    assert added.status_code == 201, added.text
    got = (await api.get(f"/v2/meetings/{meeting['id']}/registrants/{added.json()['registrant_id']}")).json()
    assert {name: got[name] for name in fields} == {name: text[:64] for name in fields}
    assert got["custom_questions"] == [{"title": text, "value": text}]
    user = {"action": "custCreate", "user_info": {"email": "u@example.com", "type": 1}}
    user["user_info"] |= {"first_name": text[:64], "last_name": text[:64]}
    made = await api.post("/v2/users", json=user)
    assert (made.status_code, made.json()["first_name"], made.json()["last_name"]) == (
        201,
        text[:64],
        text[:64],
    )
    assert (await api.get("/v2/users")).json()["total_records"] == 2


@pytest.mark.parametrize("text", SQL)
async def test_sql_metacharacters_in_checked_fields_ids_and_queries(api: ZoomApi, text: str) -> None:
    quoted = quote(text, safe="")
    assert answer(await api.post("/v2/users/me/meetings", json={"timezone": text})) == invalid(
        "timezone", "Invalid timezone."
    )
    assert (await api.post("/v2/users/me/meetings", json={"password": text})).status_code == 400
    assert (await api.post("/v2/users/me/meetings", json={"schedule_for": text})).json()["code"] == 300
    registrant = await api.post("/v2/meetings/1/registrants", json={"first_name": "a", "email": text})
    assert registrant.status_code in (400, 404)
    user = {"action": "custCreate", "user_info": {"email": text, "type": 1}}
    assert answer(await api.post("/v2/users", json=user)) == invalid("user_info.email")
    assert answer(await api.get(f"/v2/users/{quoted}")) == (
        404,
        {"code": 1001, "message": f"User does not exist: {text}."},
    )
    assert answer(await api.get(f"/v2/users/{quoted}/meetings")) == (
        404,
        {"code": 1001, "message": f"User does not exist: {text}."},
    )
    assert answer(await api.get(f"/v2/meetings/{quoted}")) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {text}."},
    )
    assert answer(await api.get(f"/v2/past_meetings/{quoted}")) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {text}."},
    )
    assert answer(await api.get(f"/v2/users/me/meetings?next_page_token={quoted}")) == invalid(
        "next_page_token", "The next page token is invalid or expired."
    )
    assert answer(await api.get(f"/v2/users/me/meetings?type={quoted}")) == invalid("type")
    assert answer(await api.get(f"/v2/users/me/meetings?from={quoted}")) == invalid("from")


async def test_like_wildcards_do_not_match_other_rows(api: ZoomApi) -> None:
    for pattern in ("%", "%@example.com", "owner@example.co_", "OWNER@%"):
        response = await api.get(f"/v2/users/{quote(pattern, safe='')}")
        assert answer(response) == (404, {"code": 1001, "message": f"User does not exist: {pattern}."})
    assert (await api.get("/v2/users/OWNER@EXAMPLE.COM")).status_code == 200  # case-insensitive, exact


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/v2/meetings/..%2F..%2Fusers",
            (404, {"code": 404, "message": "The requested resource was not found."}),
        ),
        (
            "/v2/users/..%2F..%2Fmoot%2Fapi%2Fwebhooks",
            (404, {"code": 404, "message": "The requested resource was not found."}),
        ),
        (
            "/v2/users/me%2F..%2F..%2Fusers",
            (404, {"code": 404, "message": "The requested resource was not found."}),
        ),
        ("/v2/users/%2E%2E/meetings", (404, {"code": 1001, "message": "User does not exist: ..."})),
        (
            "/v2/users/..%5C..%5Cetc%5Cpasswd",
            (404, {"code": 1001, "message": "User does not exist: ..\\..\\etc\\passwd."}),
        ),
        ("/v2/meetings/%2E%2E", (404, {"code": 3001, "message": "Meeting does not exist: ..."})),
        (
            "/v2/past_meetings/..%2F..%2Fusers%2Fme",
            (404, {"code": 3001, "message": "Meeting does not exist: ../../users/me."}),
        ),
        (
            "/v2/past_meetings/%252E%252E%252Fusers",
            (404, {"code": 3001, "message": "Meeting does not exist: ../users."}),
        ),
        (
            "/v2/meetings/1/registrants/..%2F..%2F..%2F",
            (404, {"code": 404, "message": "The requested resource was not found."}),
        ),
    ],
)
async def test_path_traversal_in_ids_reaches_nothing(
    api: ZoomApi, path: str, expected: tuple[int, Any]
) -> None:
    assert answer(await api.get(path)) == expected


async def test_dot_segments_sent_raw_reach_nothing(deps: Deps) -> None:
    """``..`` that a client did not resolve away (httpx would): the server routes the path as it is."""
    app = create_app(deps.settings, deps=deps)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    for raw in (b"/v2/users/../../moot/api/webhooks", b"/v2/meetings/../users/me", b"/v2/users/me/../.."):
        assert await raw_call(app, "GET", raw, receive, []) == (
            404,
            {"code": 404, "message": "The requested resource was not found."},
        ), raw


async def test_crlf_in_stored_text_never_becomes_a_header_or_calendar_line(api: ZoomApi) -> None:
    injected = "x\r\nSet-Cookie: session=stolen\r\nATTENDEE:mailto:evil@example.com"
    created = await api.post("/v2/users/me/meetings", json={"topic": injected, "agenda": injected})
    meeting_id = created.json()["id"]
    ics = await api.get(f"/v2/meetings/{meeting_id}/ics")
    assert ics.status_code == 200
    assert "set-cookie" not in ics.headers
    assert ics.headers["content-disposition"] == f'attachment; filename="meeting-{meeting_id}.ics"'
    lines = ics.text.split("\r\n") if "\r\n" in ics.text else ics.text.split("\n")
    assert not [line for line in lines if line.startswith(("ATTENDEE", "Set-Cookie"))]
    assert "SUMMARY:x\\nSet-Cookie: session=stolen\\nATTENDEE:mailto:evil@example.com" in lines
    got = await api.get(f"/v2/meetings/{meeting_id}")
    assert got.json()["topic"] == injected
    assert "set-cookie" not in got.headers


async def test_crlf_in_request_headers_is_not_echoed(api: ZoomApi) -> None:
    response = await api.get("/v2/users/me", headers={"Authorization": b"Bearer x\r\nX-Injected: 1"})
    assert answer(response) == (401, {"code": 124, "message": "Invalid access token."})
    assert "x-injected" not in response.headers
    assert api.tenant is not None
    token = await api.post(
        "/oauth/token",
        params={"grant_type": "account_credentials\r\nX-Injected: 1", "account_id": api.tenant.account.id},
        headers={"Authorization": api.tenant.basic},
        auth=False,
    )
    assert answer(token) == (400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})
    assert "x-injected" not in token.headers


async def test_the_admin_api_keeps_its_own_body_limits(deps: Deps) -> None:
    """The limit is the API's: restoring the emulator's state (admin token) takes more than it, other admin
    calls still stop at 2 MiB."""
    admin = Deps(
        store=deps.store,
        clock=deps.clock,
        settings=deps.settings.model_copy(update={"max_body_bytes": 2048, "admin_token": "adm1n"}),
        keys=deps.keys,
    )
    headers = {"Authorization": "Bearer adm1n", "Content-Type": "application/json"}
    async with asgi_client(admin) as client:
        state = await client.put(
            "/moot/api/state", content=b'{"format": "nope", "x": "' + b"x" * 4096 + b'"}', headers=headers
        )
        assert state.status_code == 400 and state.json()["errors"][0]["field"] == "format"
        seed = await client.post("/moot/api/seed", content=b" " * (3 * 1024 * 1024), headers=headers)
        assert answer(seed) == TOO_LARGE
