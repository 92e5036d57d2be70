"""The join page in process: its gate, its JSON status, the calendar file and the headers of each answer."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.pages.http_support import PAGE_HEADERS, csrf_token, meeting, page_headers, start_link, text_of
from tests.support.api import BASE_URL, ZoomApi, asgi_client

NOT_VALID = "This meeting ID is not valid. Please check and try again."
JSON_HEADERS = {**PAGE_HEADERS, "content-type": "application/json"}


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL, access_log=True)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


@pytest.fixture
async def api(deps: Deps) -> AsyncIterator[ZoomApi]:
    async with asgi_client(deps) as client:
        zoom = ZoomApi(deps, client)
        zoom.tenant = await zoom.new_tenant()
        yield zoom


@pytest.fixture
async def visitor(deps: Deps) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(deps) as client:
        yield client


async def through_gate(visitor: httpx.AsyncClient, join_url: str) -> httpx.Response:
    response = await visitor.get(join_url)
    assert response.status_code == 303, response.text
    return await visitor.get(response.headers["location"])


async def join(visitor: httpx.AsyncClient, meeting_id: int, page: str, name: str) -> httpx.Response:
    token = csrf_token(page, "join-form")
    return await visitor.post(f"/j/{meeting_id}/join", data={"csrf_token": token, "name": name})


@pytest.mark.parametrize("raw_id", ["12345678901", "not-a-number", "99999999999999999999"])
async def test_an_unknown_meeting_is_not_valid(visitor: httpx.AsyncClient, raw_id: str) -> None:
    response = await visitor.get(f"/j/{raw_id}?pwd=anything")
    assert (response.status_code, page_headers(response)) == (404, PAGE_HEADERS)
    assert text_of(response.text, "message") == NOT_VALID
    status = await visitor.get(f"/j/{raw_id}/status")
    assert (status.status_code, status.json()) == (404, {"state": "invalid", "message": NOT_VALID})


async def test_without_the_passcode_only_the_passcode_form_shows(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api, topic="Board meeting", agenda="Salaries")
    for url in (
        f"/j/{created['id']}",
        f"/j/{created['id']}?pwd=wrong",
        f"/j/{created['id']}?pwd={created['password']}",
    ):
        response = await visitor.get(url, follow_redirects=True)
        assert (response.status_code, page_headers(response)) == (200, PAGE_HEADERS)
        assert "Enter meeting passcode" in response.text
        assert "Board meeting" not in response.text and "Salaries" not in response.text
        assert "Account Owner" not in response.text
    assert "moot_csrf" in response.cookies
    status = await visitor.get(f"/j/{created['id']}/status")
    assert (status.status_code, status.json()) == (401, {"state": "locked"})
    ics = await visitor.get(f"/j/{created['id']}/meeting.ics")
    assert (ics.status_code, text_of(ics.text, "message")) == (404, NOT_VALID)


async def test_the_link_passcode_is_remembered_and_leaves_the_address_bar(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api, topic="Board meeting")
    response = await visitor.get(created["join_url"])
    assert (response.status_code, response.headers["location"]) == (303, f"/j/{created['id']}")
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"moot_j{created['id']}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = await visitor.get(f"/j/{created['id']}")
    assert (page.status_code, page_headers(page)) == (200, PAGE_HEADERS)
    assert (text_of(page.text, "topic"), text_of(page.text, "host")) == ("Board meeting", "Account Owner")
    assert text_of(page.text, "meeting-time") == "Thu 15 Jan 2026, 13:00 (CET, Europe/Paris)"
    assert '<time data-local datetime="2026-01-15T12:00:00Z">' in page.text
    status = await visitor.get(f"/j/{created['id']}/status")
    assert (status.status_code, page_headers(status), status.json()) == (
        200,
        JSON_HEADERS,
        {"state": "ready", "meeting": "not_started"},
    )


async def test_a_tampered_cookie_is_no_cookie(api: ZoomApi, visitor: httpx.AsyncClient) -> None:
    created = await meeting(api)
    await through_gate(visitor, created["join_url"])
    name = f"moot_j{created['id']}"
    payload, mac = visitor.cookies[name].split(".")
    visitor.cookies.set(name, f"{payload}x.{mac}", domain="moot.test")
    response = await visitor.get(f"/j/{created['id']}")
    assert "Enter meeting passcode" in response.text


async def test_a_new_passcode_shuts_out_those_who_passed_the_old_one(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api)
    await through_gate(visitor, created["join_url"])
    assert (
        await api.patch(f"/v2/meetings/{created['id']}", json={"password": "newpass1"})
    ).status_code == 204
    response = await visitor.get(f"/j/{created['id']}")
    assert "Enter meeting passcode" in response.text


async def test_the_passcode_form_refuses_wrong_and_forged_and_throttles(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api)
    form = await visitor.get(f"/j/{created['id']}")
    token = csrf_token(form.text)
    forged = await visitor.post(
        f"/j/{created['id']}", data={"csrf_token": "x", "passcode": created["password"]}
    )
    assert (forged.status_code, page_headers(forged)) == (403, PAGE_HEADERS)
    assert text_of(forged.text, "message").startswith("This form has expired or did not come from this site.")
    for _ in range(9):
        wrong = await visitor.post(f"/j/{created['id']}", data={"csrf_token": token, "passcode": "nope"})
        assert (wrong.status_code, text_of(wrong.text, "error")) == (401, "Incorrect meeting passcode.")
    right = await visitor.post(
        f"/j/{created['id']}", data={"csrf_token": token, "passcode": created["password"]}
    )
    assert (right.status_code, right.headers["location"]) == (303, f"/j/{created['id']}")
    refused = await visitor.post(
        f"/j/{created['id']}", data={"csrf_token": token, "passcode": created["password"]}
    )
    assert (refused.status_code, text_of(refused.text, "message")) == (
        429,
        "Too many passcode attempts for this meeting. Wait 10 minutes, then try again.",
    )


async def test_status_follows_the_visitor_through_waiting_room_and_meeting(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api, settings={"waiting_room": True})
    page = await through_gate(visitor, created["join_url"])
    assert (await join(visitor, created["id"], page.text, "  Ann   Lee ")).status_code == 303
    status_url = f"/j/{created['id']}/status"
    assert (await visitor.get(status_url)).json() == {"state": "waiting_host", "meeting": "not_started"}

    host = await api.client.get(await start_link(api, created["id"]))
    assert (await visitor.get(status_url)).json() == {"state": "join_now", "meeting": "started"}
    page = await visitor.get(f"/j/{created['id']}")
    assert (await join(visitor, created["id"], page.text, "Ann Lee")).status_code == 303
    assert (await visitor.get(status_url)).json() == {"state": "waiting_room", "meeting": "started"}

    host_status = await api.client.get(f"/s/{created['id']}/status")
    assert (host_status.status_code, page_headers(host_status)) == (200, JSON_HEADERS)
    waiting = host_status.json()["waiting"]
    assert host_status.json() == {
        "state": "started",
        "waiting": [{"id": waiting[0]["id"], "name": "Ann Lee"}],
        "participants": [{"name": "Account Owner", "host": True}],
    }
    admit = await api.client.post(
        f"/s/{created['id']}/admit",
        data={"csrf_token": csrf_token(host.text, "end-form"), "participant": waiting[0]["id"]},
    )
    assert (admit.status_code, admit.headers["location"]) == (303, f"/s/{created['id']}")
    assert (await visitor.get(status_url)).json() == {
        "state": "in_meeting",
        "meeting": "started",
        "participants": [
            {"name": "Account Owner", "host": True, "you": False},
            {"name": "Ann Lee", "host": False, "you": True},
        ],
    }
    enter = await visitor.get(f"/j/{created['id']}/enter")
    assert (enter.status_code, enter.headers["location"]) == (303, f"/j/{created['id']}/room")
    room = await visitor.get(f"/j/{created['id']}/room")
    assert (room.status_code, page_headers(room), text_of(room.text, "topic")) == (
        200,
        PAGE_HEADERS,
        "Standup",
    )

    end = await api.client.post(
        f"/s/{created['id']}/end", data={"csrf_token": csrf_token(host.text, "end-form")}
    )
    assert end.status_code == 303
    assert (await visitor.get(status_url)).json() == {"state": "ended", "meeting": "ended"}
    assert (await api.client.get(f"/s/{created['id']}/status")).json() == {
        "state": "not_started",
        "waiting": [],
        "participants": [],
    }
    assert (await visitor.get(f"/j/{created['id']}/room")).status_code == 303


async def test_host_endpoints_need_the_host_session_and_a_csrf_token(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(api)
    status = await visitor.get(f"/s/{created['id']}/status")
    assert (status.status_code, status.json()) == (401, {"state": "signed_out"})
    host = await api.client.get(await start_link(api, created["id"]))
    assert f"moot_s{created['id']}" in host.cookies
    forged = await api.client.post(f"/s/{created['id']}/end", data={"csrf_token": "guess"})
    assert forged.status_code == 403
    assert (await api.client.get(f"/s/{created['id']}/status")).json()["state"] == "started"
    again = await api.client.get(f"/s/{created['id']}")  # no zak: the session cookie
    assert (again.status_code, page_headers(again), text_of(again.text, "topic")) == (
        200,
        PAGE_HEADERS,
        "Standup",
    )
    stranger = await visitor.get(f"/s/{created['id']}")
    assert stranger.status_code == 401 and 'id="signin-form"' in stranger.text


async def test_the_calendar_file_is_behind_the_same_gate(api: ZoomApi, visitor: httpx.AsyncClient) -> None:
    created = await meeting(api, topic="Board meeting")
    pwd = created["join_url"].split("pwd=", 1)[1]
    response = await visitor.get(f"/j/{created['id']}/meeting.ics?pwd={pwd}")
    assert (response.status_code, response.headers["content-type"]) == (200, "text/calendar; charset=utf-8")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert "SUMMARY:Board meeting" in response.text
    assert (await visitor.get(f"/j/{created['id']}/meeting.ics?pwd=nope")).status_code == 404


async def test_the_registration_form_creates_a_registrant(api: ZoomApi, visitor: httpx.AsyncClient) -> None:
    created = await meeting(api, settings={"approval_type": 0})
    form = await visitor.get(created["registration_url"])
    assert (form.status_code, page_headers(form)) == (200, PAGE_HEADERS)
    data = {
        "csrf_token": csrf_token(form.text),
        "first_name": "Rita",
        "last_name": "Reg",
        "email": "rita@example.com",
    }
    done = await visitor.post(created["registration_url"], data=data)
    assert (done.status_code, text_of(done.text, "message")) == (
        200,
        "Your registration is approved. Keep your personal join link: it lets you in.",
    )
    [listed] = (await api.get(f"/v2/meetings/{created['id']}/registrants")).json()["registrants"]
    assert (listed["first_name"], listed["last_name"], listed["status"]) == ("Rita", "Reg", "approved")
    assert f'href="{listed["join_url"]}"'.replace("&", "&amp;") in done.text
    page = await through_gate(visitor, listed["join_url"])
    assert text_of(page.text, "joining-as") == "Rita Reg"
    again = await visitor.post(created["registration_url"], data=data)
    assert again.status_code == 400 and "rita@example.com" in text_of(again.text, "error")
    assert (await visitor.get("/meeting/register/AAAAAAAAAAAAAAAAAAAAAA")).status_code == 404


async def test_a_series_registration_form_lets_the_registrant_choose_occurrences(
    api: ZoomApi, visitor: httpx.AsyncClient
) -> None:
    created = await meeting(
        api,
        type=8,
        recurrence={"type": 2, "repeat_interval": 1, "weekly_days": "5", "end_times": 3},
        settings={"approval_type": 0, "registration_type": 3},
    )
    occurrences = [o["occurrence_id"] for o in created["occurrences"]]
    form = await visitor.get(created["registration_url"])
    assert form.status_code == 200
    offered = re.findall(r'name="occurrence_ids" value="(\d+)"', form.text)
    assert offered == occurrences
    assert (
        '<time data-local datetime="2026-01-15T12:00:00Z">Thu 15 Jan 2026, 13:00 (CET, Europe/Paris)</time>'
        in form.text
    )
    data = {"csrf_token": csrf_token(form.text), "first_name": "Oc", "email": "oc@example.com"}
    none_chosen = await visitor.post(created["registration_url"], data=data)
    assert (none_chosen.status_code, text_of(none_chosen.text, "error")) == (
        400,
        "Occurrences: This field is required.",
    )
    chosen = [*data.items(), ("occurrence_ids", occurrences[0]), ("occurrence_ids", occurrences[2])]
    done = await visitor.post(
        created["registration_url"],
        content=urlencode(chosen),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200, done.text
    [listed] = (await api.get(f"/v2/meetings/{created['id']}/registrants")).json()["registrants"]
    registrant = (await api.get(f"/v2/meetings/{created['id']}/registrants/{listed['id']}")).json()
    assert registrant["email"] == "oc@example.com"
    for occurrence, expected in zip(occurrences, (1, 0, 1), strict=True):
        page = (
            await api.get(f"/v2/meetings/{created['id']}/registrants", params={"occurrence_id": occurrence})
        ).json()
        assert page["total_records"] == expected, (occurrence, page)


async def test_the_access_log_never_shows_link_secrets(
    api: ZoomApi, visitor: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    created = await meeting(api)
    with caplog.at_level(logging.INFO, logger="moot.access"):
        await visitor.get(f"{created['join_url']}&tk=registrant-secret&x=1")
        await api.client.get(await start_link(api, created["id"]))
    logged = [(r.__dict__["path"], r.__dict__["query"]) for r in caplog.records if r.name == "moot.access"]
    assert logged[0] == (f"/j/{created['id']}", "pwd=[redacted]&tk=[redacted]&x=1")
    assert (f"/s/{created['id']}", "zak=[redacted]") in logged
    assert created["password"] not in caplog.text and created["join_url"].split("pwd=")[1] not in caplog.text


async def test_an_admitted_visitor_and_the_host_are_sent_to_the_video_provider(
    store: Store, clock: ControllableClock
) -> None:
    settings = Settings(
        db_url="sqlite:///:memory:",
        public_url=BASE_URL,
        video_provider="jitsi",
        jitsi_url="https://meet.example.com",
        jitsi_app_id="moot",
        jitsi_app_secret="a long secret for the tests of the pages",
    )
    deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    async with asgi_client(deps) as host_client, asgi_client(deps) as visitor:
        api = ZoomApi(deps, host_client)
        api.tenant = await api.new_tenant()
        created = await meeting(api, topic="Video call")
        await host_client.get(await start_link(api, created["id"]))
        page = await through_gate(visitor, created["join_url"])
        await join(visitor, created["id"], page.text, "Vic")
        entered = {
            "visitor": await visitor.get(f"/j/{created['id']}/enter"),
            "host": await host_client.get(f"/s/{created['id']}/enter"),
        }
    room = f"https://meet.example.com/moot-{created['id']}?jwt="
    for who, response in entered.items():
        assert (response.status_code, response.headers["location"][: len(room)]) == (303, room), who
    claims = {
        who: jwt.decode(response.headers["location"].split("jwt=")[1], options={"verify_signature": False})
        for who, response in entered.items()
    }
    users = {
        who: (c["room"], c["context"]["user"]["name"], c["context"]["user"]["moderator"])
        for who, c in claims.items()
    }
    assert users == {
        "visitor": (f"moot-{created['id']}", "Vic", "false"),
        "host": (f"moot-{created['id']}", "Account Owner", "true"),
    }


async def test_a_registrant_link_follows_the_approval_state(api: ZoomApi, visitor: httpx.AsyncClient) -> None:
    created = await meeting(api, settings={"approval_type": 1})
    response = await api.post(
        f"/v2/meetings/{created['id']}/registrants", json={"first_name": "Dana", "email": "dana@example.com"}
    )
    registrant = await api.deps.store.get_registrant(created["id"], response.json()["registrant_id"])
    assert registrant is not None
    page = await through_gate(visitor, f"/w/{created['id']}?tk={registrant.token}")
    assert (page.status_code, 'data-state="pending"' in page.text) == (200, True)
    status_url = f"/j/{created['id']}/status"
    assert (await visitor.get(status_url)).json() == {"state": "pending", "meeting": "not_started"}
    deny = {"action": "deny", "registrants": [{"id": registrant.id}]}
    assert (await api.put(f"/v2/meetings/{created['id']}/registrants/status", json=deny)).status_code == 204
    assert (await visitor.get(status_url)).json() == {"state": "denied", "meeting": "not_started"}
    forbidden = await visitor.post(
        f"/j/{created['id']}/join", data={"csrf_token": csrf_token(page.text, "join-form"), "name": "Dana"}
    )
    assert forbidden.status_code == 303
    assert (await visitor.get(status_url)).json() == {"state": "denied", "meeting": "not_started"}
    visitor.cookies.clear()
    unknown = await visitor.get(f"/w/{created['id']}?tk={'x' * 43}", follow_redirects=True)
    assert "Enter meeting passcode" in unknown.text  # a wrong tk is no tk
