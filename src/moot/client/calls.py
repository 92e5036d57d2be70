"""A call to the API described as data, and the request / response rules both clients share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from moot.client.errors import RateLimited, ZoomAPIError, from_body
from moot.client.retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
USER_AGENT = "moot-client/0.1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


@dataclass(frozen=True)
class Call:
    """One API operation: method, path under the API base, query and JSON body."""

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None

    @property
    def idempotent(self) -> bool:
        """GET, DELETE and PUT (status changes) may be repeated; POST and PATCH may not."""
        return self.method in IDEMPOTENT_METHODS

    def with_params(self, **params: Any) -> Call:
        return replace(self, params={**self.params, **params})


def segment(value: str | int) -> str:
    """A path segment. Meeting UUIDs that start with ``/`` or contain ``//`` are encoded twice (S23)."""
    text = str(value)
    if text.startswith("/") or "//" in text:
        text = quote(text, safe="")
    return quote(text, safe="")


def zoom_time(value: datetime | date | str) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for an aware datetime (converted to UTC); local ``YYYY-MM-DDTHH:MM:SS``
    (read by Zoom in the meeting's ``timezone``) for a naive one; ``YYYY-MM-DD`` for a date."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(microsecond=0).isoformat()
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def jsonable(value: Any) -> Any:
    """A request body with datetimes as Zoom times and ``None`` values left out."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return zoom_time(value)
    return value


def query(params: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, datetime | date):
            out[key] = zoom_time(value)
        elif isinstance(value, list | tuple):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out


def resolve_urls(base_url: str | None, oauth_url: str | None) -> tuple[str, str]:
    """The API base and the token URL. ``base_url`` may be a server root (``http://127.0.0.1:8000``) or an
    API base ending in ``/v2``; the token URL is Zoom's for Zoom's API host, ``{root}/oauth/token``
    otherwise."""
    api = (base_url or ZOOM_API_URL).rstrip("/")
    parts = urlsplit(api)
    root_path = parts.path[: -len("/v2")] if parts.path.endswith("/v2") else parts.path
    api = urlunsplit(parts._replace(path=root_path + "/v2"))
    if oauth_url:
        return api, oauth_url
    if parts.hostname == "api.zoom.us":
        return api, ZOOM_OAUTH_URL
    return api, urlunsplit(parts._replace(path=root_path + "/oauth/token"))


def decode(response: httpx.Response) -> Any:
    """The JSON body, or ``None`` for an empty or non-JSON one."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def error_for(response: httpx.Response, now: float) -> ZoomAPIError:
    error = from_body(response.status_code, decode(response), response.headers.get("x-zm-trackingid"))
    if isinstance(error, RateLimited):
        error.retry_after = parse_retry_after(response.headers.get("retry-after"), now)
    return error


def retry_delay(
    call: Call, response: httpx.Response, attempt: int, policy: RetryPolicy, now: float
) -> float | None:
    """Seconds to wait before repeating ``call`` after ``response``, or ``None`` not to repeat it."""
    if not call.idempotent or response.status_code not in RETRYABLE_STATUSES or attempt >= policy.max_retries:
        return None
    named = parse_retry_after(response.headers.get("retry-after"), now)
    if named is None:
        return policy.backoff(attempt)
    return named if named <= policy.max_retry_after else None


def transport_retry_delay(call: Call, attempt: int, policy: RetryPolicy) -> float | None:
    if not call.idempotent or attempt >= policy.max_retries:
        return None
    return policy.backoff(attempt)
