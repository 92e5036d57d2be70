"""The authorization-code helpers of ``moot.client.oauth`` (httpx.MockTransport)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from moot.client import PKCE, OAuthError, Token, async_exchange_code, authorization_url, exchange_code
from moot.client.oauth import authorize_endpoint, s256
from tests.client.fake import FakeClock, basic, form

REDIRECT = "http://127.0.0.1:8765/callback"


def test_pkce_pairs_are_fresh_and_s256() -> None:
    pair, other = PKCE.new(), PKCE.new()
    assert pair.verifier != other.verifier and len(pair.verifier) == 86
    digest = hashlib.sha256(pair.verifier.encode()).digest()
    assert pair.challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert (pair.method, len(pair.challenge)) == ("S256", 43)
    # RFC 7636, appendix B
    assert (
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    assert pair.verifier not in repr(pair)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (None, "https://zoom.us/oauth/authorize"),
        ("https://api.zoom.us/v2", "https://zoom.us/oauth/authorize"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/oauth/authorize"),
        ("https://gw.example/zoom/v2", "https://gw.example/zoom/oauth/authorize"),
    ],
)
def test_authorize_endpoint(base_url: str | None, expected: str) -> None:
    assert authorize_endpoint(base_url) == expected


def test_authorization_url() -> None:
    pkce = PKCE("v" * 43, "c" * 43)
    url = authorization_url(
        client_id="cid", redirect_uri=REDIRECT, state="st", pkce=pkce, base_url="http://127.0.0.1:8000"
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8000", "/oauth/authorize")
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["cid"],
        "redirect_uri": [REDIRECT],
        "state": ["st"],
        "code_challenge": ["c" * 43],
        "code_challenge_method": ["S256"],
    }
    plain = authorization_url(client_id="cid", redirect_uri=REDIRECT, state="st")
    assert plain == (
        "https://zoom.us/oauth/authorize?response_type=code&client_id=cid"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=st"
    )


def answer(request: httpx.Request) -> httpx.Response:
    if form(request).get("code") != "good":
        return httpx.Response(400, json={"reason": "Invalid authorization code", "error": "invalid_grant"})
    return httpx.Response(
        200,
        json={"access_token": "at", "token_type": "bearer", "refresh_token": "rt", "expires_in": 3600,
              "scope": "meeting:read user:read"},
    )  # fmt: skip


def test_exchange_code() -> None:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    token = exchange_code(
        client_id="cid",
        client_secret="shh",
        code="good",
        redirect_uri=REDIRECT,
        code_verifier="v" * 43,
        base_url="http://127.0.0.1:8000",
        transport=httpx.MockTransport(recording),
        clock=FakeClock(1000.0),
    )
    assert token == Token("at", 4600.0, "rt", "meeting:read user:read")
    (request,) = seen
    assert str(request.url) == "http://127.0.0.1:8000/oauth/token"
    assert basic(request) == "cid:shh"
    assert form(request) == {
        "grant_type": "authorization_code",
        "code": "good",
        "redirect_uri": REDIRECT,
        "code_verifier": "v" * 43,
    }


def test_a_refused_code_raises_oauth_error() -> None:
    with pytest.raises(OAuthError) as raised:
        exchange_code(
            client_id="cid",
            client_secret="shh",
            code="spent",
            redirect_uri=REDIRECT,
            transport=httpx.MockTransport(answer),
        )
    assert (raised.value.status_code, raised.value.message, raised.value.error) == (
        400,
        "Invalid authorization code",
        "invalid_grant",
    )


async def test_async_exchange_code() -> None:
    token = await async_exchange_code(
        client_id="cid",
        client_secret="shh",
        code="good",
        redirect_uri=REDIRECT,
        transport=httpx.MockTransport(answer),
        clock=FakeClock(0.0),
    )
    assert token == Token("at", 3600.0, "rt", "meeting:read user:read")
