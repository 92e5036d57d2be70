"""The emulator's admin API on a running ``moot emulate``, on each backend: reset, seed, state, clock."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.emulator.running import Running, emulate
from tests.support.live_server import server_env

EXPIRED = {"code": 124, "message": "Access token is expired."}


def _meeting(api: httpx.Client, topic: str = "Planning") -> dict[str, Any]:
    response = api.post(
        "/v2/users/me/meetings", json={"topic": topic, "type": 2, "start_time": "2030-06-09T17:00:00Z"}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- reset ---------------------------------------------------------------------------------------------


def test_reset_puts_back_the_seed_fast(emulator: Running, admin: httpx.Client) -> None:
    seed = admin.get("/moot/api/state").json()
    with emulator.api() as api:
        meeting = _meeting(api)
        assert api.post(
            "/v2/users", json={"action": "custCreate", "user_info": {"email": "x@moot.local", "type": 1}}
        )
        assert admin.get("/moot/api/state").json() != seed
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = admin.post("/moot/api/reset")
            timings.append(time.perf_counter() - started)
            assert (response.status_code, response.content) == (204, b"")
        print(f"\nPOST /moot/api/reset: median {statistics.median(timings) * 1000:.1f} ms (client side)")
        assert statistics.median(timings) < 0.25
        assert admin.get("/moot/api/state").json() == seed
        gone = api.get(f"/v2/meetings/{meeting['id']}")
        assert (gone.status_code, gone.json()) == (
            404,
            {"code": 3001, "message": f"Meeting does not exist: {meeting['id']}."},
        )
        assert api.get("/v2/users/me").status_code == 200  # a token issued before a reset still works


def test_reset_sets_the_clock_back(emulator: Running, admin: httpx.Client) -> None:
    before = admin.get("/moot/api/clock").json()
    assert before["frozen"] is False
    assert admin.post("/moot/api/clock/advance", json={"days": 3}).status_code == 200
    admin.post("/moot/api/reset")
    after = admin.get("/moot/api/clock").json()
    assert after["frozen"] is False and abs(_epoch(after["now"]) - _epoch(before["now"])) < 60


def _epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def test_reset_forgets_the_rate_limit_counts(emulator: Running, admin: httpx.Client) -> None:
    with emulator.api() as api:
        first = api.get("/v2/users/me").headers["x-ratelimit-remaining"]
        assert api.get("/v2/users/me").headers["x-ratelimit-remaining"] == str(int(first) - 1)
        admin.post("/moot/api/reset")
        assert api.get("/v2/users/me").headers["x-ratelimit-remaining"] == first


def test_reset_forgets_fault_rules_and_the_journal(emulator: Running, admin: httpx.Client) -> None:
    rule = {"method": "GET", "path": "/v2/users/me", "error": {"code": 1001}}
    assert admin.post("/moot/api/faults", json=rule).status_code == 201
    with emulator.api() as api:
        assert api.get("/v2/users/me").status_code == 404
        assert admin.get("/moot/api/requests").json()["requests"] != []
        admin.post("/moot/api/reset")
        assert admin.get("/moot/api/faults").json()["faults"] == []
        assert admin.get("/moot/api/requests").json()["requests"] == []
        assert api.get("/v2/users/me").status_code == 200


# --- seed ----------------------------------------------------------------------------------------------


def test_seed_adds_data_that_reset_keeps(emulator: Running, admin: httpx.Client) -> None:
    response = admin.post(
        "/moot/api/seed",
        json={
            "accounts": [
                {"id": "moot-emulator", "meetings": [{"topic": "Seeded"}]},
                {"id": "second", "apps": [{"client_id": "second-app", "client_secret": "second-secret"}]},
            ]
        },
    )
    assert response.status_code == 201
    made = response.json()
    emulator_account, second = made["accounts"]
    (meeting,) = emulator_account["meetings"]
    assert made == {
        "accounts": [
            {
                "id": "moot-emulator",
                "plan": "business",
                "rate_limits": "zoom",
                "owner": emulator_account["owner"],
                "users": [],
                "apps": [],
                "meetings": [
                    {
                        "id": meeting["id"],
                        "uuid": meeting["uuid"],
                        "topic": "Seeded",
                        "host_id": emulator_account["owner"]["id"],
                        "join_url": meeting["join_url"],
                        "registrants": [],
                    }
                ],
            },
            {
                "id": "second",
                "plan": "business",
                "rate_limits": "zoom",
                "owner": {"id": second["owner"]["id"], "email": "owner@moot.local"},
                "users": [],
                "apps": [{"client_id": "second-app", "client_secret": "second-secret", "type": "s2s"}],
                "meetings": [],
            },
        ]
    }
    try:
        admin.post("/moot/api/reset")
        with emulator.api() as api:
            assert api.get(f"/v2/meetings/{meeting['id']}").json()["topic"] == "Seeded"
        emulator.token("second-app", "second-secret", "second")
    finally:
        _restore_module_seed(admin)


def test_a_failing_seed_changes_nothing(emulator: Running, admin: httpx.Client) -> None:
    before = admin.get("/moot/api/state").json()
    response = admin.post(
        "/moot/api/seed",
        json={"accounts": [{"id": "third"}, {"id": "moot-emulator", "meetings": [{"start_time": "never"}]}]},
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": 300,
            "message": "Validation Failed.",
            "errors": [{"field": "accounts[1].meetings[0].start_time", "message": "Invalid field."}],
        },
    )
    assert admin.get("/moot/api/state").json() == before


def test_seed_refuses_what_is_not_json(admin: httpx.Client) -> None:
    response = admin.post("/moot/api/seed", content=b"[1, 2]", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Request Body should be a valid JSON object."},
    )


def _restore_module_seed(admin: httpx.Client) -> None:
    """Seeding moved this module's baseline: put back the bare bootstrap account as the seed."""
    state = admin.get("/moot/api/state").json()
    keep = {"accounts": {"moot-emulator"}}
    tables = state["tables"]
    tables["accounts"] = [row for row in tables["accounts"] if row["id"] in keep["accounts"]]
    tables["users"] = [row for row in tables["users"] if row["account_id"] in keep["accounts"]]
    tables["apps"] = [row for row in tables["apps"] if row["account_id"] in keep["accounts"]]
    for name in set(tables) - {"accounts", "users", "apps"}:
        tables[name] = []
    assert admin.put("/moot/api/state", json=state).status_code == 204
    assert admin.post("/moot/api/seed", json={}).status_code == 201  # takes the baseline again


# --- state ---------------------------------------------------------------------------------------------


def _settled_state(admin: httpx.Client) -> dict[str, Any]:
    """The state once the webhook dispatcher has dealt with the outbox (an event nobody subscribes to
    is dropped moments after its commit), so that two exports in a row agree."""
    state: dict[str, Any] = admin.get("/moot/api/state").json()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.05)
        again: dict[str, Any] = admin.get("/moot/api/state").json()
        if again == state:
            return state
        state = again
    raise AssertionError("the state kept changing")


def test_state_round_trip(emulator: Running, admin: httpx.Client) -> None:
    exported = admin.get("/moot/api/state")
    assert exported.status_code == 200
    first = exported.json()
    assert first["format"] == 1
    assert {"accounts", "users", "apps", "meetings", "registrants", "webhook_events"} <= set(first["tables"])
    with emulator.api() as api:
        meeting = _meeting(api, "Round trip")
        second = _settled_state(admin)
        assert second != first
        put = admin.put("/moot/api/state", json=first)
        assert (put.status_code, put.content) == (204, b"")
        assert admin.get("/moot/api/state").json() == first
        assert api.get(f"/v2/meetings/{meeting['id']}").status_code == 404
        assert admin.put("/moot/api/state", json=second).status_code == 204
        assert _settled_state(admin) == second
        assert api.get(f"/v2/meetings/{meeting['id']}").json()["topic"] == "Round trip"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {},
            {
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "tables", "message": "This field is required."}],
            },
        ),
        (
            {"format": 2, "tables": {}},
            {
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "format", "message": "Must be 1."}],
            },
        ),
        (
            {"tables": {"planets": []}},
            {"code": 300, "message": "The state could not be imported: unknown table 'planets'."},
        ),
        (
            {"tables": {"accounts": [{"id": "a", "shoe_size": 44}]}},
            {
                "code": 300,
                "message": "The state could not be imported: accounts[0]: unknown column 'shoe_size'.",
            },
        ),
    ],
)
def test_put_state_refuses_what_does_not_fit(
    admin: httpx.Client, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    before = admin.get("/moot/api/state").json()
    response = admin.put("/moot/api/state", json=body)
    assert (response.status_code, response.json()) == (400, expected)
    assert admin.get("/moot/api/state").json() == before


# --- clock ---------------------------------------------------------------------------------------------


def test_freezing_and_setting_the_clock(admin: httpx.Client) -> None:
    frozen = admin.put("/moot/api/clock", json={"frozen": True, "now": "2030-05-01T08:00:00Z"})
    assert (frozen.status_code, frozen.json()) == (200, {"frozen": True, "now": "2030-05-01T08:00:00Z"})
    time.sleep(1.1)
    assert admin.get("/moot/api/clock").json() == {"frozen": True, "now": "2030-05-01T08:00:00Z"}
    advanced = admin.post("/moot/api/clock/advance", json={"hours": 1, "minutes": 30, "seconds": "15"})
    assert (advanced.status_code, advanced.json()) == (200, {"frozen": True, "now": "2030-05-01T09:30:15Z"})
    moved = admin.put("/moot/api/clock", json={"now": "2030-05-02T10:00:00+02:00"})
    assert moved.json() == {"frozen": True, "now": "2030-05-02T08:00:00Z"}
    running = admin.put("/moot/api/clock", json={"frozen": False}).json()
    assert running["frozen"] is False and running["now"] >= "2030-05-02T08:00:00Z"


def test_an_access_token_expires_when_the_clock_passes_an_hour(
    emulator: Running, admin: httpx.Client
) -> None:
    admin.put("/moot/api/clock", json={"frozen": True})
    with emulator.api() as api:
        assert api.get("/v2/users/me").status_code == 200
        admin.post("/moot/api/clock/advance", json={"seconds": 3599})
        assert api.get("/v2/users/me").status_code == 200
        admin.post("/moot/api/clock/advance", json={"seconds": 1})
        expired = api.get("/v2/users/me")
        assert (expired.status_code, expired.json()) == (401, EXPIRED)


@pytest.mark.parametrize(
    ("method", "path", "body", "errors"),
    [
        ("PUT", "/moot/api/clock", {}, [{"field": "", "message": "Give now, frozen, or both."}]),
        (
            "PUT",
            "/moot/api/clock",
            {"now": "tomorrow"},
            [{"field": "now", "message": "Must be a time like 2030-01-01T09:00:00Z."}],
        ),
        (
            "PUT",
            "/moot/api/clock",
            {"frozen": "yes"},
            [{"field": "frozen", "message": "Must be true or false."}],
        ),
        ("POST", "/moot/api/clock/advance", {}, [{"field": "seconds", "message": "This field is required."}]),
        (
            "POST",
            "/moot/api/clock/advance",
            {"seconds": "x"},
            [{"field": "seconds", "message": "Must be a number."}],
        ),
        (
            "POST",
            "/moot/api/clock/advance",
            {"days": -1},
            [{"field": "days", "message": "Must be 0 or more: to go back, PUT a now."}],
        ),
        (
            "POST",
            "/moot/api/clock/advance",
            {"days": 40000},
            [{"field": "seconds", "message": "Must be at most 100 years."}],
        ),
    ],
)
def test_clock_changes_are_validated(
    admin: httpx.Client, method: str, path: str, body: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    response = admin.request(method, path, json=body)
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Validation Failed.", "errors": errors},
    )


# --- the admin token -----------------------------------------------------------------------------------


def test_the_admin_token_guards_every_control(tmp_path: Path) -> None:
    with emulate(tmp_path, env=server_env(MOOT_ADMIN_TOKEN="s3cret")) as running, running.client() as client:
        calls = [
            ("POST", "/moot/api/reset", None),
            ("POST", "/moot/api/seed", {}),
            ("GET", "/moot/api/state", None),
            ("PUT", "/moot/api/state", {"tables": {}}),
            ("GET", "/moot/api/clock", None),
            ("PUT", "/moot/api/clock", {"frozen": True}),
            ("POST", "/moot/api/clock/advance", {"seconds": 1}),
        ]
        for method, path, body in calls:
            for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "Basic s3cret"}):
                refused = client.request(method, path, json=body, headers=headers)
                assert (refused.status_code, refused.json()) == (
                    401,
                    {"code": 124, "message": "Invalid admin token."},
                ), (method, path, headers)
        for method, path, body in calls:
            allowed = client.request(method, path, json=body, headers={"authorization": "Bearer s3cret"})
            assert allowed.status_code in (200, 201, 204), (method, path, allowed.text)
