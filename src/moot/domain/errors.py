"""Zoom's wire errors: one class per error, carrying HTTP status, Zoom code and message.

Services raise these; the API renders them as ``{"code", "message"}`` (plus ``errors[]`` for code 300).
OAuth errors are a family of their own, rendered as ``{"reason", "error"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class ZoomError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[int] = 300
    template: ClassVar[str] = "Validation Failed."
    headers: dict[str, str]

    def __init__(self, **params: Any) -> None:
        self.message = self.template.format(**params) if params else self.template
        self.headers = {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


class ValidationFailed(ZoomError):
    """400/300 with ``errors[{field, message}]``."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "errors": [{"field": e.field, "message": e.message} for e in self.errors],
        }


class InvalidJsonBody(ZoomError):
    template = "Request Body should be a valid JSON object."


class InvalidAccessToken(ZoomError):
    status = 401
    code = 124
    template = "Invalid access token."


class AccessTokenExpired(ZoomError):
    status = 401
    code = 124
    template = "Access token is expired."


class MissingScopes(ZoomError):
    code = 4711
    template = "Invalid access token, does not contain scopes:[{scopes}]."


class UserNotFound(ZoomError):
    status = 404
    code = 1001
    template = "User does not exist: {user_id}."


class EmailAlreadyUsed(ZoomError):
    status = 409
    code = 1005
    template = 'Email "{email}" has already been used.'


class MeetingNotFound(ZoomError):
    status = 404
    code = 3001
    template = "Meeting does not exist: {meeting_id}."


class InvalidOccurrenceId(ZoomError):
    code = 3000
    template = "Invalid occurrence_id."


class NoFixedTime(ZoomError):
    code = 3000
    template = "Meeting {meeting_id} has no fixed time, so it has no calendar file."


class InstantMeetingScheduleFor(ZoomError):
    code = 3000
    template = "Instant meetings do not support the schedule_for parameter."


class ScheduleForInvalid(ZoomError):
    code = 300
    template = (
        "The value that you entered for the schedule_for field is invalid. Enter a valid value and try again."
    )


class RateLimited(ZoomError):
    """429 with Zoom's text for the limit that was hit, and the headers that go with it."""

    status = 429
    code = 429

    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__()
        self.message = message
        self.headers = headers
        self.args = (message,)


class RouteNotFound(ZoomError):
    status = 404
    code = 404
    template = "The requested resource was not found."


class AdminTokenInvalid(ZoomError):
    """moot's admin API (``/moot/api``) refused a request without its admin token."""

    status = 401
    code = 124
    template = "Invalid admin token."


class MethodNotAllowed(ZoomError):
    status = 405
    code = 405
    template = "Method Not Allowed."


class OperationNotImplemented(ZoomError):
    """A request for one of Zoom's operations that moot does not implement yet (docs/compatibility.md):
    404 like any path Zoom does not serve, with a message naming the operation."""

    status = 404
    code = 404
    template = "moot does not implement Zoom's operation {operation} ({method} {path}) yet."


class RequestTooLarge(ZoomError):
    status = 413
    code = 413
    template = "Request Body is too large."


class InternalError(ZoomError):
    status = 500
    code = 500
    template = "An internal error occurred. Please try again later."


class RegistrationNotEnabled(ZoomError):
    status = 404
    code = 404
    template = "Registration has not been enabled for this meeting: {meeting_id}."


class RegistrantNotFound(ZoomError):
    status = 404
    code = 3000
    template = "Registrant {registrant} was not found."


class AlreadyRegistered(ZoomError):
    code = 3000
    template = 'Email "{email}" has already been registered for this meeting.'


class HostCannotRegister(ZoomError):
    code = 3027
    template = "Host can not register"


class RegistrationClosed(ZoomError):
    code = 3038
    template = (
        "Meeting is over, you can not register now. If you have any questions, please contact the "
        "Meeting host."
    )


class RegistrantCapacityReached(ZoomError):
    code = 3043
    template = "Meeting has reached maximum attendee capacity."


class OAuthError(Exception):
    """Token-endpoint errors: ``{"reason": ..., "error": ...}``."""

    def __init__(self, status: int, error: str, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"reason": self.reason, "error": self.error}


def invalid_client() -> OAuthError:
    return OAuthError(401, "invalid_client", "Invalid client_id or client_secret")


def too_many_failed_attempts(retry_after: int) -> OAuthError:
    """Client authentication refused for a while after too many failures (moot's; Zoom's is unknown)."""
    return OAuthError(
        429,
        "too_many_requests",
        "Too many failed attempts. Try again later.",
        {"Retry-After": str(retry_after)},
    )


def unsupported_grant_type() -> OAuthError:
    return OAuthError(400, "unsupported_grant_type", "Unsupported grant type")


def missing_grant_type() -> OAuthError:
    return OAuthError(400, "invalid_request", "Missing grant type")


def invalid_account_id() -> OAuthError:
    return OAuthError(400, "invalid_request", "Invalid account_id")


def unauthorized_client() -> OAuthError:
    """An S2S app asking for a user grant, or a user-OAuth app asking for account_credentials."""
    return OAuthError(400, "unauthorized_client", "The client is not authorized to use this grant type")


def invalid_authorization_code() -> OAuthError:
    return OAuthError(400, "invalid_grant", "Invalid authorization code")


def redirect_uri_mismatch() -> OAuthError:
    """Zoom's 4709."""
    return OAuthError(400, "invalid_request", "Redirect URI mismatch.")


def invalid_code_verifier() -> OAuthError:
    return OAuthError(400, "invalid_grant", "Invalid code_verifier")


def invalid_refresh_token() -> OAuthError:
    """Zoom's 4711 on the token endpoint (an unknown, spent, expired or revoked refresh token)."""
    return OAuthError(400, "invalid_grant", "Invalid Token!")


def missing_token() -> OAuthError:
    return OAuthError(400, "invalid_request", "Token cannot be empty.")


# --- The meeting lifecycle and past meetings -----------------------------------------------------------


class PastMeetingNotEnded(ZoomError):
    """pastMeetingDetails of a meeting with no ended instance, or of an instance still in progress (S23)."""

    status = 404
    code = 3001
    template = "The meeting ID is invalid or the meeting has not ended."


class PastParticipantsNotEnded(ZoomError):
    """pastMeetingParticipants' wording of the same (S23; seen from Zoom in zoom/api#33)."""

    status = 404
    code = 3001
    template = "Meeting ID is invalid or not end."


class MeetingNotStarted(ZoomError):
    """A participant joining (moot's admin API) before the host started a meeting without join before
    host: in Zoom they would wait for the host."""

    code = 3000
    template = (
        "Meeting {meeting_id} has not started and join before host is off: participants wait until the "
        "host starts it."
    )


class ParticipantNotFound(ZoomError):
    status = 404
    code = 3000
    template = "Participant {participant_id} is not in meeting {meeting_id}."


class ParticipantNotWaiting(ZoomError):
    code = 3000
    template = "Participant {participant_id} is not in the waiting room."


class InvalidZak(ZoomError):
    """A start link whose ZAK this server did not sign for the meeting's host."""

    status = 401
    code = 124
    template = "The start link is not valid."


class ZakExpired(InvalidZak):
    template = "The start link has expired: get a fresh start_url from the meeting."
