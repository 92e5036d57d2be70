"""Keeping a user's tests apart without restarting anything: ``moot_server`` reset before each test (or a
new account per test), ``moot_app`` new per test; and the state's export, import and reset."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from moot.testing.server import EmulatorProcess, Isolation, start_emulator
from tests.testing.conftest import outcomes, ran

ISOLATED_SUITE = """
import json

import pytest

SEEN = []


@pytest.mark.parametrize("n", range(3))
def test_server(moot_server, moot_credentials, n):
    assert moot_credentials == moot_server.credentials
    assert list(moot_server.client.meetings.list()) == []
    moot_server.client.meetings.create(topic=f"server {n}")
    assert [entry["path"] for entry in moot_server.admin.requests(path="/v2/*")] == [
        "/v2/users/me/meetings", "/v2/users/me/meetings"
    ]
    SEEN.append(moot_credentials.account_id)


@pytest.mark.parametrize("n", range(3))
def test_app(moot_app, moot_credentials, n):
    assert moot_credentials == moot_app.credentials
    assert list(moot_app.client.meetings.list()) == []
    moot_app.client.meetings.create(topic=f"app {n}")


@pytest.mark.parametrize("n", range(3))
async def test_app_async(moot_app, n):
    async with moot_app.make_async_client() as client:
        assert [meeting async for meeting in client.meetings.list()] == []
        await client.meetings.create(topic=f"async {n}")
    async with moot_app.async_http() as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}


def test_accounts_seen():
    with open("accounts.json", "w") as out:
        json.dump(SEEN, out)
"""


def _accounts(suite: pytest.Pytester) -> list[str]:
    """The account of each of the three moot_server tests."""
    accounts: list[str] = json.loads((suite.path / "accounts.json").read_text())
    return accounts


def test_each_test_starts_from_the_seed(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(test_isolated=ISOLATED_SUITE)
    result = user_suite.runpytest_subprocess()
    assert outcomes(result) == {"passed": 10}, ran(result)
    assert _accounts(user_suite) == ["moot-emulator"] * 3


def test_with_account_isolation_each_test_has_an_account_of_its_own(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(test_isolated=ISOLATED_SUITE)
    result = user_suite.runpytest_subprocess("--moot-isolation=account")
    assert outcomes(result) == {"passed": 10}, ran(result)
    accounts = _accounts(user_suite)
    assert len(set(accounts)) == 3
    assert all(account.startswith("test-") for account in accounts)


def test_account_isolation_on_a_server_started_elsewhere(user_suite: pytest.Pytester, tmp_path: Path) -> None:
    running = start_emulator(workdir=tmp_path)
    try:
        user_suite.makepyfile(test_isolated=ISOLATED_SUITE)
        # --moot-url alone means account isolation: other processes may share that server.
        result = user_suite.runpytest_subprocess(f"--moot-url={running.base_url}")
        assert outcomes(result) == {"passed": 10}, ran(result)
        assert len(set(_accounts(user_suite))) == 3
        meetings = running.admin.state()["tables"]["meetings"]
        assert sorted(row["account_id"] for row in meetings) == sorted(_accounts(user_suite))
    finally:
        running.stop()


ROUND_TRIP_SUITE = """
import pytest

SEED = {"accounts": [{"id": "moot-emulator", "meetings": [{"topic": "Seeded"}]}]}


def topics(handle):
    return sorted(meeting["topic"] for meeting in handle.client.meetings.list())


def test_state_round_trip(moot_server):
    admin = moot_server.admin
    moot_server.client.meetings.create(topic="Before")
    exported = admin.state()
    moot_server.client.meetings.create(topic="After")
    assert topics(moot_server) == ["After", "Before"]
    admin.load_state(exported)
    assert admin.state() == exported
    assert topics(moot_server) == ["Before"]


def test_the_state_of_a_server_imports_in_process(moot_server, moot_app):
    moot_server.client.meetings.create(topic="Travelling")
    exported = moot_server.admin.state()
    moot_app.admin.load_state(exported)
    assert moot_app.admin.state() == exported
    assert topics(moot_app) == ["Travelling"]


def test_reset_returns_to_the_seed_and_a_seed_joins_it(moot_app):
    moot_app.client.meetings.create(topic="Scratch")
    moot_app.admin.reset()
    assert topics(moot_app) == []
    created = moot_app.admin.seed(SEED)
    assert [meeting["topic"] for meeting in created["accounts"][0]["meetings"]] == ["Seeded"]
    moot_app.client.meetings.create(topic="Scratch")
    moot_app.admin.reset()
    assert topics(moot_app) == ["Seeded"]


@pytest.mark.moot(now="2030-05-01T08:00:00Z", data=SEED)
def test_moot_app_options(moot_app):
    assert topics(moot_app) == ["Seeded"]
    assert moot_app.client.meetings.create(topic="x")["created_at"] == "2030-05-01T08:00:00Z"
    moot_app.clock.advance(days=1)
    moot_app.reset()
    assert (moot_app.clock.now().isoformat(), moot_app.clock.frozen) == ("2030-05-01T08:00:00+00:00", True)
    assert topics(moot_app) == ["Seeded"]


@pytest.mark.moot(now="2030-05-01T08:00:00Z")
def test_moot_server_options(moot_server):
    assert moot_server.client.meetings.create(topic="x")["created_at"] == "2030-05-01T08:00:00Z"


def test_credentials_without_a_moot_fixture_are_zoom_s(moot_credentials):
    assert (moot_credentials.api_url, moot_credentials.token_url) == (
        "https://api.zoom.us/v2", "https://zoom.us/oauth/token"
    )
"""


def test_reset_and_state_round_trip(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(test_round_trip=ROUND_TRIP_SUITE)
    result = user_suite.runpytest_subprocess()
    assert outcomes(result) == {"passed": 6}, ran(result)


# --- what isolation costs per test ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    running = start_emulator(workdir=tmp_path_factory.mktemp("emulator"))
    yield running
    running.stop()


@pytest.mark.parametrize("isolation", ["reset", "account"])
def test_readying_the_server_for_a_test_takes_milliseconds(
    emulator: EmulatorProcess, isolation: Isolation
) -> None:
    # What moot_server does before each test, after a test that made five meetings.
    timings = []
    for _ in range(30):
        handle = emulator.for_test(isolation)
        for number in range(5):
            handle.client.meetings.create(topic=str(number))
        handle.close_clients()
        started = time.perf_counter()
        emulator.for_test(isolation).close_clients()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"\n{isolation}: median {median * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms per test")
    assert median < 0.050
