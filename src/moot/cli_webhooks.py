"""The webhook options of ``moot apps create`` and ``moot apps update``: what was asked, and applying it
(URL-validation challenge included) to the database."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from moot.config import Settings
from moot.domain.accounts import WebhookEndpoint
from moot.domain.events import EVENT_TYPES, UnknownEvents, parse_events
from moot.services.context import Deps
from moot.webhooks import endpoints

console = Console()
err = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Requested:
    url: str
    secret_token: str
    events: tuple[str, ...]
    secret_generated: bool
    validate: bool  # a new URL or secret (or --validate): challenge it before it takes events


def requested(
    url: str | None,
    secret: str | None,
    events: str | None,
    *,
    current: WebhookEndpoint | None,
    revalidate: bool = False,
) -> Requested | None:
    """The endpoint the options ask for, on top of ``current``; None when they ask for nothing."""
    if url is None and secret is None and events is None and not revalidate:
        return None
    chosen_url = url if url is not None else (current.url if current else None)
    if not chosen_url:
        err.print("--webhook-url is required to set an event-notification endpoint.")
        raise typer.Exit(2)
    if not chosen_url.startswith(("http://", "https://")):
        err.print("--webhook-url must be an http:// or https:// URL.")
        raise typer.Exit(2)
    try:
        chosen_events = (
            parse_events(events) if events is not None else (current.events if current else EVENT_TYPES)
        )
    except UnknownEvents as exc:
        err.print(f"{exc}. Known events: {', '.join(EVENT_TYPES)}")
        raise typer.Exit(2) from None
    generated = secret is None and current is None
    chosen_secret = secret or (current.secret_token if current else endpoints.new_secret_token())
    changed = current is None or (chosen_url, chosen_secret) != (current.url, current.secret_token)
    return Requested(chosen_url, chosen_secret, chosen_events, generated, changed or revalidate)


Run = Callable[[Settings, Callable[[Deps], Awaitable[Any]]], Any]


def store(settings: Settings, client_id: str, wanted: Requested, *, run: Run) -> WebhookEndpoint:
    """Store the endpoint, challenging it first when the URL or secret is new (or --validate)."""

    async def save(deps: Deps) -> WebhookEndpoint:
        if not wanted.validate:
            app = await deps.store.get_app(client_id)
            assert app is not None and app.webhook is not None
            updated = WebhookEndpoint(
                wanted.url,
                wanted.secret_token,
                wanted.events,
                active=app.webhook.active,
                validated_at=app.webhook.validated_at,
                last_error=app.webhook.last_error,
            )
            await endpoints.save_endpoint(deps, client_id, updated)
            return updated
        return await endpoints.set_endpoint(
            deps, client_id, url=wanted.url, secret_token=wanted.secret_token, events=wanted.events
        )

    endpoint: WebhookEndpoint = run(settings, save)
    return endpoint


def report(endpoint: WebhookEndpoint, wanted: Requested) -> dict[str, Any]:
    """The endpoint as ``--json`` shows it (the secret only when moot made it)."""
    shown: dict[str, Any] = {
        "webhook_url": endpoint.url,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "error": endpoint.last_error or None,
    }
    if wanted.secret_generated:
        shown["webhook_secret"] = endpoint.secret_token
    return shown


def say(endpoint: WebhookEndpoint, wanted: Requested, *, as_json: bool) -> None:
    """How it went, for people (nothing on stdout with --json); exit 1 if the endpoint did not answer
    the challenge (it is stored inactive, and a running moot keeps challenging it)."""
    if endpoint.active and not as_json:
        console.print(f"Event-notification endpoint {escape(endpoint.url)} validated and active.")
        if wanted.secret_generated:
            console.print(f"secret token: {endpoint.secret_token}")
    if not endpoint.active:
        err.print(
            f"Event-notification endpoint {escape(endpoint.url)} is NOT active: it failed URL validation "
            f"({escape(endpoint.last_error)}). A running moot challenges it again every 10 seconds."
        )
        if wanted.secret_generated and not as_json:
            err.print(f"secret token: {endpoint.secret_token}")
        raise typer.Exit(1)


def apply(settings: Settings, client_id: str, wanted: Requested, *, run: Run, as_json: bool) -> None:
    """``moot apps update``: store, print the report (one JSON document with --json), say how it went."""
    endpoint = store(settings, client_id, wanted, run=run)
    if as_json:
        print(json.dumps({"client_id": client_id, **report(endpoint, wanted)}))
    say(endpoint, wanted, as_json=as_json)
