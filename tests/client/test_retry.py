"""429 and 5xx: retried for idempotent calls only, honouring Retry-After (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from moot.client import AsyncClient, RateLimited, RetryPolicy, ServerError
from moot.client.retry import parse_retry_after
from tests.client.fake import T0, FakeClock, FakeZoom, s2s_client

PER_SECOND = {
    "code": 429,
    "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
}
NO_JITTER = RetryPolicy(jitter=lambda: 1.0)


def limited(retry_after: str | None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(429, json=PER_SECOND, headers=headers)


def unavailable() -> httpx.Response:
    return httpx.Response(503, json={"code": 503, "message": "Service Unavailable"})


def test_429_with_retry_after_in_seconds() -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[limited("2"), httpx.Response(200, json={"id": 1})])
    assert s2s_client(fake, sleeps=sleeps).meetings.get(1) == {"id": 1}
    assert sleeps == [2.0]
    assert len(fake.requests) == 2


@pytest.mark.parametrize("instant", ["2030-03-17T17:46:45Z", "Sun, 17 Mar 2030 17:46:45 GMT"])
def test_429_with_retry_after_as_an_instant(instant: str) -> None:
    sleeps: list[float] = []
    clock = FakeClock(T0)  # 2030-03-17T17:46:40Z
    fake = FakeZoom(answers=[limited(instant), httpx.Response(204)])
    s2s_client(fake, clock, sleeps=sleeps).meetings.delete(1)
    assert sleeps == [5.0]


def test_a_daily_limit_is_not_waited_for() -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[limited("2030-03-18T00:00:00Z")])
    with pytest.raises(RateLimited) as raised:
        s2s_client(fake, sleeps=sleeps).meetings.get(1)
    assert sleeps == []
    assert raised.value.retry_after == pytest.approx(22400.0)
    assert (raised.value.status_code, raised.value.code) == (429, 429)


def test_429_without_retry_after_backs_off_exponentially() -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[limited(None), limited(None), httpx.Response(200, json={})])
    s2s_client(fake, sleeps=sleeps, retry=NO_JITTER).users.get()
    assert sleeps == [0.5, 1.0]


def test_5xx_retry_budget_is_spent_then_raised() -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[unavailable() for _ in range(10)])
    policy = RetryPolicy(max_retries=4, backoff_base=1.0, backoff_cap=3.0, jitter=lambda: 1.0)
    with pytest.raises(ServerError) as raised:
        s2s_client(fake, sleeps=sleeps, retry=policy).meetings.get(1)
    assert raised.value.status_code == 503
    assert len(fake.requests) == 5
    assert sleeps == [1.0, 2.0, 3.0, 3.0]  # capped


def test_jitter_scales_the_backoff() -> None:
    policy = RetryPolicy(backoff_base=1.0, jitter=lambda: 0.25)
    assert [policy.backoff(n) for n in range(3)] == [0.25, 0.5, 1.0]


def test_put_status_is_retried() -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[unavailable(), httpx.Response(204)])
    s2s_client(fake, sleeps=sleeps).meetings.end(1)
    assert [r.method for r in fake.requests] == ["PUT", "PUT"]


@pytest.mark.parametrize("answer", [unavailable, lambda: limited("1")])
def test_post_create_is_never_retried(answer: object) -> None:
    sleeps: list[float] = []
    fake = FakeZoom(answers=[answer(), httpx.Response(201, json={"id": 1})])  # type: ignore[operator]
    with pytest.raises((ServerError, RateLimited)):
        s2s_client(fake, sleeps=sleeps).meetings.create(topic="Once only")
    assert [r.method for r in fake.requests] == ["POST"]
    assert sleeps == []


def test_patch_is_not_retried() -> None:
    fake = FakeZoom(answers=[unavailable()])
    with pytest.raises(ServerError):
        s2s_client(fake).meetings.update(1, topic="x")
    assert len(fake.requests) == 1


def test_connection_errors_are_retried_for_get_only() -> None:
    failures = {"count": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        failures["count"] += 1
        raise httpx.ConnectError("refused", request=request)

    fake = FakeZoom(answers=[flaky, httpx.Response(200, json={"id": 1})])
    assert s2s_client(fake).meetings.get(1) == {"id": 1}
    fake = FakeZoom(answers=[flaky])
    with pytest.raises(httpx.ConnectError):
        s2s_client(fake).meetings.create(topic="x")
    assert failures["count"] == 2


async def test_async_client_retries_and_sleeps() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = FakeZoom(answers=[limited("3"), unavailable(), httpx.Response(200, json={"id": 7})])
    async with AsyncClient(
        account_id="a",
        client_id="c",
        client_secret="s",
        transport=fake.transport(),
        clock=FakeClock(),
        sleep=sleep,
        retry=NO_JITTER,
    ) as client:
        assert await client.meetings.get(7) == {"id": 7}
    assert slept == [3.0, 1.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("0", 0.0), (" 7 ", 7.0), ("1.5", 1.5), ("2030-03-17T17:46:30Z", 0.0), ("soon", None), ("", None)],
)
def test_parse_retry_after(header: str, expected: float | None) -> None:
    assert parse_retry_after(header, T0) == expected
