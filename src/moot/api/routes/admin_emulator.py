"""``/moot/api/{reset,seed,state,clock}``: the emulator's controls (docs/emulator.md).

State export, import and seeding work on any server with the admin API on; reset needs the baseline
``moot emulate`` keeps, and clock changes its controllable clock (otherwise a 400 says so).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.admin import admin
from moot.api.responses import json_response, no_content, read_body
from moot.domain.clock import ControllableClock
from moot.domain.errors import FieldError, InvalidJsonBody, ValidationFailed
from moot.domain.times import EARLIEST_YEAR, LATEST_YEAR, format_zoom
from moot.emulator.control import Emulator, forget_caches
from moot.emulator.errors import ClockNotControllable, NothingToReset, StateImportFailed
from moot.services.context import Deps
from moot.storage.snapshot import SnapshotError, Snapshots, snapshots

MAX_STATE_BYTES = 256 * 1024 * 1024
STATE_FORMAT = 1
_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}
_MAX_ADVANCE = 100 * 365 * 86_400


def _emulator(request: Request) -> Emulator | None:
    return getattr(request.app.state, "emulator", None)


def _snapshots(request: Request, deps: Deps) -> Snapshots:
    emulator = _emulator(request)
    return emulator.snapshots if emulator is not None else snapshots(deps.store)


def _nudge(request: Request) -> None:
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is not None:
        dispatcher.nudge()


async def _object(request: Request, limit: int | None = None) -> dict[str, Any]:
    import orjson

    raw = await (read_body(request) if limit is None else read_body(request, limit))
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidJsonBody() from None
    if not isinstance(body, dict):
        raise InvalidJsonBody()
    return body


# --- reset, seed, state --------------------------------------------------------------------------------


async def reset(request: Request) -> Response:
    admin(request)
    emulator = _emulator(request)
    if emulator is None:
        raise NothingToReset()
    await emulator.reset()
    # Back to the seed means no fault rules and an empty journal too.
    for name in ("faults", "journal"):
        kept = getattr(request.app.state, name, None)
        if kept is not None:
            kept.clear()
    _nudge(request)
    return no_content()


async def seed(request: Request) -> Response:
    """Add seed data. On a ``moot emulate`` server it becomes part of what reset returns to, and a
    seed that fails part-way changes nothing."""
    from moot.emulator.seed import apply_seed

    deps = admin(request)
    body = await _object(request)
    emulator = _emulator(request)
    if emulator is None:
        created = await apply_seed(deps, body)
    else:
        undo = await emulator.snapshots.capture()
        try:
            created = await apply_seed(deps, body)
        except BaseException:
            await undo()
            raise
        await emulator.take_baseline()
    _nudge(request)  # new webhook endpoints are due their URL-validation challenge
    return json_response(created, 201)


async def get_state(request: Request) -> Response:
    deps = admin(request)
    tables = await _snapshots(request, deps).dump()
    return json_response({"format": STATE_FORMAT, "tables": tables})


async def put_state(request: Request) -> Response:
    deps = admin(request)
    body = await _object(request, MAX_STATE_BYTES)
    if body.get("format", STATE_FORMAT) != STATE_FORMAT:
        raise ValidationFailed([FieldError("format", f"Must be {STATE_FORMAT}.")])
    if "tables" not in body:
        raise ValidationFailed([FieldError("tables", "This field is required.")])
    try:
        await _snapshots(request, deps).load(body["tables"])
    except SnapshotError as exc:
        raise StateImportFailed(reason=str(exc).rstrip(".")) from None
    await forget_caches(deps)
    _nudge(request)
    return no_content()


# --- the clock -----------------------------------------------------------------------------------------


def _clock_body(deps: Deps) -> dict[str, Any]:
    clock = deps.clock
    frozen = isinstance(clock, ControllableClock) and clock.frozen
    return {"frozen": frozen, "now": format_zoom(clock.now())}


def _controllable(deps: Deps) -> ControllableClock:
    if not isinstance(deps.clock, ControllableClock):
        raise ClockNotControllable()
    return deps.clock


def _instant(value: Any) -> datetime:
    error = ValidationFailed([FieldError("now", "Must be a time like 2030-01-01T09:00:00Z.")])
    if not isinstance(value, str) or len(value) < 16 or value[10:11] not in ("T", " "):
        raise error
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise error from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise error
    return parsed.astimezone(UTC)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValidationFailed([FieldError("frozen", "Must be true or false.")])


async def get_clock(request: Request) -> Response:
    deps = admin(request)
    return json_response(_clock_body(deps))


async def put_clock(request: Request) -> Response:
    """``{"now"?, "frozen"?}``: move the clock to ``now``, and freeze or unfreeze it."""
    deps = admin(request)
    clock = _controllable(deps)
    body = await _object(request)
    if "now" not in body and "frozen" not in body:
        raise ValidationFailed([FieldError("", "Give now, frozen, or both.")])
    instant = _instant(body["now"]) if "now" in body else None
    frozen = _flag(body["frozen"]) if "frozen" in body else None
    if frozen is True:
        clock.freeze()
    elif frozen is False:
        clock.unfreeze()
    if instant is not None:
        clock.set(instant)
    _nudge(request)
    return json_response(_clock_body(deps))


def _amount(name: str, value: Any) -> float:
    try:
        number = float(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        raise ValidationFailed([FieldError(name, "Must be a number.")])
    if number < 0:
        raise ValidationFailed([FieldError(name, "Must be 0 or more: to go back, PUT a now.")])
    return float(number) * _UNITS[name]


async def advance_clock(request: Request) -> Response:
    """``{"seconds": N}`` (or minutes, hours, days, added up): move the clock forward, and at once do
    what falls due: webhook retries, URL re-validation (token expiry and quotas follow the clock)."""
    deps = admin(request)
    clock = _controllable(deps)
    body = await _object(request)
    given = [name for name in _UNITS if name in body]
    if not given:
        raise ValidationFailed([FieldError("seconds", "This field is required.")])
    seconds = sum(_amount(name, body[name]) for name in given)
    if seconds > _MAX_ADVANCE:
        raise ValidationFailed([FieldError("seconds", "Must be at most 100 years.")])
    clock.advance(timedelta(seconds=seconds))
    _nudge(request)
    return json_response(_clock_body(deps))


ROUTES = [
    Route("/moot/api/reset", reset, methods=["POST"]),
    Route("/moot/api/seed", seed, methods=["POST"]),
    Route("/moot/api/state", get_state, methods=["GET"]),
    Route("/moot/api/state", put_state, methods=["PUT"]),
    Route("/moot/api/clock", get_clock, methods=["GET"]),
    Route("/moot/api/clock", put_clock, methods=["PUT"]),
    Route("/moot/api/clock/advance", advance_clock, methods=["POST"]),
]
