"""``mock_zoom()``: a user's code with Zoom's URLs hard-coded (requests, httpx sync and async, zoomus,
moot's SDK) runs unchanged against an in-process moot; every other URL goes out untouched."""

from __future__ import annotations

import httpx
import pytest

from moot.testing.mock import is_zoom_url
from tests.testing.conftest import outcomes, ran

USER_SUITE = '''
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
from zoomus import ZoomClient

from moot.client import Client
from moot.testing import Credentials, active_mock, mock_zoom

ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET = "moot-emulator", "moot-emulator-client", "moot-emulator-secret"
TOKEN_URL = "https://zoom.us/oauth/token"
API = "https://api.zoom.us/v2"
TOKEN_QUERY = {"grant_type": "account_credentials", "account_id": ACCOUNT_ID}
MEETING = {"topic": "Planning", "type": 2, "start_time": "2030-06-09T17:00:00Z", "duration": 30}
ORIGINALS = (
    httpx.HTTPTransport.handle_request,
    httpx.AsyncHTTPTransport.handle_async_request,
    requests.Session.get_adapter,
)


def summary(meeting):
    return {key: meeting[key] for key in ("topic", "type", "start_time", "duration", "host_email")}


EXPECTED = {
    "topic": "Planning", "type": 2, "start_time": "2030-06-09T17:00:00Z", "duration": 30,
    "host_email": "owner@moot.local",
}


# --- the code under test, written for Zoom -------------------------------------------------------------


def schedule_with_requests(session=requests):
    token = session.post(TOKEN_URL, params=TOKEN_QUERY, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    created = session.post(f"{API}/users/me/meetings", json=MEETING, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    return session.get(f"{API}/meetings/{created.json()['id']}", headers=headers, timeout=10).json()


def schedule_with_httpx(client=None):
    with httpx.Client() if client is None else client as http:
        token = http.post(TOKEN_URL, params=TOKEN_QUERY, auth=(CLIENT_ID, CLIENT_SECRET))
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = http.post(f"{API}/users/me/meetings", json=MEETING, headers=headers)
        assert created.status_code == 201, created.text
        return http.get(f"{API}/meetings/{created.json()['id']}", headers=headers).json()


async def schedule_with_httpx_async(count=1):
    async with httpx.AsyncClient() as http:
        token = await http.post(TOKEN_URL, params=TOKEN_QUERY, auth=(CLIENT_ID, CLIENT_SECRET))
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = await asyncio.gather(
            *(http.post(f"{API}/users/me/meetings", json=MEETING, headers=headers) for _ in range(count))
        )
        assert [answer.status_code for answer in created] == [201] * count
        return [(await http.get(f"{API}/meetings/{c.json()['id']}", headers=headers)).json() for c in created]


# --- the tests -----------------------------------------------------------------------------------------


@mock_zoom
def test_requests():
    assert summary(schedule_with_requests()) == EXPECTED


@mock_zoom()
def test_httpx():
    assert summary(schedule_with_httpx()) == EXPECTED


@mock_zoom
async def test_httpx_async():
    meetings = await schedule_with_httpx_async(count=10)
    assert [summary(meeting) for meeting in meetings] == [EXPECTED] * 10
    assert len({meeting["id"] for meeting in meetings}) == 10


async def test_httpx_async_in_a_with_block():
    with mock_zoom():
        (meeting,) = await schedule_with_httpx_async()
    assert summary(meeting) == EXPECTED


def test_zoomus_with_its_own_urls():
    with mock_zoom():
        zoom = ZoomClient(CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID)
        start = datetime(2030, 6, 9, 17, tzinfo=UTC)
        created = zoom.meeting.create(user_id="me", **(MEETING | {"start_time": start}))
        assert created.status_code == 201, created.text
        listed = zoom.meeting.list(user_id="me").json()
    assert [(m["id"], m["topic"]) for m in listed["meetings"]] == [(created.json()["id"], "Planning")]


def test_moot_sdk_with_its_zoom_defaults():
    with mock_zoom(), Client(account_id=ACCOUNT_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as zoom:
        created = zoom.meetings.create(**MEETING)
        assert summary(zoom.meetings.get(created["id"])) == EXPECTED


def test_the_mock_exposes_credentials_clock_and_admin():
    with mock_zoom(now="2030-01-01T09:00:00Z") as zoom:
        assert zoom.credentials == Credentials()
        assert (zoom.clock.now(), zoom.clock.frozen) == (datetime(2030, 1, 1, 9, tzinfo=UTC), True)
        meeting = schedule_with_requests()
        assert meeting["created_at"] == "2030-01-01T09:00:00Z"
        assert meeting["join_url"].startswith(f"https://zoom.us/j/{meeting['id']}?pwd=")
        assert zoom.admin.verify(method="POST", path="/v2/users/*/meetings", count=1) == {
            "ok": True, "matched": 1, "expected": {"count": 1},
        }
        assert summary(zoom.client.meetings.get(meeting["id"])) == EXPECTED
        zoom.reset()
        assert list(zoom.client.meetings.list()) == []


@mock_zoom
def test_a_decorated_test_finds_its_mock():
    zoom = active_mock()
    assert zoom.clock.freeze("2031-02-03T04:05:06Z") == datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert schedule_with_httpx()["created_at"] == "2031-02-03T04:05:06Z"


def test_each_mock_starts_from_the_seed_and_mocks_nest():
    with mock_zoom():
        schedule_with_requests()
        with mock_zoom() as inner:
            assert list(inner.client.meetings.list()) == []
            schedule_with_httpx()
            schedule_with_httpx()
            assert active_mock() is inner
        assert len(list(active_mock().client.meetings.list())) == 1


def test_clients_made_before_the_mock_and_calls_from_other_threads_are_mocked():
    session, client = requests.Session(), httpx.Client()
    with mock_zoom() as zoom:
        assert summary(schedule_with_requests(session)) == EXPECTED
        assert summary(schedule_with_httpx(client)) == EXPECTED
        with ThreadPoolExecutor(4) as pool:
            done = list(pool.map(lambda _: schedule_with_requests(), range(8)))
        assert [summary(meeting) for meeting in done] == [EXPECTED] * 8
        assert len(list(zoom.client.meetings.list())) == 10


@pytest.fixture
def elsewhere():
    """A real HTTP server on 127.0.0.1 answering "real GET /path"."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"real GET {self.path}".encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_every_other_url_goes_out_untouched(elsewhere):
    with mock_zoom():
        assert requests.get(f"{elsewhere}/v2/users/me", timeout=10).text == "real GET /v2/users/me"
        assert httpx.get(f"{elsewhere}/oauth/token", trust_env=False).text == "real GET /oauth/token"
        async with httpx.AsyncClient(trust_env=False) as http:
            assert (await http.get(f"{elsewhere}/x")).text == "real GET /x"


def test_faults_reach_the_caller_as_zoom_s_would():
    with mock_zoom() as zoom:
        token = requests.post(TOKEN_URL, params=TOKEN_QUERY, auth=(CLIENT_ID, CLIENT_SECRET)).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        zoom.admin.faults.add(path="/v2/users/me", drop=True, times=2)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{API}/users/me", headers=headers)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{API}/users/me", headers=headers)
        zoom.admin.faults.add(path="/v2/users/me", latency_ms=2000, times=2)
        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{API}/users/me", headers=headers, timeout=0.2)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{API}/users/me", headers=headers, timeout=0.2)
        zoom.admin.faults.add(path="/v2/meetings/*", times=1, error={"code": 3001})
        answer = requests.get(f"{API}/meetings/123456789", headers=headers)
        assert (answer.status_code, answer.json()) == (
            404, {"code": 3001, "message": "Meeting does not exist: 123456789."}
        )


@mock_zoom
class TestAClass:
    def test_one(self):
        assert summary(schedule_with_requests()) == EXPECTED
        assert len(list(active_mock().client.meetings.list())) == 1

    async def test_two(self):
        assert [summary(meeting) for meeting in await schedule_with_httpx_async()] == [EXPECTED]
        assert len(list(active_mock().client.meetings.list())) == 1


def test_seed_data_is_checked_before_anything_is_patched():
    with pytest.raises(ValueError) as refused, mock_zoom(data={"accounts": [{"plan": "gold"}]}):
        pass
    assert str(refused.value) == "data is not valid seed data:\\n  accounts[0].plan: Invalid field."
    assert httpx.HTTPTransport.handle_request is ORIGINALS[0]


def test_outside_a_mock_nothing_is_patched():
    with mock_zoom():
        assert httpx.HTTPTransport.handle_request is not ORIGINALS[0]
    assert (
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
        requests.Session.get_adapter,
    ) == ORIGINALS
'''


def test_a_user_suite_with_hard_coded_zoom_urls_passes_under_mock_zoom(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(test_user=USER_SUITE)
    result = user_suite.runpytest_subprocess("-W", "error::pytest.PytestUnraisableExceptionWarning")
    assert outcomes(result) == {"passed": 16}, ran(result)


@pytest.mark.parametrize(
    ("url", "answered"),
    [
        ("https://api.zoom.us/v2/users/me", True),
        ("https://api.zoom.us/v2", True),
        ("http://api.zoom.us/v2/meetings/1", True),
        ("https://zoom.us/oauth/token", True),
        ("https://zoom.us/oauth/authorize?client_id=x", True),
        ("https://api.zoom.us/v1/users", False),
        ("https://api.zoom.us/v2x", False),
        ("https://zoom.us/j/123", False),
        ("https://us05web.zoom.us/oauth/token", False),
        ("https://example.com/v2/users/me", False),
        ("ftp://api.zoom.us/v2/users", False),
    ],
)
def test_which_urls_moot_answers(url: str, answered: bool) -> None:
    parsed = httpx.URL(url)
    assert is_zoom_url(parsed.scheme, parsed.host, parsed.path) is answered
