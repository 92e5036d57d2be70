"""Errors raised by the SDK, mirroring the server's error tree (``moot.domain.errors``).

Every non-2xx answer becomes a :class:`ZoomAPIError`. The subclass is chosen from Zoom's ``code`` first
(``3001`` is :class:`MeetingNotFound` whatever the status), then from the HTTP status, so
``except NotFound`` catches an unknown meeting, an unknown user and any other 404 alike.
"""

from __future__ import annotations

from typing import Any, TypedDict


class FieldError(TypedDict):
    """One entry of ``errors[]`` in a 300 "Validation Failed." body: the dotted field and what is wrong."""

    field: str
    message: str


class ZoomAPIError(Exception):
    """A non-2xx answer from Zoom's API (or moot).

    ``code`` is Zoom's error code from the body (``None`` when the body has none, e.g. an OAuth error or an
    HTML error page), ``tracking_id`` the ``x-zm-trackingid`` header that Zoom support asks for.
    """

    def __init__(
        self,
        status_code: int,
        code: int | None,
        message: str,
        *,
        errors: list[FieldError] | None = None,
        tracking_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.errors: list[FieldError] = errors or []
        self.tracking_id = tracking_id
        self.body = body
        super().__init__(
            f"[{status_code}/{code}] {message}" if code is not None else f"[{status_code}] {message}"
        )


class AuthError(ZoomAPIError):
    """Authentication or authorisation failed (401, or a token or scope error)."""


class InvalidAccessToken(AuthError):
    """401/124: the access token is missing, malformed, revoked or expired (``Access token is expired.``)."""


class MissingScopes(AuthError):
    """4711 (or 4700): the token does not carry the scopes this operation needs."""


class OAuthError(AuthError):
    """The token endpoint refused: ``{"reason": ..., "error": "invalid_client" | "invalid_grant" | ...}``.

    ``error`` holds the OAuth error name; ``code`` is ``None``.
    """

    @property
    def error(self) -> str:
        return str(self.body.get("error", "")) if isinstance(self.body, dict) else ""


class NotFound(ZoomAPIError):
    """404: the resource does not exist (or the path is not served)."""


class MeetingNotFound(NotFound):
    """404/3001: ``Meeting does not exist: {meetingId}.``"""


class UserNotFound(NotFound):
    """404/1001: ``User does not exist: {userId}.``"""


class ValidationFailed(ZoomAPIError):
    """400/300: ``Validation Failed.`` with ``errors[{field, message}]``, or a body that is not JSON."""


class BadRequest(ZoomAPIError):
    """Any other 400, e.g. 3000 ``Invalid occurrence_id.`` or 3003 ``You are not the meeting host.``"""


class Conflict(ZoomAPIError):
    """409, e.g. 1005 ``Email "..." has already been used.``"""


class RateLimited(ZoomAPIError):
    """429: a per-second or daily limit. ``retry_after`` is the wait in seconds when the server said."""

    retry_after: float | None = None


class ServerError(ZoomAPIError):
    """5xx."""


_BY_CODE: dict[int, type[ZoomAPIError]] = {
    124: InvalidAccessToken,
    4700: MissingScopes,
    4711: MissingScopes,
    1001: UserNotFound,
    3001: MeetingNotFound,
    300: ValidationFailed,
    1005: Conflict,
    429: RateLimited,
}

_BY_STATUS: dict[int, type[ZoomAPIError]] = {
    400: BadRequest,
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_class(status_code: int, code: int | None) -> type[ZoomAPIError]:
    """The most specific class: by Zoom code, then by HTTP status."""
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, ZoomAPIError)


def from_body(status_code: int, body: Any, tracking_id: str | None = None) -> ZoomAPIError:
    """The error for a decoded response body (a dict, or ``None`` when it was not JSON)."""
    data = body if isinstance(body, dict) else {}
    raw_code = data.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    if "reason" in data and "error" in data and code is None:
        return OAuthError(status_code, None, str(data["reason"]), tracking_id=tracking_id, body=body)
    message = str(data.get("message") or f"HTTP {status_code}")
    raw_errors = data.get("errors")
    errors = (
        [FieldError(field=str(e.get("field", "")), message=str(e.get("message", ""))) for e in raw_errors]
        if isinstance(raw_errors, list) and all(isinstance(e, dict) for e in raw_errors)
        else []
    )
    cls = error_class(status_code, code)
    return cls(status_code, code, message, errors=errors, tracking_id=tracking_id, body=body)
