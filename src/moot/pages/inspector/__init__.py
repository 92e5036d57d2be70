"""The web inspector under ``/moot/``: moot's state, webhook deliveries, request journal, clock and
fault rules, for a person (docs/inspector.md). Server-rendered; guarded like the admin API."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from moot.pages.inspector import accounts, controls, journal, meetings, session, webhooks

ROUTES: list[BaseRoute] = [
    *session.ROUTES,
    *accounts.ROUTES,
    *meetings.ROUTES,
    *webhooks.ROUTES,
    *journal.ROUTES,
    *controls.ROUTES,
]

# Route names are operation names to the fault layer (``operation_names``): keep these apart from Zoom's.
for _route in ROUTES:
    if isinstance(_route, Route):
        _route.name = f"inspector_{_route.name}"
