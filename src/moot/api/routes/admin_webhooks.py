"""``/moot/api/webhooks/deliveries``: every delivery and its attempts, and replaying one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.admin import admin
from moot.api.responses import json_response
from moot.domain.deliveries import DeliveryState, attempt_to_wire, delivery_to_wire, logged_attempt_to_wire
from moot.domain.errors import FieldError, RouteNotFound, ValidationFailed
from moot.webhooks import dispatcher

MAX_LIMIT = 300


def _int(request: Request, name: str, default: int | None, *, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed([FieldError(name, f"Must be an integer from {low} to {high}.")])
    return int(raw)


def _delivery_id(request: Request) -> int:
    raw = request.path_params["deliveryId"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise RouteNotFound()
    return int(raw)


async def list_deliveries(request: Request) -> Response:
    deps = admin(request)
    query = request.query_params
    state = query.get("state") or None
    if state is not None and state not in set(DeliveryState):
        raise ValidationFailed([FieldError("state", "Must be pending, delivered or failed.")])
    limit = _int(request, "limit", 100, low=1, high=MAX_LIMIT) or 100
    before = _int(request, "before_id", None, low=1, high=2**63 - 1)
    deliveries = await deps.store.outbox.list_deliveries(
        account_id=query.get("account_id") or None,
        client_id=query.get("client_id") or None,
        event=query.get("event") or None,
        state=state,
        before_id=before,
        limit=limit,
    )
    body: dict[str, object] = {"deliveries": [delivery_to_wire(d) for d in deliveries]}
    body["next_before_id"] = deliveries[-1].id if len(deliveries) == limit else None
    return json_response(body)


async def get_delivery(request: Request) -> Response:
    deps = admin(request)
    outbox = deps.store.outbox
    delivery = await outbox.get_delivery(_delivery_id(request))
    if delivery is None:
        raise RouteNotFound()
    body = delivery_to_wire(delivery, await outbox.attempts(delivery.id))
    body["body"] = await outbox.event_body(delivery.event_id)
    return json_response(body)


async def replay_delivery(request: Request) -> Response:
    deps = admin(request)
    attempt = await dispatcher.replay(deps, None, _delivery_id(request), owner="admin-replay")
    if attempt is None:
        raise RouteNotFound()
    return json_response(attempt_to_wire(attempt))


async def list_attempts(request: Request) -> Response:
    """Attempts after ``after_id``, oldest first: what ``moot webhooks tail`` follows. Without
    ``after_id``, none, and the id to follow from."""
    deps = admin(request)
    if "after_id" not in request.query_params:
        return json_response({"attempts": [], "last_id": await deps.store.outbox.last_attempt_id()})
    after = _int(request, "after_id", 0, low=0, high=2**63 - 1) or 0
    limit = _int(request, "limit", 100, low=1, high=MAX_LIMIT) or 100
    attempts = await deps.store.outbox.attempts_after(after, limit)
    last = attempts[-1].id if attempts else after
    return json_response({"attempts": [logged_attempt_to_wire(a) for a in attempts], "last_id": last})


ROUTES = [
    Route("/moot/api/webhooks/attempts", list_attempts, methods=["GET"]),
    Route("/moot/api/webhooks/deliveries", list_deliveries, methods=["GET"]),
    Route("/moot/api/webhooks/deliveries/{deliveryId}", get_delivery, methods=["GET"]),
    Route("/moot/api/webhooks/deliveries/{deliveryId}/replay", replay_delivery, methods=["POST"]),
]
