"""The emulator's figures: ``moot emulate`` from process start to its first 200, ``POST /moot/api/reset``,
and what a test pays for a fresh emulator: the pytest plugin's ``moot_server`` fixture (``moot.testing``),
set up, first authenticated call and torn down, with either isolation; and beneath it, the same three
requests over raw HTTP.

Start-up is timed on a copy of ``src/moot`` put first on ``PYTHONPATH`` (without its ``__pycache__``),
twice over: with ``PYTHONDONTWRITEBYTECODE=1``, so moot's own modules are compiled on every start, and
without it, after one untimed start that writes their bytecode. Other packages use the bytecode pip
wrote. The copy keeps the figures independent of whatever bytecode the work tree happens to hold.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.servers import _clean_env

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
TARGET_STARTUP_S = 0.5
TARGET_RESET_P99_MS = 50.0
REFERENCES = "moto's server ~1.0 s, a Prism mock ~2.9 s (same machine, issue 7)"

CLIENT_ID = "moot-emulator-client"
CLIENT_SECRET = "moot-emulator-secret"  # the emulator's fixed credentials
ACCOUNT_ID = "moot-emulator"

_MEETING = {"topic": "bench", "type": 2, "start_time": "2030-01-01T10:00:00Z", "duration": 30}
# A small seed: a second account with a user, an app and two meetings, and two meetings of the emulator's.
SEED: dict[str, Any] = {
    "accounts": [
        {
            "id": ACCOUNT_ID,
            "meetings": [{**_MEETING, "topic": "seeded 1"}, {**_MEETING, "topic": "seeded 2"}],
        },
        {
            "id": "bench-seed",
            "users": [{"email": "ada@bench.test", "first_name": "Ada"}],
            "apps": [{"client_id": "bench-seed-app", "client_secret": "bench-seed-secret"}],
            "meetings": [
                {**_MEETING, "topic": "planning", "settings": {"approval_type": 0}},
                {**_MEETING, "topic": "review"},
            ],
        },
    ]
}
SEED_MEETINGS = 4


class EmulatorBenchError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Spread:
    median: float
    minimum: float
    maximum: float
    p99: float

    @classmethod
    def of(cls, samples: list[float]) -> Spread:
        ordered = sorted(samples)
        rank = max(1, math.ceil(0.99 * len(ordered)))  # nearest rank
        return cls(statistics.median(ordered), ordered[0], ordered[-1], ordered[rank - 1])


@dataclass(frozen=True, slots=True)
class EmulatorResult:
    startup_cached_s: list[float]  # bytecode of moot's modules written by an earlier start
    startup_uncached_s: list[float]  # PYTHONDONTWRITEBYTECODE=1: moot's modules compiled on every start
    dont_write_bytecode: bool  # whether the harness's own environment sets PYTHONDONTWRITEBYTECODE
    reset_ms: list[float]
    created_between_resets: int
    fixture_ms: dict[str, list[float]]  # per kind of fixture (FIXTURES), milliseconds per test
    load_average: float  # the machine's 1-minute load average when the measuring began (2 cores: 2.0 is busy)

    @property
    def plugin_measured(self) -> bool:
        return any(kind != RAW for kind in self.fixture_ms)

    @property
    def startup_cached(self) -> Spread:
        return Spread.of(self.startup_cached_s)

    @property
    def startup_uncached(self) -> Spread:
        return Spread.of(self.startup_uncached_s)

    @property
    def reset(self) -> Spread:
        return Spread.of(self.reset_ms)

    def fixture_overhead(self) -> dict[str, Spread]:
        return {kind: Spread.of(samples) for kind, samples in self.fixture_ms.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "startup_cached": asdict(self.startup_cached),
            "startup_uncached": asdict(self.startup_uncached),
            "reset": asdict(self.reset),
            "fixture_overhead": {kind: asdict(s) for kind, s in self.fixture_overhead().items()},
            "fixtures": {kind: FIXTURES[kind] for kind in self.fixture_ms},
            "seed_meetings": SEED_MEETINGS,
            "references": REFERENCES,
        }


def _moot_bin() -> str:
    return str(Path(sys.executable).with_name("moot"))


def _read_line(process: subprocess.Popen[bytes], deadline: float) -> bytes:
    assert process.stdout is not None
    fd = process.stdout.fileno()
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise EmulatorBenchError("moot emulate printed no credentials line in time")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise EmulatorBenchError(f"moot emulate exited with status {process.wait()}")
        line += chunk
    return line


def _first_200(base_url: str, deadline: float) -> None:
    """GET /healthz until it answers 200. The port listens before the credentials line is printed, so
    a request sent right after waits in the backlog until the server takes it: no polling delay."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    while True:
        conn = http.client.HTTPConnection(host, int(port), timeout=max(0.1, deadline - time.monotonic()))
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        if time.monotonic() > deadline:
            raise EmulatorBenchError(f"{base_url}/healthz never answered 200")
        time.sleep(0.001)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to its group (SIGKILL after 5 s), while the child is unreaped so its id is still ours."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def emulate(workdir: Path, env: Mapping[str, str], *args: str) -> Iterator[tuple[dict[str, Any], float]]:
    """``moot emulate --port 0 --json ARGS``: its credentials line, and the seconds from just before
    the process was started to its first 200 on ``/healthz``. Stopped on leaving."""
    log = workdir / f"emulate-{time.monotonic_ns()}.log"
    with log.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [_moot_bin(), "emulate", "--port", "0", "--json", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=dict(env),
            cwd=workdir,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        try:
            info = json.loads(_read_line(process, deadline))
            _first_200(info["base_url"], deadline)
        except EmulatorBenchError as exc:
            raise EmulatorBenchError(f"{exc}:\n{log.read_text(errors='replace')[-2000:]}") from None
        yield info, time.perf_counter() - started
    finally:
        _stop(process)


# --- start-up ---------------------------------------------------------------------------------------------


def _source_copy(workdir: Path) -> Path:
    """``src/moot`` without bytecode, in ``<workdir>/src``, to put first on ``PYTHONPATH``."""
    root = workdir / "src"
    shutil.copytree(REPO / "src" / "moot", root / "moot", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _startup_env(source: Path, *, write_bytecode: bool) -> dict[str, str]:
    env = _clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join([str(source), *filter(None, [os.environ.get("PYTHONPATH")])])
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _check_copy_is_used(source: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import moot; print(moot.__file__)"],
        capture_output=True,
        text=True,
        env=dict(env),
        check=True,
        timeout=30,
    )
    if not Path(done.stdout.strip()).is_relative_to(source):
        raise EmulatorBenchError(f"PYTHONPATH={source} did not win: moot came from {done.stdout.strip()}")


def time_startups(workdir: Path, starts: int) -> tuple[list[float], list[float]]:
    """Seconds to the first 200: ``starts`` times with moot's modules compiled on each start, then (after
    one untimed start writes their bytecode) ``starts`` times with it."""
    source = _source_copy(workdir)
    uncached_env = _startup_env(source, write_bytecode=False)
    _check_copy_is_used(source, uncached_env)
    uncached = [_one_start(workdir, uncached_env) for _ in range(starts)]
    if any((source / "moot").rglob("*.pyc")):
        raise EmulatorBenchError("bytecode was written despite PYTHONDONTWRITEBYTECODE=1")
    cached_env = _startup_env(source, write_bytecode=True)
    _one_start(workdir, cached_env)  # writes the bytecode
    cached = [_one_start(workdir, cached_env) for _ in range(starts)]
    return cached, uncached


def _one_start(workdir: Path, env: Mapping[str, str]) -> float:
    with emulate(workdir, env) as (_, seconds):
        return seconds


# --- reset and the per-test fixture ---------------------------------------------------------------------


def _token(client: httpx.Client) -> str:
    response = client.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    _expect(response, 200)
    return str(response.json()["access_token"])


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise EmulatorBenchError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
            f"not {status}: {response.text[:300]}"
        )


def _create(client: httpx.Client, token: str, count: int) -> None:
    for _ in range(count):
        _expect(
            client.post("/v2/users/me/meetings", json=_MEETING, headers={"authorization": f"Bearer {token}"}),
            201,
        )


def time_resets(client: httpx.Client, resets: int, created_between: int) -> list[float]:
    """Milliseconds per ``POST /moot/api/reset`` (client side, keep-alive), each after
    ``created_between`` meetings were created."""
    token = _token(client)  # still valid after a reset: checked by signature and clock
    timings = []
    for _ in range(resets):
        _create(client, token, created_between)
        started = time.perf_counter()
        response = client.post("/moot/api/reset")
        timings.append((time.perf_counter() - started) * 1000)
        _expect(response, 204)
    return timings


RAW = "raw"
FIXTURES = {
    "moot_server/reset": "moot.testing's moot_server fixture, isolation=reset (the default): its set-up "
    "(POST /moot/api/reset), the test's first call through the fixture's client (users.get('me'): a token, "
    "then GET /v2/users/me) and its tear-down",
    "moot_server/account": "the same with isolation=account: a new account and app seeded per test, no reset",
    RAW: "POST /moot/api/reset + POST /oauth/token + GET /v2/users/me on one keep-alive httpx client: what "
    "moot itself costs a fixture",
}


def time_raw_fixtures(client: httpx.Client, tests: int) -> list[float]:
    timings = []
    for _ in range(tests):
        started = time.perf_counter()
        _expect(client.post("/moot/api/reset"), 204)
        token = _token(client)
        _expect(client.get("/v2/users/me", headers={"authorization": f"Bearer {token}"}), 200)
        timings.append((time.perf_counter() - started) * 1000)
        _create(client, token, 1)  # the test
    return timings


def time_plugin_fixtures(workdir: Path, seed: Path, tests: int) -> dict[str, list[float]]:
    """The plugin's ``moot_server`` fixture as pytest runs it, over its session-scoped emulator; each
    test creates one meeting (not timed). Empty when ``moot.testing`` is not there."""
    try:
        from moot.testing.server import start_emulator
    except ImportError:
        return {}
    session = start_emulator(["--data", str(seed)], workdir=workdir, env=_clean_env())
    timings: dict[str, list[float]] = {}
    try:
        for isolation in ("reset", "account"):
            samples = timings.setdefault(f"moot_server/{isolation}", [])
            for _ in range(tests):
                started = time.perf_counter()
                server = session.for_test(isolation)
                server.client.users.get("me")
                set_up = time.perf_counter() - started
                server.client.meetings.create(topic="bench", type=2, start_time="2030-01-01T10:00:00Z")
                started = time.perf_counter()
                server.close_clients()
                samples.append((set_up + time.perf_counter() - started) * 1000)
    finally:
        session.stop()
    return timings


def measure(workdir: Path, *, starts: int, resets: int, created_between: int = 3) -> EmulatorResult:
    load_average = os.getloadavg()[0]
    cached, uncached = time_startups(workdir, starts)
    seed = workdir / "seed.json"
    seed.write_text(json.dumps(SEED))
    with (
        emulate(workdir, _clean_env(), "--data", str(seed)) as (info, _),
        httpx.Client(base_url=info["base_url"], timeout=10.0, trust_env=False) as client,
    ):
        _expect(client.get("/healthz"), 200)  # the connection is open before the first timing
        reset_ms = time_resets(client, resets, created_between)
        raw_ms = time_raw_fixtures(client, resets)
    fixture_ms = {**time_plugin_fixtures(workdir, seed, resets), RAW: raw_ms}
    return EmulatorResult(
        startup_cached_s=cached,
        startup_uncached_s=uncached,
        dont_write_bytecode=bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        reset_ms=reset_ms,
        created_between_resets=created_between,
        fixture_ms=fixture_ms,
        load_average=load_average,
    )


# --- what the report says ---------------------------------------------------------------------------------


def lines(result: EmulatorResult) -> list[str]:
    warm, cold, reset = result.startup_cached, result.startup_uncached, result.reset
    here = (
        "set in this environment, so a start there compiles them unless their bytecode is already on disk"
        if result.dont_write_bytecode
        else "not set in this environment"
    )
    return [
        f"start-up, process start to first 200 on /healthz, {len(result.startup_cached_s)} starts: "
        f"median {warm.median:.3f} s (min {warm.minimum:.3f}, max {warm.maximum:.3f}) with moot's bytecode "
        f"cached; median {cold.median:.3f} s (min {cold.minimum:.3f}, max {cold.maximum:.3f}) compiling "
        f"moot's modules on every start (PYTHONDONTWRITEBYTECODE=1: {here})",
        f"for reference: {REFERENCES}; this machine's load average was {result.load_average:.2f} "
        f"({os.cpu_count()} CPUs) when the emulator's figures began",
        f"reset: {len(result.reset_ms)} x POST /moot/api/reset of a seed of {SEED_MEETINGS} meetings, "
        f"{result.created_between_resets} meetings created before each: median {reset.median:.2f} ms, "
        f"p99 {reset.p99:.2f} ms, max {reset.maximum:.2f} ms (client side, keep-alive)",
        *(
            f"per-test fixture, {kind}: median {s.median:.2f} ms, p99 {s.p99:.2f} ms, max {s.maximum:.2f} ms "
            f"over {len(result.fixture_ms[kind])} tests: {FIXTURES[kind]}"
            for kind, s in result.fixture_overhead().items()
        ),
        *(
            []
            if result.plugin_measured
            else ["per-test fixture: moot.testing (the pytest plugin) is not there"]
        ),
    ]
