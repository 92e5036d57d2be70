"""Tokens: fetched lazily, cached, renewed before expiry and once after a 401 (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from moot.client import AsyncClient, Client, InvalidAccessToken, OAuthError, Token
from tests.client.fake import API, TOKEN_URL, FakeClock, FakeZoom, basic, bearer, form, s2s_client


def page(n: int, token: str = "") -> httpx.Response:
    return httpx.Response(
        200, json={"page_size": 1, "next_page_token": token, "meetings": [{"id": n, "topic": f"m{n}"}]}
    )


def test_token_is_fetched_lazily_once_and_cached() -> None:
    fake = FakeZoom()
    client = s2s_client(fake)
    assert fake.token_requests == []
    client.meetings.get(1)
    client.meetings.get(2)
    assert len(fake.token_requests) == 1
    request = fake.token_requests[0]
    assert str(request.url) == TOKEN_URL
    assert form(request) == {"grant_type": "account_credentials", "account_id": "acct"}
    assert basic(request) == "cid:shh"
    assert [bearer(r) for r in fake.requests] == ["token-1", "token-1"]


def test_token_is_renewed_before_it_expires() -> None:
    fake, clock = FakeZoom(), FakeClock()
    client = s2s_client(fake, clock)
    client.meetings.get(1)
    clock.now += 3600 - 61
    client.meetings.get(1)
    clock.now += 2  # within the 60 s margin
    client.meetings.get(1)
    assert [bearer(r) for r in fake.requests] == ["token-1", "token-1", "token-2"]


def test_token_expiring_in_the_middle_of_a_listing() -> None:
    clock = FakeClock()

    def first_page_then_time_passes(request: httpx.Request) -> httpx.Response:
        clock.now += 3600
        return page(1, "next-1")

    fake = FakeZoom(answers=[first_page_then_time_passes, page(2, "next-2"), page(3)])
    client = s2s_client(fake, clock)
    assert [m["id"] for m in client.meetings.list(page_size=1)] == [1, 2, 3]
    assert [bearer(r) for r in fake.requests] == ["token-1", "token-2", "token-2"]
    assert [r.url.params.get("next_page_token") for r in fake.requests] == [None, "next-1", "next-2"]
    assert all(r.url.params["page_size"] == "1" for r in fake.requests)


def test_a_401_renews_the_token_once_and_repeats_the_call() -> None:
    fake = FakeZoom(revoked={"token-1"})
    client = s2s_client(fake)
    client.meetings.create(topic="Once")  # even a POST: a 401 means nothing was done
    assert [(r.method, bearer(r)) for r in fake.requests] == [("POST", "token-1"), ("POST", "token-2")]


def test_a_second_401_is_raised() -> None:
    fake = FakeZoom(revoked={"token-1", "token-2", "token-3"})
    client = s2s_client(fake)
    with pytest.raises(InvalidAccessToken) as raised:
        client.meetings.get(1)
    assert (raised.value.status_code, raised.value.code) == (401, 124)
    assert len(fake.token_requests) == 2


def test_token_endpoint_errors_are_oauth_errors() -> None:
    refused = httpx.Response(
        401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    client = s2s_client(FakeZoom(token_answer=refused))
    with pytest.raises(OAuthError) as raised:
        client.meetings.get(1)
    assert raised.value.error == "invalid_client"
    assert raised.value.message == "Invalid client_id or client_secret"
    assert "shh" not in repr(raised.value) and "shh" not in str(raised.value)


def test_user_tokens_are_refreshed_with_the_refresh_grant() -> None:
    fake = FakeZoom(revoked={"user-access"})
    stored: list[Token] = []
    client = Client(
        access_token="user-access",
        refresh_token="refresh-0",
        client_id="cid",
        client_secret="shh",
        on_token_refresh=stored.append,
        transport=fake.transport(),
        clock=FakeClock(),
    )
    client.users.get()
    assert [bearer(r) for r in fake.requests] == ["user-access", "token-1"]
    assert form(fake.token_requests[0]) == {"grant_type": "refresh_token", "refresh_token": "refresh-0"}
    assert [(t.access_token, t.refresh_token) for t in stored] == [("token-1", "refresh-1")]
    fake.revoked.add("token-1")
    client.users.get()
    assert form(fake.token_requests[1])["refresh_token"] == "refresh-1"  # single-use: the new one


def test_user_tokens_with_a_known_expiry_are_refreshed_ahead() -> None:
    fake, clock = FakeZoom(), FakeClock()
    client = Client(
        access_token="user-access",
        refresh_token="r",
        client_id="cid",
        client_secret="shh",
        token_expires_at=clock.now + 30,
        transport=fake.transport(),
        clock=clock,
    )
    client.users.get()
    assert [bearer(r) for r in fake.requests] == ["token-1"]


def test_an_access_token_alone_is_used_until_refused() -> None:
    fake = FakeZoom(revoked={"only"})
    client = Client(access_token="only", transport=fake.transport())
    with pytest.raises(InvalidAccessToken):
        client.users.get()
    assert fake.token_requests == []


def test_credentials_are_required() -> None:
    with pytest.raises(ValueError, match="account_id"):
        Client(client_id="x")


async def test_async_client_renews_after_401_and_mid_listing() -> None:
    clock = FakeClock()

    def first(request: httpx.Request) -> httpx.Response:
        clock.now += 7200
        return page(1, "n1")

    fake = FakeZoom(answers=[first, page(2)], revoked={"token-1"})
    async with AsyncClient(
        account_id="a", client_id="c", client_secret="s", transport=fake.transport(), clock=clock
    ) as client:
        assert await client.access_token() == "token-1"
        assert [m["id"] async for m in client.meetings.list()] == [1, 2]
    assert [bearer(r) for r in fake.requests] == ["token-1", "token-2", "token-3"]
    assert all(str(r.url).startswith(API) for r in fake.requests)
