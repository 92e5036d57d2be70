"""The SDK under test, pointed at moot two ways: in process (``httpx.ASGITransport`` on the app, with the
shared ``store`` and ``clock`` fixtures) and over HTTP at a live ``moot serve`` (marked ``live``). Every test
that takes ``zoom`` runs in both modes; ``-m "not live"`` keeps only the in-process run."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from moot.api.app import create_app
from moot.cli import app as cli_app
from moot.client import AsyncClient, Client
from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.accounts import create_account
from moot.services.accounts import create_app as create_oauth_app
from moot.services.context import Deps, Keys
from tests.support.databases import open_test_store
from tests.support.live_server import StartFailed, serve, server_env

ACCOUNT_ID = "mootSdkTestAccount0001"
CLIENT_ID = "mootSdkTestClient00001"
CLIENT_SECRET = "mootSdkTestSecret0123456789abcdef"
OWNER_EMAIL = "owner@sdk.moot.test"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "live: talks to a live `moot serve` over HTTP")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("zoom") == "live":
            item.add_marker(pytest.mark.live)


@dataclass(frozen=True)
class Live:
    base_url: str
    account_id: str
    client_id: str
    client_secret: str
    db_url: str = ""


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One ``moot serve`` for the session, on a fresh SQLite file, with known credentials."""
    env = server_env(
        MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
        MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
        MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
        MOOT_BOOTSTRAP_USER_EMAIL=OWNER_EMAIL,
    )
    with ExitStack() as stack:
        workdir = tmp_path_factory.mktemp("moot-sdk")
        db_url = f"sqlite:///{workdir / 'moot.db'}"
        try:
            running = stack.enter_context(serve(workdir, db_url=db_url, env=env))
        except StartFailed as failure:
            pytest.fail(f"moot serve did not start: {failure}", pytrace=False)
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        for name in ("NO_PROXY", "no_proxy"):
            patch.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"])))
        yield Live(running.base_url, ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, db_url)


async def _in_process(deps: Deps, clock: ControllableClock) -> AsyncClient:
    account, _owner = await create_account(deps, owner_email=OWNER_EMAIL)
    app, secret = await create_oauth_app(deps, account_id=account.id)
    transport = httpx.ASGITransport(app=create_app(deps.settings, deps=deps))
    return AsyncClient(
        account_id=account.id,
        client_id=app.client_id,
        client_secret=secret,
        base_url="http://moot.test",
        transport=transport,
        clock=clock.timestamp,
    )


@pytest.fixture(params=["asgi", "live"])
async def zoom(request: pytest.FixtureRequest) -> AsyncIterator[AsyncClient]:
    """An :class:`AsyncClient` authenticated as an S2S app, in process or against ``moot serve``."""
    if request.param == "asgi":
        # SQLite only: the shared ``store`` fixture is parametrised and cannot be requested from here.
        clock: ControllableClock = request.getfixturevalue("clock")
        store = await open_test_store("sqlite", request.getfixturevalue("tmp_path"), None)
        settings = Settings(db_url="sqlite:///:memory:", public_url="http://moot.test")
        deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
        try:
            async with await _in_process(deps, clock) as client:
                yield client
        finally:
            await store.close()
        return
    server: Live = request.getfixturevalue("live")
    async with AsyncClient(
        account_id=server.account_id,
        client_id=server.client_id,
        client_secret=server.client_secret,
        base_url=server.base_url,
    ) as client:
        yield client


# The CLI (``moot ...`` through Typer's runner, in process) against the live server.


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MOOT_CONFIG", str(tmp_path / "config.toml"))
    for name in ("MOOT_ACCOUNT_ID", "MOOT_CLIENT_ID", "MOOT_CLIENT_SECRET", "MOOT_BASE_URL", "MOOT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.fixture
def logged_in(runner: CliRunner, live: Live, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", live.client_secret)
    args = ["login", "--profile", "local", "--base-url", live.base_url]
    result = runner.invoke(cli_app, [*args, "--account-id", live.account_id, "--client-id", live.client_id])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("MOOT_CLIENT_SECRET")
    return runner


def run_json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def admin(live: Live) -> Client:
    """A synchronous SDK client on the live server, as the bootstrap S2S app."""
    return Client(
        account_id=live.account_id,
        client_id=live.client_id,
        client_secret=live.client_secret,
        base_url=live.base_url,
    )


@pytest.fixture
def host(live: Live) -> str:
    """A fresh user of the live server's account, so that listings see only this test's meetings."""
    with admin(live) as zoom:
        created = zoom.users.create(
            "autoCreate", email=f"host-{uuid.uuid4().hex[:10]}@sdk.moot.test", type=2, password="Secret123"
        )
    return created["id"]
