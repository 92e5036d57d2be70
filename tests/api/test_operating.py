"""What operators see: /healthz, /readyz, /metrics, and log lines (text or JSON)."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from moot.api.health import head_revision
from moot.api.metrics import outcome_of
from moot.config import Settings
from moot.domain.clock import SystemClock
from moot.domain.deliveries import Attempt
from moot.logs import JsonFormatter, uvicorn_log_config
from moot.services.context import Deps, Keys
from moot.storage.migrate import SCRIPT_LOCATION, upgrade
from moot.storage.sqlite import SqliteStore
from moot.storage.urls import DatabaseURL
from tests.support.api import ZoomApi, asgi_client
from tests.support.metrics import samples

REDIS_URL = os.environ.get("MOOT_TEST_REDIS_URL")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def with_settings(deps: Deps, **changes: object) -> Deps:
    return replace(deps, settings=deps.settings.model_copy(update=changes))


# -- health and readiness ------------------------------------------------------------------------------


async def test_healthz_and_readyz_answer_ok_on_a_current_database(api: ZoomApi) -> None:
    health = await api.call("GET", "/healthz", auth=False)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await api.call("GET", "/readyz", auth=False)
    assert ready.status_code == 200
    assert ready.headers["content-type"] == "application/json;charset=UTF-8"
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


async def test_readyz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gone.db'}"
    upgrade(DatabaseURL(url))
    store = SqliteStore(tmp_path / "gone.db")
    deps = Deps(store=store, clock=SystemClock(), settings=Settings(db_url=url), keys=await Keys.load(store))
    await store.close()
    async with asgi_client(deps) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {
            "database": "failed: ProgrammingError: Cannot operate on a closed database.",
            "migrations": "unknown: the database did not answer",
        },
    }


async def test_readyz_is_503_while_migrations_are_pending(tmp_path: Path) -> None:
    head = head_revision()
    previous = ScriptDirectory(str(SCRIPT_LOCATION)).get_revision(head).down_revision
    assert isinstance(previous, str)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(DatabaseURL(url), previous)
    store = SqliteStore(tmp_path / "old.db")
    deps = Deps(store=store, clock=SystemClock(), settings=Settings(db_url=url), keys=await Keys.load(store))
    try:
        async with asgi_client(deps) as client:
            response = await client.get("/readyz")
    finally:
        await store.close()
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "ok", "migrations": f"database at {previous}, moot needs {head}"},
    }


async def test_readyz_is_503_when_redis_does_not_answer(deps: Deps) -> None:
    async with asgi_client(with_settings(deps, redis_url=UNREACHABLE_REDIS)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "redis": "failed: ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)",
        },
    }


@pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")
async def test_readyz_pings_redis_when_configured(deps: Deps) -> None:
    async with asgi_client(with_settings(deps, redis_url=REDIS_URL)) as client:
        response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}},
    )


# -- metrics -------------------------------------------------------------------------------------------


async def test_metrics_count_requests_by_operation_method_and_status(api: ZoomApi) -> None:
    created = await api.post("/v2/users/me/meetings", json={"topic": "Metrics"})
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    for _ in range(2):
        assert (await api.get(f"/v2/meetings/{meeting_id}")).status_code == 200
    assert (await api.get("/v2/meetings/1")).status_code == 404
    assert (await api.call("GET", "/no/such/path", auth=False)).status_code == 404
    assert (await api.call("BREW", "/v2/users", auth=False)).status_code == 405

    response = await api.call("GET", "/metrics", auth=False)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    text = response.text
    assert samples(text, "moot_requests_total", "operation", "method", "status") == {
        ("oauthToken", "POST", "200"): 1.0,
        ("meetingCreate", "POST", "201"): 1.0,
        ("meeting", "GET", "200"): 2.0,
        ("meeting", "GET", "404"): 1.0,
        ("unknown", "GET", "404"): 1.0,
        ("users", "other", "405"): 1.0,
    }
    assert samples(text, "moot_request_duration_seconds_count", "operation") == {
        ("oauthToken",): 1.0,
        ("meetingCreate",): 1.0,
        ("meeting",): 3.0,
        ("unknown",): 1.0,
        ("users",): 1.0,
    }
    # No dispatcher runs here: the meeting.created event waits to be fanned out.
    assert samples(text, "moot_webhook_backlog") == {(): 1.0}
    assert samples(text, "moot_webhook_attempts_total", "outcome") == {}

    again = await api.call("GET", "/metrics", auth=False)
    assert samples(again.text, "moot_requests_total", "operation", "status")[("metrics", "200")] == 1.0


async def test_metrics_off_removes_the_route(deps: Deps) -> None:
    async with asgi_client(with_settings(deps, metrics=False)) as client:
        response = await client.get("/metrics")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "The requested resource was not found."},
    )


def test_attempt_outcomes_follow_zoom_retry_schedule() -> None:
    def attempt(number: int, status: int | None) -> Attempt:
        return Attempt(1, number, "2031-01-01T00:00:00Z", "https://x", status, 1.0, None, "")

    assert [outcome_of(attempt(1, 200), 1.0), outcome_of(attempt(1, 500), 1.0)] == ["delivered", "retrying"]
    assert [outcome_of(attempt(3, None), 1.0), outcome_of(attempt(4, None), 1.0)] == ["retrying", "failed"]


# -- logs ----------------------------------------------------------------------------------------------


def test_json_log_lines_carry_time_level_logger_message_and_request_fields() -> None:
    record = logging.LogRecord(
        "moot.access", logging.INFO, __file__, 1, "GET %s %d", ("/v2/users", 200), None
    )
    record.created = 1_900_000_000.25
    fields = {"method": "GET", "path": "/v2/users", "status": 200, "duration_ms": 1.5, "tracking_id": "t"}
    record.__dict__.update(fields, operation="users")
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2030-03-17T17:46:40.250+00:00",
        "level": "info",
        "logger": "moot.access",
        "message": "GET /v2/users 200",
        **fields,
        "operation": "users",
    }


def test_json_log_lines_carry_the_traceback_of_an_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("moot.api").makeRecord(
            "moot.api", logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert sorted(entry) == ["exception", "level", "logger", "message", "time"]
    assert (entry["level"], entry["message"]) == ("error", "failed")
    assert entry["exception"].startswith("Traceback") and entry["exception"].endswith("ValueError: boom")


def test_uvicorn_log_config_routes_every_logger_through_json() -> None:
    config = uvicorn_log_config("json", "info")
    assert config["formatters"] == {"json": {"()": "moot.logs.JsonFormatter"}}
    assert {name: logger.get("handlers") for name, logger in config["loggers"].items()} == {
        "uvicorn": ["default"],
        "uvicorn.error": None,  # propagates to uvicorn
        "uvicorn.access": ["default"],
        "moot": ["default"],
    }
    text = uvicorn_log_config("text", "warning")
    assert text["loggers"]["moot"] == {"handlers": ["default"], "level": "WARNING", "propagate": False}


async def test_access_log_records_each_request(deps: Deps, caplog: pytest.LogCaptureFixture) -> None:
    async with asgi_client(with_settings(deps, access_log=True)) as client:
        with caplog.at_level(logging.INFO, logger="moot.access"):
            response = await client.get("/healthz/")
    [record] = [r for r in caplog.records if r.name == "moot.access"]
    assert record.getMessage().startswith("GET /healthz 200 ")
    logged = {key: record.__dict__[key] for key in ("method", "path", "status", "tracking_id", "operation")}
    assert logged == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "tracking_id": response.headers["x-zm-trackingid"],
        "operation": "healthz",
    }
    assert isinstance(record.__dict__["duration_ms"], float)
