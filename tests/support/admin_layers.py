"""The app with moot's admin API on (fault injection, the request journal), in process."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from moot.config import Settings
from tests.support.api import BASE_URL


def admin_settings(**changes: Any) -> Settings:
    """Settings with the admin API on without a token (as in ``moot emulate``)."""
    defaults: dict[str, Any] = {
        "db_url": "sqlite:///:memory:",
        "public_url": BASE_URL,
        "admin_api": True,
        "webhook_poll_interval": 0.05,
    }
    return Settings(**(defaults | changes))


def routed(app: Any) -> Starlette:
    """The Starlette app inside the ASGI layers ``create_app`` put around it (its state holds the fault
    book, the journal and the webhook fault hook)."""
    while not isinstance(app, Starlette):
        app = app.app
    return app


def client_of(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
