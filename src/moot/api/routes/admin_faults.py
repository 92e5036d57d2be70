"""``/moot/api/faults``: fault rules on the API and on webhook deliveries (see ``moot.domain.faults``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.admin import admin
from moot.api.faults import operation_names
from moot.api.responses import json_body, json_response, no_content
from moot.domain.errors import FieldError, RouteNotFound, ValidationFailed
from moot.domain.faults import FaultBook, FaultRule, FaultSpec
from moot.domain.validation import parse


def _book(request: Request) -> FaultBook:
    admin(request)
    book: FaultBook = request.app.state.faults
    return book


def _rule(request: Request, book: FaultBook) -> FaultRule:
    raw = request.path_params["faultId"]
    found = next((r for r in book if raw.isascii() and raw.isdigit() and r.id == int(raw)), None)
    if found is None:
        raise RouteNotFound()
    return found


async def list_faults(request: Request) -> Response:
    return json_response({"faults": [rule.to_wire() for rule in _book(request)]})


async def add_fault(request: Request) -> Response:
    book = _book(request)
    spec = parse(FaultSpec, await json_body(request))
    if spec.operation is not None and spec.operation not in operation_names(request.app):
        raise ValidationFailed([FieldError("operation", f"Unknown operation: {spec.operation}.")])
    return json_response(book.add(spec).to_wire(), 201)


async def get_fault(request: Request) -> Response:
    book = _book(request)
    return json_response(_rule(request, book).to_wire())


async def delete_fault(request: Request) -> Response:
    book = _book(request)
    book.remove(_rule(request, book).id)
    return no_content()


async def delete_faults(request: Request) -> Response:
    _book(request).clear()
    return no_content()


ROUTES = [
    Route("/moot/api/faults", list_faults, methods=["GET"]),
    Route("/moot/api/faults", add_fault, methods=["POST"]),
    Route("/moot/api/faults", delete_faults, methods=["DELETE"]),
    Route("/moot/api/faults/{faultId}", get_fault, methods=["GET"]),
    Route("/moot/api/faults/{faultId}", delete_fault, methods=["DELETE"]),
]
