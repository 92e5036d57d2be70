"""``moot apps create|update`` with an event-notification endpoint: Zoom's URL-validation challenge, sent to
a real receiver, decides whether the endpoint is stored active."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from moot.cli import app
from moot.domain.accounts import WebhookEndpoint
from moot.domain.events import EVENT_TYPES
from tests.support.live_server import free_port
from tests.support.receiver import URL_VALIDATION, Delivery, Receiver
from tests.support.stored import stored_app, stored_apps

SECRET = "cli-w3bh00k-secret"
WRONG_ANSWER = "encryptedToken is not HMAC-SHA256(secret token, plainToken)"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
TRACKING_ID = re.compile(r"^v=2\.0;clid=moot;rid=WEBHOOK_[0-9a-f]{32}$")
# What Zoom sends besides HTTP's own headers (moot does not send the legacy `authorization` token).
ZOOM_HEADERS = (
    "content-type",
    "user-agent",
    "x-zm-request-timestamp",
    "x-zm-signature",
    "x-zm-trackingid",
    "clientid",
    "authorization",
)

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("MOOT_DB_URL", "MOOT_BOOTSTRAP_WEBHOOK_URL", "MOOT_BOOTSTRAP_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return f"sqlite:///{tmp_path / 'moot.db'}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
def account_id(db_url: str) -> str:
    created = json.loads(moot("accounts", "create", "--json", "--db-url", db_url).stdout)
    return str(created["account_id"])


def moot(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return result


def documents(result: Result) -> list[Any]:
    """The JSON documents on stdout, one a line."""
    return [json.loads(line) for line in result.stdout.splitlines()]


def said(text: str) -> str:
    """``text`` with rich's line wrapping undone."""
    return " ".join(text.split())


def create_app(db_url: str, account_id: str, *webhook: str, code: int = 0) -> tuple[str, Result]:
    """``moot apps create --json`` with the webhook options: the new app's client id, and the run."""
    result = moot(
        "apps", "create", "--account", account_id, *webhook, "--json", "--db-url", db_url, code=code
    )
    (created,) = documents(result)
    assert set(created) - {"webhook"} == {"account_id", "client_id", "client_secret"}
    return str(created["client_id"]), result


def endpoint(db_url: str, client_id: str) -> WebhookEndpoint | None:
    found = stored_app(db_url, client_id)
    assert found is not None
    return found.webhook


def assert_challenged(delivery: Delivery, client_id: str) -> None:
    """``delivery`` is a signed URL-validation challenge for ``client_id``, as Zoom sends it."""
    assert (delivery.method, delivery.path, delivery.verified, delivery.answered) == (
        "POST",
        "/webhook",
        True,
        200,
    )
    sent = {k: v for k, v in delivery.headers.items() if k in ZOOM_HEADERS}
    assert TRACKING_ID.match(sent["x-zm-trackingid"]), sent
    sent_at = int(sent["x-zm-request-timestamp"])
    assert abs(sent_at - time.time()) < 30
    assert sent == {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Zoom Marketplace/1.0a",
        "x-zm-request-timestamp": str(sent_at),
        "x-zm-signature": sent["x-zm-signature"],  # checked by the receiver: `verified`
        "x-zm-trackingid": sent["x-zm-trackingid"],
        "clientid": client_id,
    }
    plain = delivery.json["payload"]["plainToken"]
    assert TOKEN.match(plain), plain
    assert delivery.json == {
        "payload": {"plainToken": plain},
        "event_ts": delivery.json["event_ts"],
        "event": URL_VALIDATION,
    }
    assert abs(delivery.json["event_ts"] - sent_at * 1000) < 1000


def validated_recently(found: WebhookEndpoint | None, since: datetime) -> WebhookEndpoint:
    """``found`` with its validated_at, checked to lie between ``since`` and now, cleared."""
    assert found is not None and found.validated_at is not None, found
    assert since - timedelta(seconds=1) <= found.validated_at <= datetime.now(UTC), found.validated_at
    return replace(found, validated_at=None)


def test_create_challenges_the_url_and_stores_the_endpoint_active(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    started = datetime.now(UTC)
    client_id, result = create_app(
        db_url,
        account_id,
        "--webhook-url",
        receiver.url,
        "--webhook-secret",
        SECRET,
        "--events",
        "meeting.deleted,meeting.created",
    )
    assert documents(result)[0]["webhook"] == {
        "webhook_url": receiver.url,
        "events": ["meeting.created", "meeting.deleted"],
        "active": True,
        "error": None,
    }
    assert result.stderr == ""
    [challenge] = receiver.deliveries
    assert_challenged(challenge, client_id)
    assert validated_recently(endpoint(db_url, client_id), started) == WebhookEndpoint(
        receiver.url, SECRET, ("meeting.created", "meeting.deleted"), active=True
    )


def test_a_wrong_answer_to_the_challenge_stores_the_endpoint_inactive_and_exits_1(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    receiver.wrong_validation = True
    client_id, result = create_app(
        db_url, account_id, "--webhook-url", receiver.url, "--webhook-secret", SECRET, code=1
    )
    assert documents(result)[0]["webhook"] == {
        "webhook_url": receiver.url,
        "events": list(EVENT_TYPES),
        "active": False,
        "error": WRONG_ANSWER,
    }
    assert said(result.stderr) == (
        f"Event-notification endpoint {receiver.url} is NOT active: it failed URL validation "
        f"({WRONG_ANSWER}). A running moot challenges it again every 10 seconds."
    )
    [challenge] = receiver.deliveries
    assert_challenged(challenge, client_id)
    assert endpoint(db_url, client_id) == WebhookEndpoint(
        receiver.url, SECRET, EVENT_TYPES, active=False, validated_at=None, last_error=WRONG_ANSWER
    )


def test_an_unreachable_url_is_stored_inactive_with_the_reason(db_url: str, account_id: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    result = moot(
        "apps",
        "create",
        "--account",
        account_id,
        "--webhook-url",
        url,
        "--webhook-secret",
        SECRET,
        "--db-url",
        db_url,
        code=1,
    )
    assert "Server-to-Server OAuth app created" in result.stdout
    [client_id] = re.findall(r"client_id\s*[│|]\s*(\S+)", result.stdout)
    stored = endpoint(db_url, client_id)
    assert stored is not None and stored.last_error.startswith("request failed: "), stored
    assert stored == WebhookEndpoint(url, SECRET, EVENT_TYPES, active=False, last_error=stored.last_error)
    assert said(result.stderr) == (
        f"Event-notification endpoint {url} is NOT active: it failed URL validation "
        f"({stored.last_error}). A running moot challenges it again every 10 seconds."
    )


def test_unknown_events_are_refused_before_the_app_is_created(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    result = moot(
        "apps",
        "create",
        "--account",
        account_id,
        "--webhook-url",
        receiver.url,
        "--events",
        "meeting.created,bogus",
        "--json",
        "--db-url",
        db_url,
        code=2,
    )
    assert result.stdout == ""
    assert said(result.stderr) == f"unknown events: bogus. Known events: {', '.join(EVENT_TYPES)}"
    assert receiver.deliveries == []
    assert stored_apps(db_url, account_id) == []


def test_update_challenges_a_new_url_but_not_new_events(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    client_id, _ = create_app(
        db_url, account_id, "--webhook-url", receiver.url, "--webhook-secret", SECRET, "--events", "all"
    )
    before = endpoint(db_url, client_id)
    assert before is not None
    receiver.clear()

    events_only = moot(
        "apps",
        "update",
        "--client-id",
        client_id,
        "--events",
        "meeting.updated",
        "--json",
        "--db-url",
        db_url,
    )
    assert documents(events_only) == [
        {
            "client_id": client_id,
            "webhook_url": receiver.url,
            "events": ["meeting.updated"],
            "active": True,
            "error": None,
        }
    ]
    assert receiver.deliveries == []
    assert endpoint(db_url, client_id) == replace(before, events=("meeting.updated",))

    with Receiver(SECRET) as moved:
        started = datetime.now(UTC)
        new_url = moot(
            "apps",
            "update",
            "--client-id",
            client_id,
            "--webhook-url",
            moved.url,
            "--json",
            "--db-url",
            db_url,
        )
        assert documents(new_url) == [
            {
                "client_id": client_id,
                "webhook_url": moved.url,
                "events": ["meeting.updated"],
                "active": True,
                "error": None,
            }
        ]
        [challenge] = moved.deliveries
        assert_challenged(challenge, client_id)
    assert receiver.deliveries == []
    assert validated_recently(endpoint(db_url, client_id), started) == WebhookEndpoint(
        moved.url, SECRET, ("meeting.updated",), active=True
    )


def test_update_validate_challenges_again_and_a_failure_deactivates(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    client_id, _ = create_app(db_url, account_id, "--webhook-url", receiver.url, "--webhook-secret", SECRET)
    receiver.clear()
    receiver.wrong_validation = True
    result = moot(
        "apps", "update", "--client-id", client_id, "--validate", "--json", "--db-url", db_url, code=1
    )
    assert documents(result) == [
        {
            "client_id": client_id,
            "webhook_url": receiver.url,
            "events": list(EVENT_TYPES),
            "active": False,
            "error": WRONG_ANSWER,
        }
    ]
    [challenge] = receiver.deliveries
    assert_challenged(challenge, client_id)
    assert endpoint(db_url, client_id) == WebhookEndpoint(
        receiver.url, SECRET, EVENT_TYPES, active=False, last_error=WRONG_ANSWER
    )


def test_remove_webhook(db_url: str, account_id: str, receiver: Receiver) -> None:
    client_id, _ = create_app(db_url, account_id, "--webhook-url", receiver.url, "--webhook-secret", SECRET)
    result = moot(
        "apps", "update", "--client-id", client_id, "--remove-webhook", "--json", "--db-url", db_url
    )
    assert documents(result) == [{"client_id": client_id, "webhook": None}]
    assert endpoint(db_url, client_id) is None
    assert len(receiver.deliveries) == 1  # only create's challenge


def test_a_missing_secret_is_generated_and_printed_once(
    db_url: str, account_id: str, receiver: Receiver
) -> None:
    # The receiver cannot know a secret moot has not made yet, so the first challenge fails ...
    client_id, result = create_app(db_url, account_id, "--webhook-url", receiver.url, code=1)
    report = documents(result)[0]["webhook"]
    generated = report["webhook_secret"]
    assert TOKEN.match(generated), generated
    assert report == {
        "webhook_url": receiver.url,
        "events": list(EVENT_TYPES),
        "active": False,
        "error": "answered HTTP 401, expected 200",
        "webhook_secret": generated,
    }
    stored = endpoint(db_url, client_id)
    assert stored is not None and stored.secret_token == generated
    # ... and passes once the receiver is given the printed secret; the secret is not printed again.
    receiver.secret = generated
    started = datetime.now(UTC)
    again = moot("apps", "update", "--client-id", client_id, "--validate", "--json", "--db-url", db_url)
    assert documents(again) == [
        {
            "client_id": client_id,
            "webhook_url": receiver.url,
            "events": list(EVENT_TYPES),
            "active": True,
            "error": None,
        }
    ]
    assert validated_recently(endpoint(db_url, client_id), started) == WebhookEndpoint(
        receiver.url, generated, EVENT_TYPES, active=True
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--client-id", "nope", "--events", "all"], 1, "No app 'nope'."),
        (
            ["--events", "all"],
            2,
            "--webhook-url is required to set an event-notification endpoint.",
        ),
        (
            [],
            2,
            "Nothing to change: give --webhook-url, --webhook-secret, --events, --validate or "
            "--remove-webhook.",
        ),
        (["--webhook-url", "ftp://x.example/hook"], 2, "--webhook-url must be an http:// or https:// URL."),
    ],
)
def test_update_refuses(db_url: str, account_id: str, args: list[str], code: int, message: str) -> None:
    client_id, _ = create_app(db_url, account_id)  # an app without an endpoint
    if "--client-id" not in args:
        args = ["--client-id", client_id, *args]
    result = moot("apps", "update", *args, "--db-url", db_url, code=code)
    assert said(result.stderr) == message
    assert endpoint(db_url, client_id) is None


def test_a_link_local_url_is_refused_and_the_endpoint_stored_inactive(db_url: str, account_id: str) -> None:
    url = "http://169.254.169.254/"
    client_id, result = create_app(
        db_url, account_id, "--webhook-url", url, "--webhook-secret", SECRET, code=1
    )
    reason = "request failed: refused: 169.254.169.254 is a link-local address"
    assert documents(result)[0]["webhook"] == {
        "webhook_url": url,
        "events": list(EVENT_TYPES),
        "active": False,
        "error": reason,
    }
    assert endpoint(db_url, client_id) == WebhookEndpoint(
        url, SECRET, EVENT_TYPES, active=False, last_error=reason
    )


def test_with_deny_private_a_loopback_receiver_is_refused(
    db_url: str, account_id: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOOT_WEBHOOK_DENY_PRIVATE", "true")
    client_id, result = create_app(
        db_url, account_id, "--webhook-url", receiver.url, "--webhook-secret", SECRET, code=1
    )
    reason = "request failed: refused: 127.0.0.1 is a loopback address"
    assert documents(result)[0]["webhook"]["error"] == reason
    assert endpoint(db_url, client_id) == WebhookEndpoint(
        receiver.url, SECRET, EVENT_TYPES, active=False, last_error=reason
    )
    assert receiver.deliveries == []
