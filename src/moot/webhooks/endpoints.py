"""Event-notification endpoints: setting one on an app, and Zoom's URL-validation challenge.

Zoom activates an endpoint only once it has answered ``endpoint.url_validation``: a signed POST with a
``plainToken`` that the receiver must answer, with 200 within 3 seconds, as ``{"plainToken",
"encryptedToken": hex HMAC-SHA256(secret, plainToken)}``. Zoom repeats the challenge every 72 hours.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

import orjson

from moot.domain import ids
from moot.domain.accounts import App, WebhookEndpoint
from moot.domain.deliveries import DELIVERY_TIMEOUT
from moot.domain.events import URL_VALIDATION
from moot.services.context import Deps
from moot.webhooks import signing
from moot.webhooks.http import RequestFailed, WebhookClient

REVALIDATE_AFTER = timedelta(hours=72)
ANSWER_LIMIT = 64 * 1024  # bytes of a challenge's answer read at most (a right one is about 100)


def new_secret_token() -> str:
    """A secret token like those Zoom's Marketplace shows (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


async def challenge(
    client: WebhookClient, url: str, secret: str, *, now: float, client_id: str | None = None
) -> str | None:
    """Send the URL-validation challenge to ``url``: None if it answered correctly, else why not."""
    plain_token = secrets.token_urlsafe(16)
    body = signing.serialize(
        {"payload": {"plainToken": plain_token}, "event_ts": int(now * 1000), "event": URL_VALIDATION}
    )
    headers = signing.headers(secret, body, int(now), ids.webhook_tracking_id(), client_id)
    try:
        response = await client.post(url, body, headers, keep=ANSWER_LIMIT)
    except TimeoutError:
        return f"no answer within {DELIVERY_TIMEOUT:g} seconds"
    except RequestFailed as exc:
        return f"request failed: {describe(exc)}"
    if response.status != 200:
        return f"answered HTTP {response.status}, expected 200"
    try:
        answer = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return "answer is not JSON"
    expected = signing.url_validation_response(plain_token, secret)
    if not isinstance(answer, dict) or answer.get("plainToken") != plain_token:
        return "answer does not echo the plainToken"
    encrypted = answer.get("encryptedToken")
    if not isinstance(encrypted, str) or not hmac.compare_digest(
        encrypted.encode(), expected["encryptedToken"].encode()
    ):
        return "encryptedToken is not HMAC-SHA256(secret token, plainToken)"
    return None


def describe(exc: BaseException) -> str:
    """A short, useful reason for a failed request, 300 characters at most."""
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


async def validated(
    deps: Deps, client: WebhookClient, app: App, endpoint: WebhookEndpoint
) -> WebhookEndpoint:
    """The endpoint after one challenge: active and stamped on success, inactive with the reason if not."""
    now = deps.clock.timestamp()
    error = await challenge(client, endpoint.url, endpoint.secret_token, now=now, client_id=app.client_id)
    if error is None:
        return replace(endpoint, active=True, validated_at=deps.clock.now(), last_error="")
    return replace(endpoint, active=False, last_error=error)


def due_for_validation(endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Never validated yet, or validated 72 hours ago or more (an endpoint that failed its challenge
    stays due, and inactive, until it answers)."""
    return endpoint.validated_at is None or now - endpoint.validated_at >= REVALIDATE_AFTER


async def save_endpoint(deps: Deps, client_id: str, endpoint: WebhookEndpoint | None) -> App | None:
    """Store ``endpoint`` on the app (None removes it), re-reading the app so other changes stay."""
    app = await deps.store.get_app(client_id)
    if app is None:
        return None
    app.webhook = endpoint
    async with deps.store.write() as tx:
        await tx.update_app(app)
    return app


async def set_endpoint(
    deps: Deps,
    client_id: str,
    *,
    url: str,
    secret_token: str,
    events: tuple[str, ...],
    validate: bool = True,
    client: WebhookClient | None = None,
) -> WebhookEndpoint:
    """Give the app an endpoint and (with ``validate``) challenge it at once; the stored endpoint is
    active only if it answered. Without ``validate`` it waits for the dispatcher's first challenge."""
    app = await deps.store.get_app(client_id)
    if app is None:
        raise LookupError(client_id)
    endpoint = WebhookEndpoint(url=url, secret_token=secret_token, events=events)
    if validate and client is not None:
        endpoint = await validated(deps, client, app, endpoint)
    elif validate:
        own = WebhookClient(
            timeout=DELIVERY_TIMEOUT, max_per_host=1, deny_private=deps.settings.webhook_deny_private
        )
        try:
            endpoint = await validated(deps, own, app, endpoint)
        finally:
            await own.aclose()
    await save_endpoint(deps, client_id, endpoint)
    return endpoint
