"""Zoom-compatible webhooks: signing and verifying deliveries (standard library only).

The SDK re-exports this package as ``moot.client.webhooks``, so it must import nothing but ``signing``:
the dispatcher beside it (server side) is imported by its full name, never from here.

    from moot.webhooks import verify, WebhookVerificationError

    try:
        verify(request.headers, raw_body, secret)        # raises; is_valid(...) returns a bool instead
    except WebhookVerificationError as error:
        return 401, str(error)
"""

from moot.webhooks.signing import (
    CLIENT_ID_HEADER,
    CONTENT_TYPE,
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TRACKING_ID_HEADER,
    URL_VALIDATION_EVENT,
    USER_AGENT,
    InvalidSignature,
    InvalidTimestamp,
    MissingHeader,
    StaleTimestamp,
    WebhookVerificationError,
    headers,
    is_valid,
    js_number,
    serialize,
    signature,
    url_validation_response,
    verify,
)

__all__ = [
    "CLIENT_ID_HEADER",
    "CONTENT_TYPE",
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TRACKING_ID_HEADER",
    "URL_VALIDATION_EVENT",
    "USER_AGENT",
    "InvalidSignature",
    "InvalidTimestamp",
    "MissingHeader",
    "StaleTimestamp",
    "WebhookVerificationError",
    "headers",
    "is_valid",
    "js_number",
    "serialize",
    "signature",
    "url_validation_response",
    "verify",
]
