"""Fault injection on the API: a pure-ASGI layer that applies the rules of a ``FaultBook`` (moot's admin
API, ``/moot/api/faults``) before a request reaches moot. Installed only while the admin API is on.

A firing rule delays the request (``latency_ms``), answers it with the Zoom error moot itself raises
for that code, or drops the connection without an answer. ``/moot/...`` and ``/healthz`` are never
faulted, so a rule cannot lock the admin API out.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from moot.api.caller import bearer_account
from moot.api.responses import json_response
from moot.domain import ids
from moot.domain.accounts import Plan
from moot.domain.faults import ErrorContext, ErrorSpec, FaultBook, fault_error
from moot.domain.ratelimits import InvalidRateLimitMode, scale_of
from moot.services.context import Deps

# Faults reach Zoom's surface only: the API and OAuth. Pages, health, metrics and the admin API are exempt.
FAULTABLE_PREFIXES = ("/v2/", "/oauth/")
FAULTS_SCOPE_KEY = "moot.faults"  # the ids of the rules that fired on a request (read by the journal)
DROPPED = "Server disconnected without sending a response."


class FaultInjector:
    def __init__(self, app: ASGIApp, book: FaultBook, routed: Starlette) -> None:
        self.app = app
        self.book = book
        self._routed = routed  # the Starlette app: its routes name operations, its state holds the deps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.book.has_http_rules:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(FAULTABLE_PREFIXES):
            await self.app(scope, receive, send)
            return
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        facts = RequestFacts(self._routed, scope, path)
        plan = self.book.for_request(scope["method"], path, facts)
        if plan is None:
            await self.app(scope, receive, send)
            return
        scope[FAULTS_SCOPE_KEY] = plan.fired
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        action = plan.action
        if action is None:
            await self.app(scope, receive, send)
        elif action.spec.error is not None:
            response = await self._error_response(action.spec.error, facts, path)
            await response(scope, receive, send)
        else:
            await drop_connection(receive)

    async def _error_response(self, spec: ErrorSpec, facts: RequestFacts, path: str) -> Response:
        deps: Deps = self._routed.state.deps
        plan, scale = Plan.BUSINESS, 1.0
        account_id = facts.account_id() if spec.code == 429 else None
        account = await deps.store.get_account(account_id) if account_id else None
        if account is not None:
            plan = account.plan
            try:
                scale = scale_of(account.rate_limits) or 1.0
            except InvalidRateLimitMode:
                scale = 1.0
        operation = facts.operation() if spec.code in (429, 4711) else None
        context = ErrorContext(path, operation, plan, scale, deps.clock.timestamp(), deps.clock.now())
        error = fault_error(spec, context)
        response = json_response(error.body(), error.status, headers=error.headers or None)
        response.headers["x-zm-trackingid"] = ids.tracking_id()
        return response


class RequestFacts:
    """The operation and the account of a request, worked out once and only when a rule asks."""

    def __init__(self, routed: Starlette, scope: Scope, path: str) -> None:
        self._routed = routed
        self._scope = scope
        self._path = path
        self._operation: tuple[str | None] | None = None
        self._account: tuple[str | None] | None = None

    def operation(self) -> str | None:
        if self._operation is None:
            self._operation = (operation_of(self._routed, {**self._scope, "path": self._path}),)
        return self._operation[0]

    def account_id(self) -> str | None:
        if self._account is None:
            deps: Deps = self._routed.state.deps
            self._account = (bearer_account(deps, self._scope.get("headers", [])),)
        return self._account[0]


def operation_of(routed: Starlette, scope: Scope) -> str | None:
    """The name of the route that serves the request: in moot, Zoom's operationId."""
    for route in routed.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            name: str | None = getattr(route, "name", None)
            return name
    return None


def operation_names(routed: Starlette) -> frozenset[str]:
    """The operations a rule may name: those of the routes it can fault."""
    return frozenset(
        name
        for route in routed.routes
        if (name := getattr(route, "name", None))
        and str(getattr(route, "path", "")).startswith(FAULTABLE_PREFIXES)
    )


async def drop_connection(receive: Receive) -> None:
    """End the request without an answer. Under uvicorn the connection's transport is closed, so the
    client sees the connection end before any response. In process (httpx's ASGITransport) there is
    no connection: the error an HTTP client raises for that is raised instead."""
    cycle = getattr(_innermost(receive), "__self__", None)
    transport = getattr(cycle, "transport", None)
    close = getattr(transport, "close", None)
    if not callable(close):
        raise httpx.RemoteProtocolError(DROPPED)
    close()
    for _ in range(10):  # the server notices the lost connection and sends nothing more
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)


def _innermost(receive: Any) -> Any:
    """The server's own ``receive``, under the layers that wrap it (each names it ``__wrapped__``)."""
    while (inner := getattr(receive, "__wrapped__", None)) is not None:
        receive = inner
    return receive
