"""``next_page_token``: an opaque, signed token that carries the whole query and expires in 15 minutes.

Some clients send only ``next_page_token`` on later pages, dropping every other parameter, so the token
holds everything needed to produce the next page.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

import orjson

from moot.domain.errors import FieldError, ValidationFailed
from moot.services.context import Deps

TOKEN_LIFETIME = 15 * 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(deps: Deps, kind: str, state: dict[str, Any]) -> str:
    payload = orjson.dumps({"k": kind, "x": int(deps.clock.timestamp()) + TOKEN_LIFETIME, **state})
    mac = deps.keys.sign(payload)[:16]
    return _b64(payload) + "." + _b64(mac)


def _invalid() -> ValidationFailed:
    return ValidationFailed([FieldError("next_page_token", "The next page token is invalid or expired.")])


def decode(deps: Deps, kind: str, token: str) -> dict[str, Any]:
    try:
        body, mac = token.split(".", 1)
        payload = _unb64(body)
        expected = deps.keys.sign(payload)[:16]
        if not hmac.compare_digest(expected, _unb64(mac)):
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
