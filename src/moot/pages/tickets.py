"""Signed cookies that name a visitor of a meeting (``Visitor``) or its host (``HostSession``) across
requests: a JSON body and the server's HMAC of it (``deps.keys.sign``), never a guessable id.

A visitor's ticket also carries a short MAC of the meeting's passcode: changing the passcode shuts out
everyone who passed the old one.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass, replace
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from moot.domain import b64url
from moot.domain.meetings import Meeting
from moot.services.context import Deps

VISITOR_LIFETIME = 24 * 3600
HOST_LIFETIME = 12 * 3600


def seal(deps: Deps, kind: str, body: dict[str, Any]) -> str:
    payload = b64url.encode(orjson.dumps(body))
    mac = b64url.encode(deps.keys.sign(f"page-{kind}\x00{payload}".encode()))
    return f"{payload}.{mac}"


def unseal(deps: Deps, kind: str, sealed: str) -> dict[str, Any] | None:
    payload, _, mac = sealed.partition(".")
    if not payload or not mac or len(sealed) > 4096:
        return None
    expected = b64url.encode(deps.keys.sign(f"page-{kind}\x00{payload}".encode()))
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        return None
    try:
        body = orjson.loads(b64url.decode(payload))
    except (ValueError, orjson.JSONDecodeError):
        return None
    return body if isinstance(body, dict) else None


def passcode_mark(deps: Deps, meeting: Meeting) -> str:
    return b64url.encode(deps.keys.sign(b"page-passcode\x00" + meeting.passcodes.password.encode())[:9])


@dataclass(frozen=True, slots=True)
class Visitor:
    """Someone who passed a meeting's gate (passcode or registrant link) in this browser."""

    meeting_id: int
    mark: str  # passcode_mark at the time the gate was passed
    issued: int
    registrant_id: str = ""
    registrant_token: str = ""  # kept for the calendar link of a registrant
    name: str = ""
    email: str = ""
    wants_in: bool = False  # asked to join while the meeting could not be joined: join when it can
    instance: str = ""  # the instance uuid they joined
    participant: str = ""  # their user_id in that instance
    left: bool = False  # left the meeting themselves

    def joined(self, instance: str, participant: str) -> Visitor:
        return replace(self, instance=instance, participant=participant, wants_in=False, left=False)

    def out(self, *, left: bool = False) -> Visitor:
        return replace(self, instance="", participant="", wants_in=False, left=left)


def visitor_cookie(meeting_id: int) -> str:
    return f"moot_j{meeting_id}"


def host_cookie(meeting_id: int) -> str:
    return f"moot_s{meeting_id}"


def _secure(deps: Deps) -> bool:
    return deps.settings.base_url.startswith("https://")


def read_visitor(deps: Deps, request: Request, meeting: Meeting) -> Visitor | None:
    body = unseal(deps, "visitor", request.cookies.get(visitor_cookie(meeting.id), ""))
    if body is None:
        return None
    try:
        visitor = Visitor(**body)
    except TypeError:
        return None
    fresh = deps.clock.timestamp() - visitor.issued < VISITOR_LIFETIME
    if visitor.meeting_id != meeting.id or visitor.mark != passcode_mark(deps, meeting) or not fresh:
        return None
    return visitor


def new_visitor(deps: Deps, meeting: Meeting, **fields: Any) -> Visitor:
    return Visitor(
        meeting_id=meeting.id,
        mark=passcode_mark(deps, meeting),
        issued=int(deps.clock.timestamp()),
        **fields,
    )


def keep_visitor(response: Response, deps: Deps, visitor: Visitor) -> None:
    response.set_cookie(
        visitor_cookie(visitor.meeting_id),
        seal(deps, "visitor", asdict(visitor)),
        max_age=VISITOR_LIFETIME,
        path="/",
        secure=_secure(deps),
        httponly=True,
        samesite="lax",
    )


@dataclass(frozen=True, slots=True)
class HostSession:
    meeting_id: int
    user_id: str
    account_id: str
    expires: int


def read_host(deps: Deps, request: Request, meeting_id: int) -> HostSession | None:
    body = unseal(deps, "host", request.cookies.get(host_cookie(meeting_id), ""))
    if body is None:
        return None
    try:
        session = HostSession(**body)
    except TypeError:
        return None
    if session.meeting_id != meeting_id or deps.clock.timestamp() >= session.expires:
        return None
    return session


def keep_host(response: Response, deps: Deps, meeting: Meeting) -> None:
    session = HostSession(
        meeting_id=meeting.id,
        user_id=meeting.host_id,
        account_id=meeting.account_id,
        expires=int(deps.clock.timestamp()) + HOST_LIFETIME,
    )
    response.set_cookie(
        host_cookie(meeting.id),
        seal(deps, "host", asdict(session)),
        max_age=HOST_LIFETIME,
        path="/",
        secure=_secure(deps),
        httponly=True,
        samesite="lax",
    )
