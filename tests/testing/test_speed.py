"""A user's suite of 200 API tests against the session's ``moot_server`` (reset before each test) against
the same suite with a fresh ``moot emulate`` started for each test: the plugin's reason to exist.

The second suite takes minutes (200 server starts), so this runs only with ``MOOT_TEST_SLOW=1``."""

from __future__ import annotations

import os
import time

import pytest

from tests.testing.conftest import outcomes, ran

TESTS = 200

SUITE = f"""
import pytest


@pytest.mark.parametrize("n", range({TESTS}))
def test_a_meeting(moot_server, n):
    created = moot_server.client.meetings.create(topic=f"Meeting {{n}}")
    assert moot_server.client.meetings.get(created["id"])["topic"] == f"Meeting {{n}}"
    assert len(list(moot_server.client.meetings.list())) == 1
"""

# The same tests, each with a server of its own: the plugin's fixture replaced by one that starts
# `moot emulate` before the test and stops it after.
RESTART_PER_TEST = """
import pytest

from moot.testing.server import MootServer, start_emulator


@pytest.fixture
def moot_server(tmp_path):
    running = start_emulator(workdir=tmp_path)
    handle = MootServer(running, running.credentials, admin_account=None)
    yield handle
    handle.close_clients()
    running.stop()
"""


def _timed(suite: pytest.Pytester) -> float:
    started = time.perf_counter()
    result = suite.runpytest_subprocess()
    elapsed = time.perf_counter() - started
    assert outcomes(result) == {"passed": TESTS}, ran(result)
    return elapsed


@pytest.mark.skipif(not os.environ.get("MOOT_TEST_SLOW"), reason="takes minutes: set MOOT_TEST_SLOW=1")
def test_a_session_server_beats_a_server_per_test_by_far(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(test_meetings=SUITE)
    shared = _timed(user_suite)
    user_suite.makeconftest(RESTART_PER_TEST)
    restarted = _timed(user_suite)
    ratio = restarted / shared
    print(f"\n{TESTS} tests: moot_server {shared:.1f} s, a server per test {restarted:.1f} s: {ratio:.1f}x")
    assert ratio > 3
