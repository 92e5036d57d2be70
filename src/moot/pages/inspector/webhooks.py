"""``/moot/webhooks/deliveries``: deliveries filtered by state, app, meeting or event; one delivery with
its attempts and the body sent; Replay (the admin API's replay, ``dispatcher.replay``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.deliveries import Delivery, DeliveryState
from moot.domain.errors import RouteNotFound
from moot.pages.inspector.auth import guarded
from moot.pages.inspector.common import back, form, form_ok, number, page, refused_csrf, text
from moot.pages.inspector.mask import mask_body
from moot.services.context import Deps
from moot.webhooks import dispatcher

PAGE_SIZE = 50
# A meeting filter is applied to the newest deliveries read in batches, up to this many.
MEETING_SCAN = 3000
_BATCH = 300


async def _page(request: Request, deps: Deps, filters: dict[str, str]) -> list[Delivery]:
    state = filters["state"] or None
    client_id = filters["client_id"] or None
    event = filters["event"] or None
    meeting = filters["meeting"] or None
    outbox = deps.store.outbox
    before = number(request, "before_id", 0, low=1) or None
    if meeting is None:
        found: list[Delivery] = await outbox.list_deliveries(
            client_id=client_id, event=event, state=state, before_id=before, limit=PAGE_SIZE
        )
        return found
    kept: list[Delivery] = []
    scanned = 0
    while len(kept) < PAGE_SIZE and scanned < MEETING_SCAN:
        batch = await outbox.list_deliveries(
            client_id=client_id, event=event, state=state, before_id=before, limit=_BATCH
        )
        kept.extend(d for d in batch if d.order_key == meeting)
        scanned += len(batch)
        if len(batch) < _BATCH:
            break
        before = batch[-1].id
    return kept[:PAGE_SIZE]


async def deliveries(request: Request, deps: Deps) -> Response:
    state = text(request, "state")
    if state not in set(DeliveryState):
        state = ""
    filters = {
        "state": state,
        "client_id": text(request, "client_id"),
        "meeting": text(request, "meeting"),
        "event": text(request, "event"),
    }
    found = await _page(request, deps, filters)
    context = {
        "deliveries": found,
        "filters": filters,
        "states": list(DeliveryState),
        "apps": await deps.store.list_apps(),
        "next_before_id": found[-1].id if len(found) == PAGE_SIZE else None,
    }
    return page(request, deps, "deliveries.html", context)


def _delivery_id(request: Request) -> int:
    raw = request.path_params["deliveryId"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise RouteNotFound()
    return int(raw)


async def delivery(request: Request, deps: Deps) -> Response:
    outbox = deps.store.outbox
    found = await outbox.get_delivery(_delivery_id(request))
    if found is None:
        raise RouteNotFound()
    context = {
        "delivery": found,
        "attempts": await outbox.attempts(found.id),
        "body": mask_body(await outbox.event_body(found.event_id) or ""),
    }
    return page(request, deps, "delivery.html", context)


async def replay(request: Request, deps: Deps) -> Response:
    delivery_id = _delivery_id(request)
    here = f"/moot/webhooks/deliveries/{delivery_id}"
    if not form_ok(deps, request, await form(request), "replay"):
        return refused_csrf(here)
    attempt = await dispatcher.replay(deps, None, delivery_id, owner="inspector-replay")
    if attempt is None:
        raise RouteNotFound()
    outcome = f"answered HTTP {attempt.status_code}" if attempt.status_code is not None else attempt.error
    return back(here, notice=f"Replayed: attempt {attempt.number} {outcome}.")


ROUTES = [
    Route("/moot/webhooks/deliveries", guarded(deliveries), methods=["GET"]),
    Route("/moot/webhooks/deliveries/{deliveryId}", guarded(delivery), methods=["GET"]),
    Route("/moot/webhooks/deliveries/{deliveryId}/replay", guarded(replay), methods=["POST"]),
]
