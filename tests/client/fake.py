"""A scripted Zoom for ``httpx.MockTransport``: a token endpoint and queued API answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from moot.client import Client

API = "https://api.zoom.us/v2"
TOKEN_URL = "https://zoom.us/oauth/token"
T0 = 1_900_000_000.0  # 2030-03-17


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeZoom:
    """Answers the token endpoint with ``token-1``, ``token-2``, ... and API calls from ``answers`` (a queue
    of responses or callables), else 200 ``{}``. Tokens in ``revoked`` are refused with 401/124."""

    answers: list[httpx.Response | Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[httpx.Request] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    expires_in: int = 3600
    token_answer: httpx.Response | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(TOKEN_URL):
            self.token_requests.append(request)
            if self.token_answer is not None:
                return self.token_answer
            number = len(self.token_requests)
            body: dict[str, Any] = {
                "access_token": f"token-{number}",
                "token_type": "bearer",
                "expires_in": self.expires_in,
                "scope": "meeting:read:admin",
            }
            if form(request).get("grant_type") == "refresh_token":
                body["refresh_token"] = f"refresh-{number}"
            return httpx.Response(200, json=body)
        self.requests.append(request)
        if bearer(request) in self.revoked:
            return httpx.Response(401, json={"code": 124, "message": "Invalid access token."})
        if not self.answers:
            return httpx.Response(200, json={})
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def bearer(request: httpx.Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


def basic(request: httpx.Request) -> str:
    return base64.b64decode(request.headers["authorization"].removeprefix("Basic ")).decode()


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def s2s_client(fake: FakeZoom, clock: FakeClock | None = None, **kwargs: Any) -> Client:
    sleeps: list[float] = kwargs.pop("sleeps", [])
    return Client(
        account_id="acct",
        client_id="cid",
        client_secret="shh",
        transport=fake.transport(),
        clock=clock or FakeClock(),
        sleep=sleeps.append,
        **kwargs,
    )
