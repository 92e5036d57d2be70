"""The join, start and room pages in a real browser (headless Chromium) against a live ``moot serve``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.pages.browser import screenshot
from tests.pages.live import HOST_NAME, LiveMoot, live_moot

XSS_TOPIC = "<img src=x onerror=alert('topic')></script><script>alert('script')</script>"
XSS_NAME = "<img src=x onerror=alert('name')>"


@pytest.fixture(scope="module")
def moot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMoot]:
    with live_moot(tmp_path_factory.mktemp("pages")) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def host_context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context()
    try:
        yield made
    finally:
        made.close()


def dialogs_of(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


def join_as(page: Page, name: str) -> None:
    page.fill("#join-form input[name=name]", name)
    page.click("#join-form button[type=submit]")


def test_a_known_meeting_without_its_passcode_shows_only_the_passcode_form(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Quarterly numbers", password="314159")
    page = context.new_page()
    page.goto(f"{moot.base_url}/j/{meeting['id']}")
    expect(page.locator("h1")).to_have_text("Enter meeting passcode")
    assert "Quarterly numbers" not in page.content() and HOST_NAME not in page.content()

    page.fill("input[name=passcode]", "000000")
    page.click("#passcode-form button")
    expect(page.locator("#error")).to_have_text("Incorrect meeting passcode.")
    screenshot(page, "join_passcode_wrong")

    page.fill("input[name=passcode]", "314159")
    page.click("#passcode-form button")
    expect(page.locator("#topic")).to_have_text("Quarterly numbers")
    expect(page.locator("#host")).to_have_text(HOST_NAME)
    assert page.url == f"{moot.base_url}/j/{meeting['id']}"
    expect(page.locator("#meeting-time")).to_contain_text("2031")
    screenshot(page, "join_passcode_passed")


def test_an_unknown_meeting_id_is_not_valid(moot: LiveMoot, context: BrowserContext) -> None:
    page = context.new_page()
    response = page.goto(f"{moot.base_url}/j/12345678901")
    assert response is not None and response.status == 404
    expect(page.locator("#message")).to_have_text("This meeting ID is not valid. Please check and try again.")


def test_wrong_passcodes_are_throttled_per_meeting_and_address(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(password="271828")
    page = context.new_page()
    page.goto(f"{moot.base_url}/j/{meeting['id']}")
    for attempt in range(10):
        page.fill("input[name=passcode]", f"00000{attempt}")
        page.click("#passcode-form button")
        expect(page.locator("#error")).to_have_text("Incorrect meeting passcode.")
    page.fill("input[name=passcode]", "271828")  # even the right one, once refused
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#passcode-form button")
    assert answer.value.status == 429
    expect(page.locator("#message")).to_have_text(
        "Too many passcode attempts for this meeting. Wait 10 minutes, then try again."
    )
    screenshot(page, "join_passcode_throttled")


def test_waiting_room_admit_by_the_host_lets_the_visitor_in_without_a_reload(
    moot: LiveMoot, context: BrowserContext, host_context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Design review", settings={"waiting_room": True})
    host = host_context.new_page()
    host.goto(moot.start_url(meeting["id"]))
    expect(host.locator("#topic")).to_have_text("Design review")
    expect(host.locator("#started")).to_be_visible()

    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    join_as(visitor, "Vera Visitor")
    expect(visitor.locator("#waiting-room")).to_be_visible()
    screenshot(visitor, "join_waiting_room")
    loads: list[str] = []
    visitor.on("load", lambda: loads.append(visitor.url))

    expect(host.locator("#waiting .waiting-name")).to_have_text("Vera Visitor")
    screenshot(host, "host_waiting_room")
    host.click("#waiting button")

    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    assert loads == [f"{moot.base_url}/j/{meeting['id']}/room"]  # no reload of the join page on the way
    expect(visitor.locator("#participants li")).to_have_text([f"{HOST_NAME} (host)", "Vera Visitor (you)"])
    screenshot(visitor, "room_two_participants")
    expect(host.locator("#participants li")).to_have_text([f"{HOST_NAME} (host)", "Vera Visitor"])

    host.click("#end")
    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}")
    expect(visitor.locator("[data-only=ended]")).to_have_text("The host has ended this meeting.")
    expect(host.locator("#not-started")).to_be_visible()
    screenshot(visitor, "join_host_ended")


def test_the_host_enters_the_room_page_as_host(moot: LiveMoot, host_context: BrowserContext) -> None:
    meeting = moot.create_meeting(topic="Solo")
    host = host_context.new_page()
    host.goto(moot.start_url(meeting["id"]))
    host.click("#enter-room")
    host.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    expect(host.locator("#participants li")).to_have_text([f"{HOST_NAME} (host)"])


def test_without_join_before_host_the_visitor_waits_for_the_host_then_joins(
    moot: LiveMoot, context: BrowserContext, host_context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Office hours")
    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    expect(visitor.locator("[data-note=not_started]")).to_be_visible()
    join_as(visitor, "Early Bird")
    expect(visitor.locator("#waiting-host h2")).to_have_text("Waiting for the host to start this meeting")
    screenshot(visitor, "join_waiting_for_host")

    host_context.new_page().goto(moot.start_url(meeting["id"]))
    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    expect(visitor.locator("#participants li")).to_have_text([f"{HOST_NAME} (host)", "Early Bird (you)"])

    visitor.click("#leave")
    expect(visitor.locator("[data-only=left]")).to_be_visible()
    expect(visitor.locator("[data-note=started]")).to_be_visible()


def test_join_before_host_any_time_starts_the_meeting(moot: LiveMoot, context: BrowserContext) -> None:
    meeting = moot.create_meeting(topic="Open room", settings={"join_before_host": True, "jbh_time": 0})
    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    join_as(visitor, "First In")
    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    expect(visitor.locator("#participants li")).to_have_text(["First In (you)"])
    assert moot.meeting(meeting["id"])["status"] == "started"


def test_join_before_host_opens_only_jbh_time_minutes_before_the_start(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Later", settings={"join_before_host": True, "jbh_time": 10})
    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    expect(visitor.locator("[data-note=early]")).to_contain_text("You can join from")
    join_as(visitor, "Too Early")
    expect(visitor.locator("#waiting-host")).to_be_visible()
    screenshot(visitor, "join_jbh_early")
    assert moot.meeting(meeting["id"])["status"] == "waiting"


def test_a_deleted_meeting_shows_on_the_open_page_and_then_is_not_valid(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Cancelled")
    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    expect(visitor.locator("#topic")).to_have_text("Cancelled")
    assert moot.api("DELETE", f"/meetings/{meeting['id']}").status_code == 204
    expect(visitor.locator("#deleted h2")).to_have_text("This meeting is no longer available")
    screenshot(visitor, "join_deleted")
    response = visitor.reload()
    assert response is not None and response.status == 404


def test_a_registrant_link_shows_pending_then_lets_in_once_approved(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(
        topic="Registered event",
        settings={"approval_type": 1, "join_before_host": True},
    )
    registrant = moot.register(meeting["id"], "Rita", "rita@example.com")
    visitor = context.new_page()
    visitor.goto(moot.personal_link(meeting, registrant["registrant_id"]))
    assert visitor.url == f"{moot.base_url}/j/{meeting['id']}"  # tk and pwd left the address bar
    expect(visitor.locator("#pending h2")).to_have_text("Your registration is pending approval")
    screenshot(visitor, "join_registrant_pending")

    moot.set_registrant_status(meeting["id"], registrant["registrant_id"], "approve")
    expect(visitor.locator("#joining-as")).to_have_text("Rita Reg")
    visitor.click("#join-form button")
    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    expect(visitor.locator("#participants li")).to_have_text(["Rita Reg (you)"])


def test_a_meeting_with_registration_sends_others_to_its_registration_form(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Registered only", settings={"approval_type": 0})
    visitor = context.new_page()
    visitor.goto(meeting["join_url"])
    expect(visitor.locator("h1")).to_have_text("Registration required")
    assert visitor.get_attribute("a.button", "href") == meeting["registration_url"]
    visitor.click("a.button")
    expect(visitor.locator("#topic")).to_have_text("Registered only")
    visitor.fill("input[name=first_name]", "Otto")
    visitor.fill("input[name=last_name]", "Open")
    visitor.fill("input[name=email]", "otto@example.com")
    visitor.click("#register-form button")
    expect(visitor.locator("h1")).to_have_text("You are registered")
    screenshot(visitor, "register_approved")
    visitor.click("a.button")  # the personal join link
    expect(visitor.locator("#joining-as")).to_have_text("Otto Open")
    visitor.click("#join-form button")
    expect(visitor.locator("#waiting-host")).to_be_visible()


def test_the_registration_form_of_a_meeting_with_approval_answers_pending(
    moot: LiveMoot, context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Vetted", settings={"approval_type": 1})
    visitor = context.new_page()
    visitor.goto(meeting["registration_url"])
    visitor.fill("input[name=first_name]", "Paula")
    visitor.fill("input[name=email]", "paula@example.com")
    visitor.click("#register-form button")
    expect(visitor.locator("h1")).to_have_text("Registration received")
    expect(visitor.locator("#message")).to_contain_text("Your registration is pending")
    screenshot(visitor, "register_pending")
    response = moot.api("GET", f"/meetings/{meeting['id']}/registrants", params={"status": "pending"})
    assert [r["email"] for r in response.json()["registrants"]] == ["paula@example.com"]


def test_script_in_topic_agenda_and_names_is_shown_as_text(
    moot: LiveMoot, context: BrowserContext, host_context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic=XSS_TOPIC, agenda=XSS_NAME, settings={"waiting_room": True})
    host = host_context.new_page()
    host_dialogs = dialogs_of(host)
    host.goto(moot.start_url(meeting["id"]))
    visitor = context.new_page()
    visitor_dialogs = dialogs_of(visitor)
    visitor.goto(meeting["join_url"])
    expect(visitor.locator("#topic")).to_have_text(XSS_TOPIC)
    expect(visitor.locator("#agenda")).to_have_text(XSS_NAME)
    join_as(visitor, XSS_NAME)
    expect(host.locator("#waiting .waiting-name")).to_have_text(XSS_NAME)
    expect(host.locator("#topic")).to_have_text(XSS_TOPIC)
    host.click("#waiting button")
    visitor.wait_for_url(f"{moot.base_url}/j/{meeting['id']}/room")
    expect(visitor.locator("#participants li")).to_have_text([f"{HOST_NAME} (host)", f"{XSS_NAME} (you)"])
    assert visitor.locator("img").count() == 0 and host.locator("img").count() == 0
    screenshot(visitor, "xss_room")
    screenshot(host, "xss_host")
    assert host_dialogs == [] and visitor_dialogs == []


def test_a_forged_cross_site_post_is_refused(
    moot: LiveMoot, context: BrowserContext, host_context: BrowserContext
) -> None:
    meeting = moot.create_meeting(topic="Guarded")
    host = host_context.new_page()
    host.goto(moot.start_url(meeting["id"]))
    expect(host.locator("#started")).to_be_visible()
    forged = host_context.new_page()
    forged.set_content(
        f'<form method="post" action="{moot.base_url}/s/{meeting["id"]}/end">'
        '<input name="csrf_token" value="guessed"><button>Win a prize</button></form>'
    )
    with forged.expect_navigation():
        forged.click("button")
    expect(forged.locator("h1")).to_have_text("This form has expired")
    screenshot(forged, "csrf_forged_refused")
    assert moot.meeting(meeting["id"])["status"] == "started"


@pytest.fixture(scope="module")
def short_zak_moot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMoot]:
    with live_moot(tmp_path_factory.mktemp("short-zak"), MOOT_ZAK_TTL="2") as running:
        yield running


def test_an_expired_zak_asks_the_host_to_sign_in_then_starts_with_a_fresh_one(
    short_zak_moot: LiveMoot, host_context: BrowserContext
) -> None:
    moot = short_zak_moot
    meeting = moot.create_meeting(topic="Late start")
    start_url = moot.start_url(meeting["id"])
    host = host_context.new_page()
    host.wait_for_timeout(2500)
    response = host.goto(start_url)
    assert response is not None and response.status == 401
    expect(host.locator("#message")).to_have_text(
        "The start link has expired: get a fresh start_url from the meeting."
    )
    host.fill("input[name=email]", "host@example.com")
    host.fill("input[name=password]", "wrong")
    host.click("#signin-form button")
    expect(host.locator("#error")).to_have_text("Incorrect email or password.")
    screenshot(host, "host_signin_wrong")

    host.fill("input[name=email]", "host@example.com")
    host.fill("input[name=password]", "correct horse battery staple")
    host.click("#signin-form button")
    expect(host.locator("#topic")).to_have_text("Late start")
    assert host.url.startswith(f"{moot.base_url}/s/{meeting['id']}?zak=")
    assert host.url.split("zak=", 1)[1] != start_url.split("zak=", 1)[1]
    expect(host.locator("#started")).to_be_visible()
    screenshot(host, "host_started_after_signin")
    assert moot.meeting(meeting["id"])["status"] == "started"


def test_the_start_time_shows_in_the_visitors_zone_and_the_meetings(moot: LiveMoot, browser: Browser) -> None:
    meeting = moot.create_meeting(topic="Across zones", timezone="Europe/Paris")
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    try:
        page = context.new_page()
        page.goto(meeting["join_url"])
        expect(page.locator("#when time")).to_have_text("Mon, Jun 9, 2031, 01:00 PM EDT")
        expect(page.locator("#meeting-time")).to_have_text("Mon 09 Jun 2031, 19:00 (CEST, Europe/Paris)")
        screenshot(page, "join_time_zones")
    finally:
        context.close()
