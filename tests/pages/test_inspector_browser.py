"""The web inspector in headless Chromium, against a real ``moot emulate``: overview → a meeting with
occurrences and registrants → webhook deliveries → Replay → journal → clock and fault controls; a
topic that is markup stays inert; sign-in with the admin token. Screenshots of each page go to
``test-artifacts/screenshots/inspector-*.png``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect

from tests.emulator.running import Running, emulate
from tests.pages.browser import screenshot
from tests.pages.inspector_support import SECRET, XSS_TOPIC
from tests.support.live_server import server_env
from tests.support.receiver import Receiver

ADMIN_TOKEN = "br0wser-admin-t0ken"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


def _seed(receiver: Receiver, directory: Path) -> Path:
    seed = {
        "accounts": [
            {
                "id": "moot-emulator",
                "users": [{"email": "ada@acme.test", "first_name": "Ada", "last_name": "Lovelace"}],
                "apps": [
                    {
                        "name": "Hooks",
                        "client_id": "hooks-app",
                        "client_secret": "hooks-app-secret",
                        "webhook": {"url": receiver.url, "secret": SECRET},
                    }
                ],
            }
        ]
    }
    path = directory / "seed.json"
    path.write_text(json.dumps(seed))
    return path


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[Running]:
    directory = tmp_path_factory.mktemp("inspector")
    with emulate(directory, "--data", str(_seed(receiver, directory))) as running:
        yield running


def _wait_validated(emulator: Running) -> None:
    deadline = time.monotonic() + 10
    with emulator.client() as client:
        while time.monotonic() < deadline:
            state = client.get("/moot/api/state").json()["tables"]["apps"]
            docs = [json.loads(app["doc"]) for app in state if app["client_id"] == "hooks-app"]
            if docs and (docs[0].get("webhook") or {}).get("active"):
                return
            time.sleep(0.05)
    raise AssertionError("the webhook endpoint was never validated")


def _meeting(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/v2/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def world(emulator: Running, receiver: Receiver) -> dict[str, Any]:
    _wait_validated(emulator)
    with emulator.api() as api:
        series = _meeting(
            api,
            {
                "topic": "Weekly planning",
                "type": 8,
                "start_time": "2030-06-04T10:00:00Z",
                "duration": 45,
                "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "3", "end_times": 4},
                "settings": {"approval_type": 0},
            },
        )
        for email, name in (("grace@example.com", "Grace"), ("alan@example.com", "Alan")):
            added = api.post(
                f"/v2/meetings/{series['id']}/registrants", json={"email": email, "first_name": name}
            )
            assert added.status_code == 201, added.text
        xss = _meeting(api, {"topic": XSS_TOPIC, "agenda": XSS_TOPIC})
    receiver.wait_for_event("meeting.created")
    deadline = time.monotonic() + 10
    while len([d for d in receiver.deliveries if d.event == "meeting.created"]) < 2:
        assert time.monotonic() < deadline, "webhooks were not delivered"
        time.sleep(0.05)
    return {"series": series, "xss": xss}


def _note_failure(request: Request, problems: list[str]) -> None:
    response = request.response()
    if response is not None and response.status >= 400:
        problems.append(f"{response.status} {request.url}")


def _watched(browser: Browser) -> tuple[Page, list[str]]:
    """A page that records every dialog (there must be none) and every console error (a CSP violation
    would be one)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("requestfinished", lambda request: _note_failure(request, problems))
    return page, problems


def test_a_tour_of_the_inspector(browser: Browser, emulator: Running, world: dict[str, Any]) -> None:
    page, problems = _watched(browser)
    series = world["series"]
    page.goto(f"{emulator.base_url}/moot/")
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator(".tiles")).to_contain_text("accounts")
    screenshot(page, "inspector-overview")

    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Meetings")
    screenshot(page, "inspector-meetings")
    page.get_by_role("link", name=str(series["id"])).click()
    expect(page.locator("h1")).to_contain_text("Weekly planning")
    expect(page.locator("#occurrences")).to_contain_text("(4)")
    expect(page.locator("text=grace@example.com")).to_be_visible()
    expect(page.locator("text=alan@example.com")).to_be_visible()
    screenshot(page, "inspector-meeting")

    page.get_by_role("link", name="Webhooks").click()
    expect(page.locator("h1")).to_have_text("Webhook deliveries")
    expect(page.locator("tbody")).to_contain_text("meeting.created")
    screenshot(page, "inspector-deliveries")
    page.locator("tbody tr").first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Delivery")
    page.locator("#replay").click()
    expect(page.locator(".flash.notice")).to_contain_text("Replayed: attempt 2 answered HTTP 200.")
    expect(page.locator("tbody tr")).to_have_count(2)
    screenshot(page, "inspector-delivery-replayed")

    page.get_by_role("link", name="Journal").click()
    expect(page.locator("h1")).to_contain_text("Request journal")
    expect(page.locator("tbody")).to_contain_text("/v2/users/me/meetings")
    screenshot(page, "inspector-journal")
    page.locator("tbody tr").filter(has_text="POST").first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("POST")
    expect(page.locator("main")).to_contain_text("••••••")
    screenshot(page, "inspector-journal-entry")

    page.get_by_role("link", name="Clock & faults").click()
    before = page.locator("#clock-now").inner_text()
    page.locator("input[name=amount]").fill("2")
    page.locator("select[name=unit]").select_option("days")
    page.locator("#advance").click()
    expect(page.locator(".flash.notice")).to_contain_text("Clock advanced.")
    assert page.locator("#clock-now").inner_text() > before
    page.locator("form.rule input[name=path]").fill("/v2/meetings/*")
    page.locator("form.rule input[name=times]").fill("1")
    page.locator("form.rule select[name=code]").select_option("3001")
    page.locator("#add-rule").click()
    expect(page.locator(".flash.notice")).to_have_text("Fault rule 1 added.")
    expect(page.locator("table").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("/v2/meetings/*")
    screenshot(page, "inspector-controls")
    with emulator.client() as client:
        assert [r["path"] for r in client.get("/moot/api/faults").json()["faults"]] == ["/v2/meetings/*"]
    assert problems == []
    page.close()


def test_a_topic_that_is_markup_stays_text(
    browser: Browser, emulator: Running, world: dict[str, Any]
) -> None:
    page, problems = _watched(browser)
    page.goto(f"{emulator.base_url}/moot/meetings/{world['xss']['id']}")
    expect(page.locator("h1 .topic")).to_have_text(XSS_TOPIC)
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    page.goto(f"{emulator.base_url}/moot/meetings")
    expect(page.locator("tbody")).to_contain_text(XSS_TOPIC)
    page.wait_for_timeout(200)
    screenshot(page, "inspector-markup-topic")
    assert problems == []
    page.close()


def test_sign_in_with_the_admin_token(browser: Browser, tmp_path: Path) -> None:
    with emulate(tmp_path, env=server_env(MOOT_ADMIN_TOKEN=ADMIN_TOKEN)) as guarded:
        page, problems = _watched(browser)
        page.goto(f"{guarded.base_url}/moot/requests")
        assert page.url == f"{guarded.base_url}/moot/login?next=/moot/requests"
        screenshot(page, "inspector-login")
        page.locator("#token").fill("not-the-token")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".flash.error")).to_have_text("That is not this server's admin token.")
        assert [p for p in problems if "401" not in p] == []  # the refusal is a 401, and only that
        problems.clear()
        page.locator("#token").fill(ADMIN_TOKEN)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h1")).to_contain_text("Request journal")
        assert page.url == f"{guarded.base_url}/moot/requests"
        cookie = next(c for c in page.context.cookies() if c["name"] == "moot_inspector")
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/moot")
        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#token")).to_be_visible()
        page.goto(f"{guarded.base_url}/moot/")
        assert "/moot/login" in page.url
        assert problems == []
        page.close()
