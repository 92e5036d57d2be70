"""``/moot/`` (the overview) and ``/moot/accounts``: accounts, their users and apps (never secrets)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.accounts import Account
from moot.domain.clock import ControllableClock
from moot.domain.errors import RouteNotFound
from moot.domain.faults import FaultBook
from moot.domain.journal import Journal
from moot.domain.times import format_zoom
from moot.domain.users import User, UserStatus
from moot.pages.inspector.auth import guarded
from moot.pages.inspector.common import number, page
from moot.services.context import Deps

PAGE_SIZE = 50
USERS_SHOWN = 300


def clock_state(deps: Deps) -> dict[str, Any]:
    clock = deps.clock
    controllable = isinstance(clock, ControllableClock)
    return {
        "now": format_zoom(clock.now()),
        "frozen": isinstance(clock, ControllableClock) and clock.frozen,
        "controllable": controllable,
    }


async def _summary(deps: Deps, account: Account) -> dict[str, Any]:
    users = 0
    for status in UserStatus:
        users += (await deps.store.list_users(account.id, status, 1, 0))[1]
    _, meetings = await deps.store.list_account_meetings(account.id, None, 1, 0)
    apps = await deps.store.list_apps(account.id)
    return {"account": account, "users": users, "meetings": meetings, "apps": len(apps)}


async def overview(request: Request, deps: Deps) -> Response:
    state = request.app.state
    journal: Journal | None = getattr(state, "journal", None)
    book: FaultBook | None = getattr(state, "faults", None)
    accounts = await deps.store.list_accounts(PAGE_SIZE, 0)
    context = {
        "accounts_total": await deps.store.count_accounts(),
        "accounts": [await _summary(deps, a) for a in accounts],
        "journal_size": len(journal) if journal is not None else 0,
        "fault_rules": len(list(book)) if book is not None else 0,
        "backlog": await deps.store.outbox.backlog(),
        "clock": clock_state(deps),
        "emulator": getattr(state, "emulator", None) is not None,
    }
    return page(request, deps, "overview.html", context)


async def accounts(request: Request, deps: Deps) -> Response:
    offset = number(request, "offset", 0)
    found = await deps.store.list_accounts(PAGE_SIZE, offset)
    context = {
        "accounts": [await _summary(deps, a) for a in found],
        "total": await deps.store.count_accounts(),
        "offset": offset,
        "size": PAGE_SIZE,
    }
    return page(request, deps, "accounts.html", context)


async def users_of(deps: Deps, account_id: str) -> list[User]:
    found: list[User] = []
    for status in UserStatus:
        found.extend((await deps.store.list_users(account_id, status, USERS_SHOWN, 0))[0])
    return found


async def account(request: Request, deps: Deps) -> Response:
    found = await deps.store.get_account(request.path_params["accountId"])
    if found is None:
        raise RouteNotFound()
    context = {
        "account": found,
        "users": await users_of(deps, found.id),
        "apps": await deps.store.list_apps(found.id),
        "meetings": (await deps.store.list_account_meetings(found.id, None, 1, 0))[1],
    }
    return page(request, deps, "account.html", context)


ROUTES = [
    Route("/moot", guarded(overview), methods=["GET"]),
    Route("/moot/accounts", guarded(accounts), methods=["GET"]),
    Route("/moot/accounts/{accountId}", guarded(account), methods=["GET"]),
]
