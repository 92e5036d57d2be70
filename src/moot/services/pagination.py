"""``next_page_token``: an opaque, signed token that carries the whole query and expires in 15 minutes.

Some clients send only ``next_page_token`` on later pages, dropping every other parameter, so the token
holds everything needed to produce the next page.
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson

from moot.domain import b64url
from moot.domain.errors import FieldError, ValidationFailed
from moot.services.context import Deps

TOKEN_LIFETIME = 15 * 60


def encode(deps: Deps, kind: str, state: dict[str, Any]) -> str:
    payload = orjson.dumps({"k": kind, "x": int(deps.clock.timestamp()) + TOKEN_LIFETIME, **state})
    mac = deps.keys.sign(payload)[:16]
    return b64url.encode(payload) + "." + b64url.encode(mac)


def _invalid() -> ValidationFailed:
    return ValidationFailed([FieldError("next_page_token", "The next page token is invalid or expired.")])


def decode(deps: Deps, kind: str, token: str) -> dict[str, Any]:
    try:
        body, mac = token.split(".", 1)
        payload = b64url.decode(body)
        expected = deps.keys.sign(payload)[:16]
        if not hmac.compare_digest(expected, b64url.decode(mac)):
            raise _invalid()
        state = orjson.loads(payload)
    except (ValueError, orjson.JSONDecodeError):
        raise _invalid() from None
    if not isinstance(state, dict) or state.get("k") != kind or deps.clock.timestamp() > state.get("x", 0):
        raise _invalid()
    return state


def page_count(total: int, size: int) -> int:
    return (total + size - 1) // size


def envelope(key: str, items: list[Any], *, size: int, number: int, total: int, token: str) -> dict[str, Any]:
    """A page as Zoom's list operations answer it, in Zoom's key order."""
    return {
        "page_count": page_count(total, size),
        "page_number": number,
        "page_size": size,
        "total_records": total,
        "next_page_token": token,
        key: items,
    }
