"""moot's pytest plugin (the ``pytest11`` entry point ``moot``): fixtures for testing code that calls Zoom.

pytest loads it in every run of every project where moot is installed, moot's own included, so it only
registers fixtures, two options and a marker: importing it imports nothing of moot, and nothing starts
until a test asks for a fixture (docs/emulator.md, "pytest plugin").

- ``moot_server``: a ``moot emulate`` process for the session, on a free port, reset before each test
  (or, with ``--moot-isolation=account``, a new account per test and no reset);
- ``moot_app``: an in-process moot of the test's own, no port;
- ``moot_credentials``: the app credentials and URLs the test should use;
- ``moot_session_server``, ``moot_emulate_args``: the session's process, and its extra arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pytest

if TYPE_CHECKING:
    from moot.testing.credentials import Credentials
    from moot.testing.inprocess import InProcessMoot
    from moot.testing.server import EmulatorProcess, Isolation, MootServer

ISOLATIONS = ("reset", "account")
MARKER = "moot"
MARKER_OPTIONS = {"isolation", "now", "frozen", "data"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("moot", "moot (Zoom API emulator)")
    group.addoption(
        "--moot-isolation",
        choices=ISOLATIONS,
        default=None,
        help="how moot_server keeps tests apart: reset the server before each test (default), or give "
        "each test an account of its own and reset nothing (default with --moot-url)",
    )
    group.addoption(
        "--moot-url",
        default=None,
        metavar="URL",
        help="use the `moot emulate` already running at URL instead of starting one",
    )
    parser.addini("moot_isolation", "moot_server's isolation: reset or account", default="")
    parser.addini("moot_url", "the URL of a `moot emulate` to use instead of starting one", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(isolation=None, now=None, frozen=False, data=None): options of the moot_server and "
        "moot_app fixtures: isolation 'reset' or 'account' (moot_server), the clock frozen at now or "
        "where it stands, seed data (moot_app)",
    )


def _setting(config: pytest.Config, name: str) -> str:
    value = config.getoption(f"--moot-{name}") or config.getini(f"moot_{name}")
    return str(value or "")


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``moot`` marker's options, the closest marker winning."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        unknown = set(marker.kwargs) - MARKER_OPTIONS
        if marker.args or unknown:
            wrong = ", ".join(sorted(unknown)) or "positional arguments"
            pytest.fail(f"@pytest.mark.{MARKER} takes {', '.join(sorted(MARKER_OPTIONS))}: not {wrong}")
        options |= marker.kwargs
    return options


@pytest.fixture(scope="session")
def moot_emulate_args() -> list[str]:
    """Extra arguments of the session's ``moot emulate``; override it in a conftest.py, e.g. to return
    ``["--data", "seed.yaml", "--seed", "1"]``."""
    return []


@pytest.fixture(scope="session")
def moot_session_server(
    request: pytest.FixtureRequest, moot_emulate_args: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmulatorProcess]:
    """The session's ``moot emulate`` (``--moot-url``: one already running), as it is: not reset."""
    from moot.testing.server import EmulatorProcess, StartFailed, start_emulator

    url = _setting(request.config, "url")
    if url:
        server = EmulatorProcess.attach(url)
    else:
        try:
            server = start_emulator(moot_emulate_args, workdir=tmp_path_factory.mktemp("moot"))
        except StartFailed as exc:
            pytest.fail(f"moot emulate did not start: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moot_server(request: pytest.FixtureRequest, moot_session_server: EmulatorProcess) -> Iterator[MootServer]:
    """The session's server, ready for this test: reset to its seed (``isolation="reset"``), or with a
    new account and app of the test's own (``"account"``). Has ``base_url``, ``credentials``, ``admin``,
    ``clock``, ``client`` (a :class:`moot.client.Client`) and ``http()``."""
    options = _options(request)
    if "data" in options:
        pytest.fail("moot_server is seeded for the session: override moot_emulate_args (--data FILE)")
    isolation = options.get("isolation") or _setting(request.config, "isolation")
    if not isolation:
        isolation = "account" if _setting(request.config, "url") else "reset"
    if isolation not in ISOLATIONS:
        pytest.fail(f"moot isolation must be one of {', '.join(ISOLATIONS)}, not {isolation!r}")
    server = moot_session_server.for_test(
        cast("Isolation", isolation), now=options.get("now"), frozen=bool(options.get("frozen"))
    )
    try:
        yield server
    finally:
        server.close_clients()


@pytest.fixture
def moot_app(request: pytest.FixtureRequest) -> Iterator[InProcessMoot]:
    """A moot of this test's own, in process (in-memory store, no port): ``http()``, ``async_http()``,
    ``client``, ``make_async_client()``, ``admin``, ``clock``, ``credentials``."""
    from moot.testing.inprocess import InProcessMoot

    options = _options(request)
    options.pop("isolation", None)
    with InProcessMoot(**options) as app:
        yield app


@pytest.fixture
def moot_credentials(request: pytest.FixtureRequest) -> Credentials:
    """The credentials and URLs this test should use: ``moot_server``'s when the test uses it, else
    ``moot_app``'s, else the emulator's app at Zoom's own URLs (for code under ``mock_zoom()``)."""
    for name in ("moot_server", "moot_app"):
        if name in request.fixturenames:
            credentials: Credentials = request.getfixturevalue(name).credentials
            return credentials
    from moot.testing.credentials import Credentials

    return Credentials()
