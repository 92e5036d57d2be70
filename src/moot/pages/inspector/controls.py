"""``/moot/controls``: the clock (show, set, advance, freeze, unfreeze) and fault rules (list, add a
Zoom-error, latency or drop rule, delete), through the same code as the admin API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.faults import operation_names
from moot.api.routes.admin_emulator import _amount, _controllable, _instant, _nudge
from moot.domain.errors import FieldError, RouteNotFound, ValidationFailed, ZoomError
from moot.domain.faults import ERROR_CODES, METHODS, FaultBook, FaultSpec
from moot.domain.validation import parse
from moot.pages.inspector.accounts import clock_state
from moot.pages.inspector.auth import guarded
from moot.pages.inspector.common import back, describe, form, form_ok, page, refused_csrf
from moot.services.context import Deps

HERE = "/moot/controls"
UNITS = ("seconds", "minutes", "hours", "days")


def _book(request: Request) -> FaultBook:
    book: FaultBook | None = getattr(request.app.state, "faults", None)
    if book is None:
        raise RouteNotFound()
    return book


async def controls(request: Request, deps: Deps) -> Response:
    context = {
        "clock": clock_state(deps),
        "rules": [rule.to_wire() for rule in _book(request)],
        "units": UNITS,
        "methods": sorted(METHODS),
        "codes": ERROR_CODES,
    }
    return page(request, deps, "controls.html", context)


def _change_clock(deps: Deps, fields: dict[str, str]) -> str:
    clock = _controllable(deps)
    action = fields.get("action", "")
    if action == "freeze":
        clock.freeze()
        return "Clock frozen."
    if action == "unfreeze":
        clock.unfreeze()
        return "Clock running."
    if action == "set":
        clock.set(_instant(fields.get("now", "").strip()))
        return "Clock set."
    if action == "advance":
        unit = fields.get("unit", "seconds")
        if unit not in UNITS:
            raise ValidationFailed([FieldError("unit", f"Must be one of {', '.join(UNITS)}.")])
        seconds = _amount(unit, fields.get("amount", "").strip() or "x")
        if seconds > 100 * 365 * 86_400:
            raise ValidationFailed([FieldError(unit, "Must be at most 100 years.")])
        clock.advance(timedelta(seconds=seconds))
        return "Clock advanced."
    raise ValidationFailed([FieldError("action", "Must be set, advance, freeze or unfreeze.")])


async def clock(request: Request, deps: Deps) -> Response:
    fields = await form(request)
    if not form_ok(deps, request, fields, "clock"):
        return refused_csrf(HERE)
    try:
        done = _change_clock(deps, fields)
    except ZoomError as error:
        return back(HERE, error=describe(error))
    _nudge(request)
    return back(HERE, notice=f"{done} It is now {clock_state(deps)['now']}.")


def _optional(fields: dict[str, str], name: str) -> str | None:
    value = fields.get(name, "").strip()
    return value or None


def rule_from_form(fields: dict[str, str]) -> dict[str, Any]:
    """A fault rule (as the admin API takes it) from the form's fields."""
    rule: dict[str, Any] = {}
    for name in ("method", "path", "operation", "account_id", "nth", "times", "probability"):
        value = _optional(fields, name)
        if value is not None:
            rule[name] = value
    action = fields.get("action", "")
    if action == "error":
        rule["error"] = {"code": fields.get("code", "")}
    elif action == "latency":
        rule["latency_ms"] = fields.get("latency_ms", "")
    elif action == "drop":
        rule["drop"] = True
    else:
        raise ValidationFailed([FieldError("action", "Must be error, latency or drop.")])
    return rule


async def add_fault(request: Request, deps: Deps) -> Response:
    book = _book(request)
    fields = await form(request)
    if not form_ok(deps, request, fields, "faults"):
        return refused_csrf(HERE)
    try:
        spec = parse(FaultSpec, rule_from_form(fields))
        if spec.operation is not None and spec.operation not in operation_names(request.app):
            raise ValidationFailed([FieldError("operation", f"Unknown operation: {spec.operation}.")])
    except ZoomError as error:
        return back(HERE, error=describe(error))
    added = book.add(spec)
    return back(HERE, notice=f"Fault rule {added.id} added.")


async def delete_fault(request: Request, deps: Deps) -> Response:
    book = _book(request)
    fields = await form(request)
    if not form_ok(deps, request, fields, "faults"):
        return refused_csrf(HERE)
    raw = request.path_params["faultId"]
    removed = raw.isascii() and raw.isdigit() and len(raw) <= 18 and book.remove(int(raw))
    if not removed:
        return back(HERE, error=f"There is no fault rule {raw}.")
    return back(HERE, notice=f"Fault rule {raw} deleted.")


ROUTES = [
    Route(HERE, guarded(controls), methods=["GET"]),
    Route(f"{HERE}/clock", guarded(clock), methods=["POST"]),
    Route(f"{HERE}/faults", guarded(add_fault), methods=["POST"]),
    Route(f"{HERE}/faults/{{faultId}}/delete", guarded(delete_fault), methods=["POST"]),
]
