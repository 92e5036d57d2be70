"""``/moot/meetings``: an account's meetings (one host's, if chosen), page by page, and one meeting:
its fields and settings, occurrences, registrants, live instance and participants, past instances."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.errors import RouteNotFound
from moot.domain.meetings import Meeting
from moot.domain.past_meetings import parse_meeting_number
from moot.domain.registrants import Registrant, RegistrantStatus
from moot.pages.inspector.accounts import users_of
from moot.pages.inspector.auth import guarded
from moot.pages.inspector.common import number, page, text
from moot.pages.inspector.mask import mask_value, pretty
from moot.services import meetings as meeting_service
from moot.services.context import Deps

PAGE_SIZE = 30
REGISTRANTS_SHOWN = 300
PARTICIPANTS_SHOWN = 300
# Shown elsewhere on the page, or a secret (the start URL carries the host's ZAK).
_NOT_FIELDS = frozenset({"settings", "occurrences", "recurrence", "tracking_fields", "start_url"})


async def meetings(request: Request, deps: Deps) -> Response:
    accounts = await deps.store.list_accounts(300, 0)
    account_id = text(request, "account") or (accounts[0].id if accounts else "")
    host_id = text(request, "host") or None
    offset = number(request, "offset", 0)
    found: list[Meeting] = []
    total = 0
    if account_id:
        found, total = await deps.store.list_account_meetings(account_id, host_id, PAGE_SIZE, offset)
    context = {
        "accounts": accounts,
        "account_id": account_id,
        "host_id": host_id or "",
        "hosts": await users_of(deps, account_id) if account_id else [],
        "meetings": found,
        "total": total,
        "offset": offset,
        "size": PAGE_SIZE,
    }
    return page(request, deps, "meetings.html", context)


async def _registrants(deps: Deps, meeting_id: int) -> list[Registrant]:
    found: list[Registrant] = []
    for status in RegistrantStatus:
        found.extend((await deps.store.list_registrants(meeting_id, status, None, REGISTRANTS_SHOWN, 0))[0])
    return sorted(found, key=lambda r: (r.created_at, r.id))


async def meeting(request: Request, deps: Deps) -> Response:
    meeting_id = parse_meeting_number(request.path_params["meetingId"])
    found = await deps.store.find_meeting(meeting_id) if meeting_id is not None else None
    if found is None:
        raise RouteNotFound()
    wire = mask_value(meeting_service.to_wire(deps, found, show_previous=True))
    live = await deps.store.get_live_instance(found.id)
    context: dict[str, Any] = {
        "meeting": found,
        "fields": [(k, pretty(v)) for k, v in wire.items() if k not in _NOT_FIELDS],
        "settings": [(k, pretty(v)) for k, v in sorted(wire.get("settings", {}).items())],
        "recurrence": pretty(found.recurrence) if found.recurrence else "",
        "occurrences": found.occurrences,
        "registrants": await _registrants(deps, found.id),
        "live": live,
        "participants": await deps.store.list_participants(live.uuid, PARTICIPANTS_SHOWN) if live else [],
        "past": await deps.store.list_ended_instances(found.account_id, found.id),
    }
    return page(request, deps, "meeting.html", context)


ROUTES = [
    Route("/moot/meetings", guarded(meetings), methods=["GET"]),
    Route("/moot/meetings/{meetingId}", guarded(meeting), methods=["GET"]),
]
