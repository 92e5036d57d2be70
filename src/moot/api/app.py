"""The ASGI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from moot.api import admin_openapi
from moot.api.admin_layers import with_admin_layers
from moot.api.errors import EXCEPTION_HANDLERS
from moot.api.health import head_revision, readyz
from moot.api.metrics import MeteredDispatcher, Metrics, metrics_endpoint
from moot.api.middleware import ZoomEdge
from moot.api.responses import json_response
from moot.api.routes import (
    admin_emulator,
    admin_faults,
    admin_participants,
    admin_requests,
    admin_webhooks,
    authorize,
    invitations,
    meetings,
    oauth,
    past_meetings,
    registrants,
    users,
)
from moot.api.unimplemented import SHADOWED_ROUTE
from moot.config import Settings
from moot.domain.clock import Clock, SystemClock
from moot.pages import inspector
from moot.pages import routes as page_routes
from moot.pages.render import STATIC_ROUTE
from moot.pages.throttle import close_page_attempts
from moot.services.context import Deps, Keys
from moot.services.ratelimits import Limiter
from moot.storage.open import open_store
from moot.video import provider_for
from moot.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from moot.emulator.control import Emulator


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


def routes() -> list[BaseRoute]:
    return [
        # Tried in order: the meeting operations (the busiest calls) first; the OAuth paths share no
        # path with them, so which goes first changes nothing else.
        *meetings.ROUTES,
        *oauth.ROUTES,
        *authorize.ROUTES,
        *invitations.ROUTES,
        # Zoom operations moot lacks whose paths the routes below would take (GET /users/summary).
        SHADOWED_ROUTE,
        *registrants.ROUTES,
        *users.ROUTES,
        *admin_webhooks.ROUTES,
        *admin_emulator.ROUTES,
        *admin_faults.ROUTES,
        *admin_requests.ROUTES,
        *past_meetings.ROUTES,
        *page_routes.ROUTES,
        *admin_participants.ROUTES,
        *admin_openapi.ROUTES,
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
        *inspector.ROUTES,
        STATIC_ROUTE,
    ]


async def build_deps(settings: Settings, clock: Clock | None = None) -> Deps:
    store = await open_store(settings)
    clock = clock or SystemClock()
    limiter = Limiter.from_url(settings.redis_url, clock, store)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store), limiter=limiter)


def create_app(
    settings: Settings,
    *,
    deps: Deps | None = None,
    clock: Clock | None = None,
    dispatch: bool | None = None,
    emulator: Emulator | None = None,
) -> ASGIApp:
    """The app; with ``deps`` given it uses them as they are (tests, the emulator), otherwise it opens
    the store named by ``settings`` at start-up and closes it at shutdown. The webhook dispatcher runs
    with the app's own deps, and with given ones when ``dispatch`` is true. ``emulator`` (``moot
    emulate``) gives the admin API a baseline to reset to."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = await build_deps(settings, clock) if deps is None else None
        used = own or deps
        assert used is not None
        app.state.deps = used
        if own is not None:
            start_background = getattr(own.store, "start_background", None)
            if start_background is not None:
                start_background()
        if own is not None:
            head_revision()  # read once now, not on the first /readyz
        dispatcher = (
            _dispatcher(used, metrics) if (dispatch if dispatch is not None else own is not None) else None
        )
        app.state.dispatcher = dispatcher
        if dispatcher is not None:
            dispatcher.webhook_faults = getattr(app.state, "delivery_faults", None)
            dispatcher.start()
        try:
            yield
        finally:
            if dispatcher is not None:
                await dispatcher.stop()
            await video.close()
            await close_page_attempts(app)
            if own is not None:
                if own.limiter is not None:
                    await own.limiter.close()
                await own.store.close()

    video = provider_for(settings)  # a provider missing its settings stops the start-up here
    metrics = Metrics() if settings.metrics else None
    served = (
        [*routes(), Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics")]
        if metrics
        else routes()
    )
    app = Starlette(routes=served, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    app.state.metrics = metrics
    app.state.video = video
    if deps is not None:
        app.state.deps = deps
    app.state.emulator = emulator
    edge = ZoomEdge(
        app, metrics=metrics, access_log=settings.access_log, max_body_bytes=settings.max_body_bytes
    )
    return with_admin_layers(edge, app, settings) if settings.admin_enabled else edge


def _dispatcher(deps: Deps, metrics: Metrics | None) -> Dispatcher:
    return Dispatcher(deps) if metrics is None else MeteredDispatcher(deps, metrics)
