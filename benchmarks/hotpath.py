"""moot's hot paths in process, without HTTP: what one request costs moot's own code.

Builds the app ``moot serve`` builds (SQLite file, metrics on, the bootstrap account's rate limits off),
gets a token, then calls the ASGI app in a tight loop with a fake ``receive`` and ``send``: no sockets,
no uvicorn, no event-loop turns. Prints microseconds per request. Under callgrind, the difference of
two runs with different ``--count`` is the instruction count of that many requests (start-up cancels)::

    .venv/bin/python -m benchmarks.hotpath --scenario create --count 2000
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p .venv/bin/python -m benchmarks.hotpath \
        --scenario create --count 200      # and again with --count 1200: (I2 - I1) / 1000 per request
    .venv/bin/python -m benchmarks.hotpath --scenario create --profile   # cProfile, sorted by tottime
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import pstats
import tempfile
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import orjson
from starlette.types import ASGIApp

from benchmarks.fixtures import MEETING_BODY, SERIES_BODY
from benchmarks.reference_app import create_reference_app

Message = dict[str, Any]
ACCOUNT, CLIENT, SECRET = "hotaccount", "hotclient", "hotsecret-0123456789"
PUBLIC_URL = "http://127.0.0.1:8000"


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]], query: bytes = b"") -> Message:
    """A request's scope as uvicorn (httptools) builds it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers,
        "state": {},
    }


async def call(
    app: ASGIApp, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> Message:
    """One request through ``app``; its start message, with the body added."""
    answer: Message = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.update(message)
        else:
            chunks.append(message.get("body", b""))

    path, _, query = path.partition("?")
    await app(_scope(method, path, headers, query.encode()), receive, send)
    answer["body"] = b"".join(chunks)
    return answer


async def _moot(
    workdir: Path, rate_limits: str = "off"
) -> tuple[ASGIApp, list[tuple[bytes, bytes]], Callable[[], Any]]:
    from moot.api.app import build_deps, create_app
    from moot.config import Settings
    from moot.services.accounts import ensure_bootstrap
    from moot.storage.migrate import upgrade
    from moot.storage.urls import DatabaseURL

    settings = Settings(
        db_url=f"sqlite:///{workdir / 'hot.db'}",
        public_url=PUBLIC_URL,
        log_level="warning",
        bootstrap_account_id=ACCOUNT,
        bootstrap_client_id=CLIENT,
        bootstrap_client_secret=SECRET,
        bootstrap_rate_limits=rate_limits,
    )
    upgrade(DatabaseURL(settings.db_url))
    deps = await build_deps(settings)
    await ensure_bootstrap(deps)
    app = create_app(settings, deps=deps, dispatch=False)
    basic = base64.b64encode(f"{CLIENT}:{SECRET}".encode())
    token = await call(
        app,
        "POST",
        f"/oauth/token?grant_type=account_credentials&account_id={ACCOUNT}",
        [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Basic " + basic)],
        b"",
    )
    assert token["status"] == 200, token
    bearer = b"Bearer " + orjson.loads(token["body"])["access_token"].encode()
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", bearer)]
    return app, headers, deps.store.close


async def _reference(workdir: Path) -> tuple[ASGIApp, list[tuple[bytes, bytes]], Callable[[], Any]]:
    async def nothing() -> None:
        return None

    return create_reference_app(workdir / "reference.db"), [(b"host", b"127.0.0.1:8000")], nothing


def _request(scenario: str, meeting_id: int, series_id: int) -> tuple[str, str, bytes]:
    create_path = "/v2/users/me/meetings"
    return {
        "get": ("GET", f"/v2/meetings/{meeting_id}", b""),
        "create": ("POST", create_path, orjson.dumps(MEETING_BODY)),
        "series_get": ("GET", f"/v2/meetings/{series_id}", b""),
        "series_create": ("POST", create_path, orjson.dumps(SERIES_BODY)),
    }[scenario]


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="moot-hot-") as tmp:
        workdir = Path(tmp)
        app, headers, close = await (
            _reference(workdir) if args.app == "reference" else _moot(workdir, args.rate_limits)
        )
        json_headers = [*headers, (b"content-type", b"application/json")]
        created = await call(app, "POST", "/v2/users/me/meetings", json_headers, orjson.dumps(MEETING_BODY))
        assert created["status"] == 201, created
        meeting_id = orjson.loads(created["body"])["id"]
        series_id = meeting_id
        if args.app == "moot":
            series = await call(app, "POST", "/v2/users/me/meetings", json_headers, orjson.dumps(SERIES_BODY))
            assert series["status"] == 201, series
            series_id = orjson.loads(series["body"])["id"]
        method, path, body = _request(args.scenario, meeting_id, series_id)
        sent = json_headers if body else headers
        for _ in range(args.warmup):
            answer = await call(app, method, path, sent, body)
            assert answer["status"] in (200, 201), answer
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        started = time.perf_counter()
        for _ in range(args.count):
            await call(app, method, path, sent, body)
        elapsed = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        per_request = elapsed / max(args.count, 1) * 1e6
        print(f"{args.app} {args.scenario}: {per_request:.1f} us/request over {args.count}")
        await close()


def main() -> None:
    parser = argparse.ArgumentParser(description="moot's hot paths in process (no HTTP).")
    parser.add_argument("--app", choices=["moot", "reference"], default="moot")
    parser.add_argument("--scenario", choices=["get", "create", "series_get", "series_create"], default="get")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--rate-limits", default="off", help="the account's limits: off (default), zoom or xN (counted)"
    )
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured requests")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)  # as moot serve does (moot.api.asgi.settle_garbage_collector)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
