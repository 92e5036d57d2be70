"""The web inspector (``/moot/``) in process: every page for seeded state, escaping, access (off, open,
token sign-in with a session cookie), CSRF, and its forms acting through the admin API's services."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import httpx
import pytest
from markupsafe import escape

from moot.api.app import create_app
from moot.domain.clock import ControllableClock, SystemClock
from moot.pages import csrf
from moot.pages.inspector import auth
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from tests.pages.inspector_support import (
    PASSCODE,
    SECURITY_HEADERS,
    XSS_TOPIC,
    World,
    app_client,
    assert_page,
    build_world,
    csrf_of,
)
from tests.support.admin_layers import admin_settings
from tests.support.receiver import Receiver

TOKEN = "inspect0r-admin-t0ken"
NOT_FOUND = {"code": 404, "message": "The requested resource was not found."}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    from tests.pages.inspector_support import SECRET

    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    return Deps(store=store, clock=clock, settings=admin_settings(), keys=await Keys.load(store))


@pytest.fixture
async def world(deps: Deps, receiver: Receiver) -> AsyncIterator[World]:
    async with app_client(deps) as client:
        yield await build_world(deps, client, receiver)


# --- pages ----------------------------------------------------------------------------------------------


async def test_overview_counts_and_links(world: World) -> None:
    html = assert_page(await world.client.get("/moot/"))
    assert world.api.tenant is not None
    account = world.api.tenant.account.id
    assert f'<a href="/moot/accounts/{account}"><code>{account}</code></a>' in html
    assert f'<a href="/moot/meetings?account={account}">4</a>' in html
    assert "<strong>1</strong> accounts" in html
    assert 'href="/moot/controls"' in html and 'href="/moot/requests"' in html
    assert "2026-01-15T12:00:00Z" in html
    assert '<script src="/moot/static/inspector.js" defer></script>' in html
    css = await world.client.get("/moot/static/inspector.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_account_page_lists_users_and_apps_without_secrets(world: World) -> None:
    tenant = world.api.tenant
    assert tenant is not None
    html = assert_page(await world.client.get(f"/moot/accounts/{tenant.account.id}"))
    assert tenant.owner.email in html and tenant.owner.id in html
    assert f"<code>{tenant.app.client_id}</code>" in html
    assert "validated" in html and "/webhook</code>" in html
    assert tenant.secret not in html
    assert "w3bh00k-secret-t0ken" not in html
    listed = assert_page(await world.client.get("/moot/accounts"))
    assert tenant.account.id in listed
    missing = await world.client.get("/moot/accounts/nobody")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


async def test_meetings_list_pages_per_account_and_host(world: World) -> None:
    tenant = world.api.tenant
    assert tenant is not None
    html = assert_page(await world.client.get("/moot/meetings", params={"account": tenant.account.id}))
    for meeting in (world.series, world.live, world.ended, world.xss):
        assert f'<a href="/moot/meetings/{meeting["id"]}">' in html
    assert '<h1>Meetings <span class="muted">(4)</span></h1>' in html
    hosted = assert_page(
        await world.client.get(
            "/moot/meetings", params={"account": tenant.account.id, "host": tenant.owner.id, "offset": 3}
        )
    )
    assert "4\u20134 of 4" in hosted and "← Newer" in hosted and "Older →" not in hosted
    nobody = assert_page(
        await world.client.get("/moot/meetings", params={"account": tenant.account.id, "host": "x"})
    )
    assert "No meetings." in nobody


async def test_meeting_page_shows_occurrences_registrants_and_instances(world: World) -> None:
    series = world.series
    html = assert_page(await world.client.get(f"/moot/meetings/{series['id']}"))
    assert "Weekly planning" in html
    occurrences = series["occurrences"]
    for occurrence in occurrences:
        assert f"<code>{occurrence['occurrence_id']}</code>" in html
    assert html.count('<span class="badge ok">available</span>') == 2
    assert html.count('<span class="badge bad">deleted</span>') == 1
    assert "grace@example.com" in html and "alan@example.com" in html
    assert (
        '<span class="badge ok">approved</span>' in html and '<span class="badge wait">pending</span>' in html
    )
    assert "<th>approval_type</th><td><pre>1</pre></td>" in html
    assert PASSCODE not in html and "zak=" not in html.replace("zak=••••••", "")
    assert "Not in progress." in html

    live = assert_page(await world.client.get(f"/moot/meetings/{world.live['id']}"))
    assert "Jill" in live and "in_meeting" in live and "Started 2026-01-15T12:00:00Z" in live
    ended = assert_page(await world.client.get(f"/moot/meetings/{world.ended['id']}"))
    assert "Not in progress." in ended and 'Past instances <span class="muted">(1)</span>' in ended
    assert (await world.client.get("/moot/meetings/123")).json() == NOT_FOUND


async def test_markup_in_user_data_is_shown_as_text(world: World) -> None:
    escaped = "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert escaped == str(escape(XSS_TOPIC))
    for path in (f"/moot/meetings/{world.xss['id']}", "/moot/meetings"):
        html = assert_page(await world.client.get(path))
        assert escaped in html, path
        assert "<script>alert" not in html and "<img src=x" not in html
    entries = assert_page(await world.client.get("/moot/requests", params={"method": "POST"}))
    assert "<script>alert" not in entries


async def test_deliveries_filter_and_detail(world: World) -> None:
    html = assert_page(await world.client.get("/moot/webhooks/deliveries"))
    assert html.count('<span class="badge ok">delivered</span>') >= 6
    assert "meeting.created" in html
    by_meeting = assert_page(
        await world.client.get("/moot/webhooks/deliveries", params={"meeting": world.ended["id"]})
    )
    assert "meeting.created" in by_meeting and "meeting.ended" in by_meeting
    assert "registration_created" not in by_meeting
    failed = assert_page(await world.client.get("/moot/webhooks/deliveries", params={"state": "failed"}))
    assert "No deliveries match." in failed
    listed = (await world.client.get("/moot/api/webhooks/deliveries")).json()["deliveries"]
    newest = listed[0]
    detail = assert_page(await world.client.get(f"/moot/webhooks/deliveries/{newest['id']}"))
    assert '<span class="badge ok">HTTP 200</span>' in detail
    assert newest["event"] in detail
    assert (await world.client.get("/moot/webhooks/deliveries/999999")).json() == NOT_FOUND


async def test_replay_sends_again_and_records_an_attempt(world: World, receiver: Receiver) -> None:
    delivery = (await world.client.get("/moot/api/webhooks/deliveries")).json()["deliveries"][0]
    page = f"/moot/webhooks/deliveries/{delivery['id']}"
    html = assert_page(await world.client.get(page))
    before = len(receiver.deliveries)
    replayed = await world.client.post(f"{page}/replay", data={"csrf": csrf_of(html, f"{page}/replay")})
    assert (replayed.status_code, replayed.headers["location"]) == (
        303,
        f"{page}?notice=Replayed%3A+attempt+2+answered+HTTP+200.",
    )
    assert len(receiver.wait_for(before + 1)) == before + 1
    after = (await world.client.get(f"/moot/api/webhooks/deliveries/{delivery['id']}")).json()
    assert [a["number"] for a in after["attempt_log"]] == [1, 2]
    shown = assert_page(await world.client.get(replayed.headers["location"]))
    assert "Replayed: attempt 2 answered HTTP 200." in shown


async def test_journal_lists_and_masks_secrets(world: World) -> None:
    html = assert_page(await world.client.get("/moot/requests", params={"path": "/v2/users/*/meetings"}))
    listed = (await world.client.get("/moot/api/requests", params={"path": "/v2/users/*/meetings"})).json()
    ids = [e["id"] for e in listed["requests"]]
    assert len(ids) == 4
    for entry_id in ids:
        assert f'<a href="/moot/requests/{entry_id}">{entry_id}</a>' in html
    first = listed["requests"][-1]
    assert first["tracking_id"] in html
    detail = assert_page(await world.client.get(f"/moot/requests/{first['id']}"))
    assert PASSCODE in first["request_body"] and PASSCODE in first["response_body"]
    assert PASSCODE not in detail
    assert "&#34;password&#34;: &#34;••••••&#34;" in detail
    assert "pwd=••••••" in detail and "zak=••••••" in detail
    assert "Weekly planning" in detail
    token = (await world.client.get("/moot/api/requests", params={"path": "/oauth/token"})).json()
    token_page = assert_page(await world.client.get(f"/moot/requests/{token['requests'][0]['id']}"))
    assert token["requests"][0]["response_body"].split('"')[3] not in token_page  # the access token
    assert "&#34;access_token&#34;: &#34;••••••&#34;" in token_page
    bad = assert_page(await world.client.get("/moot/requests", params={"status": "abc"}))
    assert "status:" in bad
    assert (await world.client.get("/moot/requests/99999")).json() == NOT_FOUND


async def test_clock_forms_move_the_clock(world: World, clock: ControllableClock) -> None:
    html = assert_page(await world.client.get("/moot/controls"))
    token = csrf_of(html, "/moot/controls/clock")
    moved = await world.client.post(
        "/moot/controls/clock", data={"csrf": token, "action": "advance", "amount": "2", "unit": "hours"}
    )
    assert (moved.status_code, moved.headers["location"]) == (
        303,
        "/moot/controls?notice=Clock+advanced.+It+is+now+2026-01-15T14%3A00%3A00Z.",
    )
    assert (await world.client.get("/moot/api/clock")).json() == {
        "frozen": True,
        "now": "2026-01-15T14:00:00Z",
    }
    await world.client.post("/moot/controls/clock", data={"csrf": token, "action": "unfreeze"})
    assert clock.frozen is False
    await world.client.post("/moot/controls/clock", data={"csrf": token, "action": "freeze"})
    await world.client.post(
        "/moot/controls/clock", data={"csrf": token, "action": "set", "now": "2030-05-01T08:00:00Z"}
    )
    assert (await world.client.get("/moot/api/clock")).json() == {
        "frozen": True,
        "now": "2030-05-01T08:00:00Z",
    }
    refused = await world.client.post(
        "/moot/controls/clock", data={"csrf": token, "action": "advance", "amount": "-1", "unit": "days"}
    )
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    shown = assert_page(await world.client.get(refused.headers["location"]))
    assert "days: Must be 0 or more: to go back, PUT a now." in shown
    assert "2030-05-01T08:00:00Z" in shown


async def test_fault_rule_added_by_form_is_in_the_admin_api(world: World) -> None:
    html = assert_page(await world.client.get("/moot/controls"))
    token = csrf_of(html, "/moot/controls/faults")
    added = await world.client.post(
        "/moot/controls/faults",
        data={
            "csrf": token,
            "method": "GET",
            "path": "/v2/meetings/*",
            "times": "1",
            "action": "error",
            "code": "3001",
        },
    )
    assert (added.status_code, added.headers["location"]) == (
        303,
        "/moot/controls?notice=Fault+rule+1+added.",
    )
    await world.client.post(
        "/moot/controls/faults", data={"csrf": token, "path": "/v2/*", "action": "latency", "latency_ms": "5"}
    )
    rules = (await world.client.get("/moot/api/faults")).json()["faults"]
    assert [(r["id"], r["method"], r["path"], r["times"], r["error"], r["latency_ms"]) for r in rules] == [
        (1, "GET", "/v2/meetings/*", 1, {"code": 3001}, None),
        (2, None, "/v2/*", None, None, 5),
    ]
    faulted = await world.api.get(f"/v2/meetings/{world.series['id']}")
    assert faulted.json() == {"code": 3001, "message": f"Meeting does not exist: {world.series['id']}."}
    listed = assert_page(await world.client.get("/moot/controls"))
    assert "<code>GET /v2/meetings/*</code>" in listed and "error 3001" in listed and "+5 ms" in listed
    bad = await world.client.post(
        "/moot/controls/faults", data={"csrf": token, "operation": "nope", "action": "drop"}
    )
    assert "Unknown+operation" in bad.headers["location"]
    deleted = await world.client.post("/moot/controls/faults/1/delete", data={"csrf": token})
    assert deleted.headers["location"] == "/moot/controls?notice=Fault+rule+1+deleted."
    assert [r["id"] for r in (await world.client.get("/moot/api/faults")).json()["faults"]] == [2]


async def test_forms_without_a_valid_csrf_token_change_nothing(world: World, receiver: Receiver) -> None:
    refusal = "/moot/controls?error=The+form+had+expired+or+came+from+elsewhere%3A+nothing+was+changed."
    for data in ({}, {"csrf": "forged"}):
        moved = await world.client.post(
            "/moot/controls/clock", data={**data, "action": "advance", "amount": "1"}
        )
        assert (moved.status_code, moved.headers["location"]) == (303, refusal)
        added = await world.client.post("/moot/controls/faults", data={**data, "action": "drop"})
        assert (added.status_code, added.headers["location"]) == (303, refusal)
    assert (await world.client.get("/moot/api/clock")).json()["now"] == "2026-01-15T12:00:00Z"
    assert (await world.client.get("/moot/api/faults")).json() == {"faults": []}
    delivery = (await world.client.get("/moot/api/webhooks/deliveries")).json()["deliveries"][0]
    before = len(receiver.deliveries)
    html = assert_page(await world.client.get("/moot/controls"))
    other_purpose = csrf_of(html, "/moot/controls/clock")  # valid, but for another form
    replay = await world.client.post(
        f"/moot/webhooks/deliveries/{delivery['id']}/replay", data={"csrf": other_purpose}
    )
    assert replay.status_code == 303 and "error=" in replay.headers["location"]
    assert len(receiver.deliveries) == before
    world.client.cookies.clear()  # the token is bound to the visitor's CSRF cookie
    lost = await world.client.post("/moot/controls/clock", data={"csrf": other_purpose, "action": "freeze"})
    assert lost.headers["location"] == refusal


# --- access ---------------------------------------------------------------------------------------------


async def test_inspector_is_not_there_while_the_admin_api_is_off(deps: Deps) -> None:
    off = replace(deps, settings=deps.settings.model_copy(update={"admin_api": False, "admin_token": None}))
    async with app_client(off) as client:
        for method, path in (
            ("GET", "/moot/"),
            ("GET", "/moot"),
            ("GET", "/moot/login"),
            ("POST", "/moot/login"),
            ("GET", "/moot/meetings"),
            ("GET", "/moot/controls"),
            ("POST", "/moot/controls/clock"),
            ("GET", "/moot/requests/1"),
        ):
            response = await client.request(method, path)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), path
            assert response.headers["content-type"] == "application/json;charset=UTF-8"


async def test_open_inspector_has_no_sign_in(deps: Deps) -> None:
    async with app_client(deps) as client:
        login = await client.get("/moot/login", params={"next": "/moot/requests"})
        assert (login.status_code, login.headers["location"]) == (303, "/moot/requests")
        html = assert_page(await client.get("/moot/"))
        assert "Sign out" not in html


@pytest.fixture
def guarded_deps(deps: Deps) -> Deps:
    return replace(deps, settings=deps.settings.model_copy(update={"admin_token": TOKEN}))


async def test_sign_in_with_the_admin_token(guarded_deps: Deps) -> None:
    async with app_client(guarded_deps) as client:
        away = await client.get("/moot/requests", params={"path": "/v2/*"})
        assert (away.status_code, away.headers["location"]) == (
            303,
            "/moot/login?next=/moot/requests%3Fpath%3D%252Fv2%252F%252A",
        )
        assert away.headers["cache-control"] == "no-store"
        assert (await client.get("/moot/")).headers["location"] == "/moot/login?next=/moot"
        posted = await client.post("/moot/controls/clock", data={"action": "freeze"})
        assert (posted.status_code, posted.headers["location"]) == (303, "/moot/login?next=/moot/")

        form = assert_page(await client.get(away.headers["location"]))
        assert 'type="password" id="token" name="token"' in form
        assert '<input type="hidden" name="next" value="/moot/requests?path=%2Fv2%2F%2A">' in form
        token = csrf_of(form, "/moot/login")

        wrong = await client.post(
            "/moot/login", data={"csrf": token, "token": "guess", "next": "/moot/requests"}
        )
        assert "That is not this server&#39;s admin token." in assert_page(wrong, 401)
        assert auth.COOKIE not in client.cookies
        no_csrf = await client.post("/moot/login", data={"token": TOKEN})
        assert "The sign-in form had expired" in assert_page(no_csrf, 401)
        assert auth.COOKIE not in client.cookies

        signed = await client.post(
            "/moot/login", data={"csrf": token, "token": TOKEN, "next": "https://evil.example/"}
        )
        assert (signed.status_code, signed.headers["location"]) == (303, "/moot/")
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith(f"{auth.COOKIE}=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert attributes == {"httponly", "max-age", "path", "samesite"}
        assert "Path=/moot" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
        html = assert_page(await client.get("/moot/"))
        assert "Sign out" in html
        assert_page(await client.get("/moot/requests"))

        out = await client.post("/moot/logout", data={"csrf": csrf_of(html, "/moot/logout")})
        assert (out.status_code, out.headers["location"]) == (303, "/moot/login")
        assert auth.COOKIE not in client.cookies
        assert (await client.get("/moot/")).status_code == 303


async def test_sign_in_attempts_are_throttled_per_address(guarded_deps: Deps) -> None:
    async with app_client(guarded_deps) as client:
        token = csrf_of(assert_page(await client.get("/moot/login")), "/moot/login")
        for _ in range(10):
            wrong = await client.post("/moot/login", data={"csrf": token, "token": "guess", "next": "/moot/"})
            assert "That is not this server&#39;s admin token." in assert_page(wrong, 401)
        refused = await client.post("/moot/login", data={"csrf": token, "token": TOKEN, "next": "/moot/"})
        assert "Too many sign-in attempts from this address. Wait 10 minutes, then try again." in assert_page(
            refused, 429
        )
        assert auth.COOKIE not in client.cookies
        # The Bearer header still lets the operator in meanwhile.
        bearer = await client.get("/moot/", headers={"authorization": f"Bearer {TOKEN}"})
        assert_page(bearer)


async def test_forged_and_expired_sessions_are_refused(guarded_deps: Deps) -> None:
    good = auth.session_value(guarded_deps, int(time.time()) + 600)
    expires, _, mac = good.partition(".")
    other_key = Keys(token=b"k" * 32)
    forged = [
        f"{int(expires) + 3600}.{mac}",  # a longer life, same signature
        auth.session_value(replace(guarded_deps, keys=other_key), int(time.time()) + 600),
        auth.session_value(
            replace(guarded_deps, settings=guarded_deps.settings.model_copy(update={"admin_token": "old"})),
            int(time.time()) + 600,
        ),
        auth.session_value(guarded_deps, int(time.time()) - 1),  # expired
        "garbage",
        "",
    ]
    async with app_client(guarded_deps) as client:
        client.cookies.set(auth.COOKIE, good)
        assert_page(await client.get("/moot/meetings"))
        for value in forged:
            client.cookies.clear()
            client.cookies.set(auth.COOKIE, value)
            refused = await client.get("/moot/meetings")
            assert (refused.status_code, refused.headers["location"]) == (
                303,
                "/moot/login?next=/moot/meetings",
            )
            if value:
                assert refused.headers["set-cookie"].startswith(f'{auth.COOKIE}=""; expires=')


async def test_bearer_admin_token_works_and_https_sessions_are_secure(guarded_deps: Deps) -> None:
    async with app_client(guarded_deps) as client:
        html = assert_page(await client.get("/moot/", headers={"Authorization": f"Bearer {TOKEN}"}))
        assert "Overview" in html
        wrong = await client.get("/moot/", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 303
    https = replace(
        guarded_deps,
        settings=guarded_deps.settings.model_copy(update={"public_url": "https://moot.example"}),
    )
    app = create_app(https.settings, deps=https)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://moot.test") as client:
        form = assert_page(await client.get("/moot/login"))
        signed = await client.post("/moot/login", data={"csrf": csrf_of(form, "/moot/login"), "token": TOKEN})
        assert signed.status_code == 303
        assert "; secure" in signed.headers["set-cookie"].lower()


def test_security_headers_are_the_pages_own() -> None:
    from moot.pages.render import security_headers

    assert {**security_headers(), "content-type": "text/html; charset=utf-8"} == SECURITY_HEADERS


async def test_csrf_cookie_is_set_with_the_form(deps: Deps) -> None:
    async with app_client(deps) as client:
        response = await client.get("/moot/controls")
        assert_page(response)
        nonce = client.cookies["moot_csrf"]
        assert response.headers["set-cookie"] == (
            f"moot_csrf={nonce}; HttpOnly; Max-Age=43200; Path=/; SameSite=lax"
        )
        assert csrf_of(response.text, "/moot/controls/clock") == csrf.token(deps, nonce, "clock")


async def test_a_system_clock_is_shown_and_not_moved(deps: Deps) -> None:
    on_system_clock = replace(deps, clock=SystemClock())
    async with app_client(on_system_clock) as client:
        html = assert_page(await client.get("/moot/controls"))
        assert '<span class="badge">system clock</span>' in html
        assert 'action="/moot/controls/clock"' not in html
        assert csrf_of(html, "/moot/controls/faults")  # fault rules still work
        # A clock form posted anyway (from an old page) is refused with the admin API's reason.
        clock_token = csrf.token(on_system_clock, client.cookies["moot_csrf"], "clock")
        refused = await client.post("/moot/controls/clock", data={"csrf": clock_token, "action": "freeze"})
        shown = assert_page(await client.get(refused.headers["location"]))
        assert "This server runs on the system clock, which cannot be frozen or moved" in shown
