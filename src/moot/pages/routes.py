"""Every route of the join, start and room pages."""

from __future__ import annotations

from starlette.routing import BaseRoute

from moot.pages import host, join, register, room

ROUTES: list[BaseRoute] = [*join.ROUTES, *room.ROUTES, *host.ROUTES, *register.ROUTES]
