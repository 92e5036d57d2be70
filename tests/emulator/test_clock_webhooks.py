"""Moving the emulator's clock does at once what falls due on it: webhook retries, URL re-validation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulator.running import Running, emulate
from tests.support.receiver import URL_VALIDATION, Receiver

SECRET = "emulator-hook-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
def hooked(tmp_path: Path, receiver: Receiver) -> Iterator[tuple[Running, httpx.Client]]:
    """An emulator whose seeded app sends every event to the receiver, its endpoint validated."""
    with emulate(tmp_path) as running, running.client() as admin:
        seeded = admin.post(
            "/moot/api/seed",
            json={
                "accounts": [
                    {
                        "id": "hooked",
                        "apps": [
                            {
                                "client_id": "hooked-app",
                                "client_secret": "hooked-secret",
                                "webhook": {"url": receiver.url, "secret": SECRET},
                            }
                        ],
                    }
                ]
            },
        )
        assert seeded.status_code == 201, seeded.text
        receiver.wait_for_event(URL_VALIDATION)
        _wait_until(lambda: _endpoint_active(admin))
        receiver.clear()
        yield running, admin


def _endpoint_active(admin: httpx.Client) -> bool:
    apps = admin.get("/moot/api/state").json()["tables"]["apps"]
    return any(row["client_id"] == "hooked-app" and '"active":true' in row["doc"] for row in apps)


def _wait_until(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _deliveries(admin: httpx.Client) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = admin.get(
        "/moot/api/webhooks/deliveries", params={"event": "meeting.created"}
    ).json()["deliveries"]
    return listed


def test_a_due_retry_goes_out_when_the_clock_is_advanced(
    hooked: tuple[Running, httpx.Client], receiver: Receiver
) -> None:
    running, admin = hooked
    assert admin.put("/moot/api/clock", json={"frozen": True}).json()["frozen"] is True
    receiver.respond_with(500, times=1)
    with running.api(running.token("hooked-app", "hooked-secret", "hooked")) as api:
        assert api.post("/v2/users/me/meetings", json={"topic": "Retried"}).status_code == 201
    first = receiver.wait_for_event("meeting.created")
    assert first.answered == 500
    # Zoom retries after 5 minutes (0.3 s at the emulator's scale) on the clock: frozen, nothing is due.
    time.sleep(1.0)
    assert len(receiver.events("meeting.created")) == 1
    (delivery,) = _deliveries(admin)
    assert (delivery["state"], delivery["attempts"]) == ("pending", 1)

    advanced = time.monotonic()
    assert admin.post("/moot/api/clock/advance", json={"seconds": 1}).status_code == 200
    second = receiver.wait_for(2, timeout=5)[1]
    print(f"\nretry sent {(second.monotonic - advanced) * 1000:.0f} ms after the clock moved")
    assert second.monotonic - advanced < 0.5  # nudged, not found by the next poll
    assert (second.event, second.answered, second.verified) == ("meeting.created", 200, True)
    assert second.headers["x-zm-trackingid"] == first.headers["x-zm-trackingid"]
    _wait_until(lambda: _deliveries(admin)[0]["state"] == "delivered")
    assert _deliveries(admin)[0]["attempts"] == 2


def test_endpoints_are_challenged_again_72_hours_on(
    hooked: tuple[Running, httpx.Client], receiver: Receiver
) -> None:
    _, admin = hooked
    admin.put("/moot/api/clock", json={"frozen": True})
    admin.post("/moot/api/clock/advance", json={"hours": 71})
    time.sleep(1.2)
    assert receiver.events(URL_VALIDATION) == []
    admin.post("/moot/api/clock/advance", json={"hours": 1})
    challenge = receiver.wait_for_event(URL_VALIDATION, timeout=3)
    assert challenge.verified


def test_a_daily_quota_starts_again_when_the_clock_passes_midnight(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        '{"accounts": [{"id": "tiny", "rate_limits": "x0.01",'
        ' "apps": [{"client_id": "tiny-app", "client_secret": "tiny-secret"}]}]}'
    )
    with (
        emulate(tmp_path, "--data", str(seed), "--now", "2030-01-01T23:59:30Z") as running,
        running.client() as admin,
        running.api(running.token("tiny-app", "tiny-secret", "tiny")) as api,
    ):
        assert api.post("/v2/users/me/meetings", json={"topic": "1"}).status_code == 201
        admin.post("/moot/api/clock/advance", json={"seconds": 1})  # past the per-second limit (1 at x0.01)
        refused = api.post("/v2/users/me/meetings", json={"topic": "2"})
        assert (refused.status_code, refused.json()) == (
            429,
            {
                "code": 429,
                "message": "You have exceeded the daily rate limit (1) of Meeting Create/Update API requests "
                "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
            },
        )
        assert refused.headers["retry-after"] == "2030-01-02T00:00:00Z"
        admin.post("/moot/api/clock/advance", json={"seconds": 30})
        assert api.post("/v2/users/me/meetings", json={"topic": "3"}).status_code == 201
