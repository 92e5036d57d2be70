"""``moot login --oauth`` against a live ``moot serve``: the test plays the browser (consent form over
httpx, then the redirect to the CLI's loopback listener), and the profile's rotating refresh tokens."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from moot.cli import app
from moot.client import Client
from moot.commands import profiles
from moot.commands.oauth_login import Callback, Listener, graphical_browser_likely
from tests.client.conftest import Live
from tests.support.api import consent_form
from tests.support.live_server import MOOT, free_port

SCOPES = "meeting:read meeting:write user:read"
PASSWORD = "Sign1n-Secret"


@dataclass(frozen=True)
class OAuthApp:
    client_id: str
    client_secret: str
    port: int
    email: str

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"


@pytest.fixture
def oauth_app(live: Live) -> OAuthApp:
    """A user OAuth app whose redirect URI is a free loopback port, and a user with a password."""
    port = free_port()
    created = CliRunner().invoke(
        app,
        [
            "apps", "create", "--account", live.account_id, "--type", "oauth", "--redirect-uri",
            f"http://127.0.0.1:{port}/callback", "--scopes", SCOPES.replace(" ", ","), "--json",
            "--db-url", live.db_url,
        ],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    credentials = json.loads(created.stdout)
    email = f"signer-{uuid.uuid4().hex[:8]}@sdk.moot.test"
    with Client(
        account_id=live.account_id,
        client_id=live.client_id,
        client_secret=live.client_secret,
        base_url=live.base_url,
    ) as admin:
        admin.users.create("autoCreate", email=email, type=1, password=PASSWORD)
    return OAuthApp(credentials["client_id"], credentials["client_secret"], port, email)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("MOOT_CONFIG", str(path))
    for name in ("MOOT_ACCOUNT_ID", "MOOT_CLIENT_ID", "MOOT_CLIENT_SECRET", "MOOT_BASE_URL", "MOOT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return path


def play_browser(authorize_url: str, email: str, action: str = "allow") -> httpx.Response:
    """What a person does: open the URL, sign in on the consent page, let the redirect reach the CLI."""
    with httpx.Client(timeout=10) as browser:  # one cookie jar: the consent form's nonce cookie
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text
        form = consent_form(page.text) | {"email": email, "password": PASSWORD, "action": action}
        answer = browser.post(urljoin(authorize_url, "/oauth/authorize"), data=form)
        assert answer.status_code == 302, answer.text
        return browser.get(answer.headers["location"])


def login_args(live: Live, oauth: OAuthApp, *extra: str) -> list[str]:
    return [
        "login", "--oauth", "--profile", "me", "--client-id", oauth.client_id, "--base-url", live.base_url,
        "--port", str(oauth.port), *extra,
    ]  # fmt: skip


def stored(config: Path) -> dict[str, Any]:
    profile: dict[str, Any] = tomllib.loads(config.read_text())["profiles"]["me"]
    return profile


def run_json(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def expire_access_token(config: Path) -> None:
    saved = profiles.stored("me", config)
    profiles.save_tokens("me", saved.access_token, saved.refresh_token, time.time() - 1, config)


@pytest.mark.live
def test_login_in_a_browser_then_rotate_refresh_tokens(live: Live, oauth_app: OAuthApp, config: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOOT_")}
    env |= {
        "MOOT_CONFIG": str(config),
        "MOOT_CLIENT_SECRET": oauth_app.client_secret,
        "NO_PROXY": "127.0.0.1",
    }
    process = subprocess.Popen(
        [str(MOOT), *login_args(live, oauth_app, "--no-browser", "--timeout", "60", "--json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        printed = [process.stderr.readline() for _ in range(2)]
        authorize_url = printed[1].strip()
        assert (
            printed[0] == f"Sign in with a browser at this address (waiting for {oauth_app.redirect_uri}):\n"
        )
        assert authorize_url.startswith(f"{live.base_url}/oauth/authorize?")
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert set(query) == {
            "response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"
        }  # fmt: skip
        assert (query["response_type"], query["client_id"], query["redirect_uri"]) == (
            "code",
            oauth_app.client_id,
            oauth_app.redirect_uri,
        )
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43

        landing = play_browser(authorize_url, oauth_app.email)
        assert landing.status_code == 200 and "Signed in" in landing.text

        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    saved = stored(config)
    assert json.loads(stdout) == {
        "profile": "me",
        "base_url": live.base_url,
        "auth": "oauth",
        "client_id": oauth_app.client_id,
        "scope": SCOPES,
        "user": oauth_app.email,
        "config": str(config),
    }
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert set(saved) == {
        "base_url", "account_id", "client_id", "client_secret", "auth", "access_token", "refresh_token",
        "token_expires_at",
    }  # fmt: skip
    assert (saved["auth"], saved["client_id"], saved["client_secret"]) == (
        "oauth",
        oauth_app.client_id,
        oauth_app.client_secret,
    )
    assert 3500 < saved["token_expires_at"] - time.time() <= 3600
    for secret in (saved["access_token"], saved["refresh_token"], oauth_app.client_secret):
        assert secret and secret not in stdout + stderr + "".join(printed)

    # The profile acts as the signed-in user.
    meeting = run_json("meetings", "create", "--topic", "Mine", "--start", "2030-06-09T17:00:00Z")
    assert meeting["host_email"] == oauth_app.email
    assert run_json("users", "get")["email"] == oauth_app.email

    # An expired access token is renewed with the refresh token, and the new pair is saved at once.
    first = stored(config)
    expire_access_token(config)
    assert run_json("users", "get")["email"] == oauth_app.email
    second = stored(config)
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert 3500 < second["token_expires_at"] - time.time() <= 3600
    expire_access_token(config)  # the saved refresh token is the live one: renewing works again
    assert [m["id"] for m in run_json("meetings", "list")] == [meeting["id"]]
    third = stored(config)
    assert third["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    assert tomllib.loads(config.read_text())["current"] == "me"

    # A spent refresh token presented again revokes the grant (moot's reuse detection); the CLI says what
    # to do.
    reuse = httpx.post(
        f"{live.base_url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(oauth_app.client_id, oauth_app.client_secret),
    )
    assert (reuse.status_code, reuse.json()) == (400, {"reason": "Invalid Token!", "error": "invalid_grant"})
    refused = CliRunner().invoke(app, ["users", "get"])
    assert refused.exit_code == 2
    assert "Error 400: Invalid Token!" in refused.stderr
    assert "run `moot login --oauth --profile me` again" in refused.stderr


class BrowserThread(threading.Thread):
    """A stand-in for ``webbrowser.open``: plays the browser in the background, as a real one would."""

    def __init__(self, email: str, action: str) -> None:
        super().__init__(daemon=True)
        self.email, self.action = email, action
        self.url = ""
        self.landing: httpx.Response | None = None

    def open(self, url: str, *args: object, **kwargs: object) -> bool:
        self.url = url
        self.start()
        return True

    def run(self) -> None:
        self.landing = play_browser(self.url, self.email, self.action)


@pytest.fixture
def browser(oauth_app: OAuthApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[BrowserThread]:
    thread = BrowserThread(oauth_app.email, "allow")
    monkeypatch.setattr("webbrowser.open", thread.open)
    monkeypatch.setenv("DISPLAY", ":0")  # a desktop: the CLI opens the browser
    yield thread
    thread.join(timeout=10)


@pytest.mark.live
def test_login_opens_the_browser(
    live: Live, oauth_app: OAuthApp, config: Path, browser: BrowserThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", oauth_app.client_secret)
    result = CliRunner().invoke(app, login_args(live, oauth_app, "--timeout", "30"))
    browser.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert browser.url in result.stderr.splitlines()
    assert result.stdout == f"Logged in as {oauth_app.email}: profile me saved to {config}.\n"
    assert browser.landing is not None and browser.landing.status_code == 200
    assert stored(config)["auth"] == "oauth"


@pytest.mark.live
def test_login_refused_in_the_browser_exits_2(
    live: Live, oauth_app: OAuthApp, config: Path, browser: BrowserThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.action = "deny"
    result = CliRunner().invoke(app, login_args(live, oauth_app, "--timeout", "30"), input="secret\n")
    assert result.exit_code == 2, result.output
    assert "Sign-in refused: access_denied." in result.stderr
    assert not config.exists()


@pytest.mark.live
def test_an_unregistered_redirect_uri_is_explained(
    live: Live, oauth_app: OAuthApp, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("MOOT_CLIENT_SECRET", oauth_app.client_secret)
    other = free_port()
    args = login_args(live, oauth_app)
    args[args.index("--port") + 1] = str(other)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "The server refused the sign-in request: Redirect URI mismatch." in message
    assert f"The app must have http://127.0.0.1:{other}/callback among its redirect URIs" in message
    assert opened == [] and not config.exists()


@pytest.mark.live
def test_an_unknown_client_id_is_explained(live: Live, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", "whatever")
    result = CliRunner().invoke(
        app,
        ["login", "--oauth", "--client-id", "nope", "--base-url", live.base_url, "--port", str(free_port())],
    )
    assert result.exit_code == 2
    assert "The server refused the sign-in request: Invalid client_id." in result.stderr


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


def test_the_listener_takes_only_its_own_redirect() -> None:
    port = free_port()
    with Listener(port, "the-state") as listener:
        answers: list[int] = []

        def browse() -> None:
            base = f"http://127.0.0.1:{port}"
            for path in (
                "/favicon.ico",
                "/callback?state=forged&code=evil",
                "/callback?state=the-state&code=c0de",
            ):
                answers.append(_get(base + path).status_code)

        thread = threading.Thread(target=browse)
        thread.start()
        assert listener.wait(10) == Callback(code="c0de")
        thread.join()
    assert answers == [404, 400, 200]


def test_the_listener_gives_up_after_the_timeout() -> None:
    with Listener(free_port(), "s") as listener:
        started = time.monotonic()
        assert listener.wait(0.3) is None
        assert time.monotonic() - started < 2


def test_a_busy_port_is_explained(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", "s")
    with Listener(free_port(), "s") as busy:
        port = busy.server_address[1]
        args = [
            "login",
            "--oauth",
            "--client-id",
            "c",
            "--base-url",
            "http://127.0.0.1:9",
            "--port",
            str(port),
        ]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {}, False),
        ("linux", {"DISPLAY": ":0"}, True),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, True),
        ("linux", {"BROWSER": "firefox"}, True),
        ("darwin", {}, True),
        ("win32", {}, True),
    ],
)
def test_no_browser_is_opened_without_a_display(
    platform: str, env: dict[str, str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.platform", platform)
    assert graphical_browser_likely() is expected
