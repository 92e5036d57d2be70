"""A real ``moot serve`` process for the conformance suite, which drives published Zoom clients against it.

The server runs as a subprocess on a free port with a throwaway SQLite file and fixed bootstrap credentials
(``MOOT_BOOTSTRAP_*``), exactly as a user would start it; every test in this directory is marked
``conformance``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conformance.server import LiveServer
from tests.support.live_server import StartFailed, serve, server_env

HERE = Path(__file__).resolve().parent

# Shaped like Zoom's: account and client ids are 22 characters, secrets 32.
ACCOUNT_ID = "mootConformanceAcct01A"
CLIENT_ID = "mootConformanceClient1"
CLIENT_SECRET = "mootConformanceSecret0123456789a"
OWNER_EMAIL = "owner@conformance.moot.test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.conformance)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``moot serve`` on a free port and a fresh SQLite file, stopped (SIGTERM, then kill) at the end."""
    workdir = tmp_path_factory.mktemp("moot-live")
    env = server_env(
        MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
        MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
        MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
        MOOT_BOOTSTRAP_USER_EMAIL=OWNER_EMAIL,
    )
    with ExitStack() as stack:
        try:
            running = stack.enter_context(serve(workdir, env=env))
        except StartFailed as failure:
            pytest.fail(f"moot serve did not start: {failure}", pytrace=False)
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        # Clients (requests, axios) must reach the server directly even where a proxy is configured.
        for name in ("NO_PROXY", "no_proxy"):
            patch.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"])))
        yield LiveServer(
            running.base_url, ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, OWNER_EMAIL, running.log_path
        )
