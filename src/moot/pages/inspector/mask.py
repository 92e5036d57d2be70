"""Secrets hidden before a page shows a body: passcodes, client and webhook secrets, tokens (in JSON
keys, form fields and URL parameters such as ``pwd`` and ``zak``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson

MASK = "••••••"

_SECRET_WORDS = ("password", "passcode", "secret", "token", "credential")
_SECRET_KEYS = frozenset({"pwd", "zak", "tk", "code", "code_verifier", "authorization"})
_NOT_SECRET = frozenset({"token_type", "next_page_token", "tracking_id"})
# ``?pwd=...``, ``&zak=...`` and the like inside any string (join, start and registration URLs).
_URL_PARAM = re.compile(r"([?&](?:pwd|zak|tk|token|access_token|code)=)[^&#\s\"']+", re.IGNORECASE)


def secret_key(name: str) -> bool:
    lowered = name.lower()
    if lowered in _NOT_SECRET:
        return False
    return lowered in _SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS)


def _masked_key(name: str) -> bool:
    # JSON: "code" is Zoom's error code, not an authorization code.
    return name.lower() != "code" and secret_key(name)


def _hidden(name: str, value: Any) -> bool:
    return _masked_key(name) and value not in (None, "")


def mask_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if _hidden(str(k), v) else mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, str):
        return _URL_PARAM.sub(lambda m: m.group(1) + MASK, value)
    return value


def mask_query(query: str) -> str:
    """A query string or form body with secret fields hidden."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return _URL_PARAM.sub(lambda m: m.group(1) + MASK, query)
    return "&".join(f"{k}={MASK if secret_key(k) and v else mask_value(v)}" for k, v in pairs)


def mask_body(body: str) -> str:
    """A body as text: JSON pretty-printed with secrets hidden, a form body with its secret fields hidden,
    anything else with secret URL parameters hidden."""
    stripped = body.strip()
    if not stripped:
        return ""
    if stripped[0] in "{[":
        try:
            decoded = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return _URL_PARAM.sub(lambda m: m.group(1) + MASK, body)
        return orjson.dumps(mask_value(decoded), option=orjson.OPT_INDENT_2).decode()
    if "=" in stripped and " " not in stripped and "\n" not in stripped:
        return mask_query(stripped)
    return _URL_PARAM.sub(lambda m: m.group(1) + MASK, body)


def pretty(value: Any) -> str:
    """A value for a table cell: strings as they are, the rest as JSON (secrets hidden)."""
    masked = mask_value(value)
    if isinstance(masked, str):
        return masked
    return orjson.dumps(masked, option=orjson.OPT_INDENT_2 if isinstance(masked, dict | list) else 0).decode()
