"""``/readyz``: whether this process can serve (database, Redis, schema); ``/healthz`` only says it runs."""

from __future__ import annotations

import asyncio
import functools

from starlette.requests import Request
from starlette.responses import Response

from moot.api.responses import json_response
from moot.config import Settings
from moot.services.context import Deps

CHECK_TIMEOUT = 2.0  # seconds each readiness check may take


async def readyz(request: Request) -> Response:
    """200 ``{"status": "ready", "checks": {...}}`` when every check says ``ok``, else 503 with
    ``"status": "not ready"`` and the failing checks' reasons."""
    deps: Deps = request.app.state.deps
    checks = await readiness(deps, deps.settings)
    ready = all(result == "ok" for result in checks.values())
    return json_response(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )


async def readiness(deps: Deps, settings: Settings) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            revision = await deps.store.schema_revision()
    except Exception as exc:
        checks["database"] = _failure(exc)
        checks["migrations"] = "unknown: the database did not answer"
    else:
        checks["database"] = "ok"
        head = head_revision()
        checks["migrations"] = "ok" if revision == head else f"database at {revision}, moot needs {head}"
    if settings.redis_url:
        checks["redis"] = await _ping_redis(settings.redis_url)
    return checks


@functools.cache
def head_revision() -> str:
    """The newest migration this moot knows (read once per process)."""
    from moot.storage.migrate import head_revision as read_head

    return read_head()


async def _ping_redis(url: str) -> str:
    from moot.services.counters import ping

    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await ping(url, CHECK_TIMEOUT)
    except Exception as exc:
        return _failure(exc)
    return "ok"


def _failure(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"failed: no answer within {CHECK_TIMEOUT:g} seconds"
    return f"failed: {type(exc).__name__}: {exc}"
