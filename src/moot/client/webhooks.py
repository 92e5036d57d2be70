"""Verify Zoom (or moot) webhook deliveries from the SDK: ``moot.webhooks`` under the client package.

    from moot.client.webhooks import WebhookVerificationError, url_validation_response, verify

    def receive(headers, raw_body: bytes, secret: str):
        try:
            verify(headers, raw_body, secret)               # or is_valid(...) -> bool
        except WebhookVerificationError:
            return 401, {}
        event = json.loads(raw_body)
        if event["event"] == "endpoint.url_validation":
            return 200, url_validation_response(event["payload"]["plainToken"], secret)
        ...
        return 200, {}

Like the rest of ``moot.client`` this needs nothing beyond the standard library and httpx.
"""

from moot.webhooks.signing import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    URL_VALIDATION_EVENT,
    InvalidSignature,
    InvalidTimestamp,
    MissingHeader,
    StaleTimestamp,
    WebhookVerificationError,
    is_valid,
    serialize,
    signature,
    url_validation_response,
    verify,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "URL_VALIDATION_EVENT",
    "InvalidSignature",
    "InvalidTimestamp",
    "MissingHeader",
    "StaleTimestamp",
    "WebhookVerificationError",
    "is_valid",
    "serialize",
    "signature",
    "url_validation_response",
    "verify",
]
