"""``/moot/api/requests``: the request journal (see ``moot.domain.journal``) and verification."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.api.admin import admin
from moot.api.responses import json_body, json_response, no_content
from moot.domain.journal import Journal, RequestQuery, Verification
from moot.domain.validation import parse


def _journal(request: Request) -> Journal:
    admin(request)
    journal: Journal = request.app.state.journal
    return journal


async def list_requests(request: Request) -> Response:
    journal = _journal(request)
    query = parse(RequestQuery, {k: v for k, v in request.query_params.items() if v != ""})
    return json_response({"requests": [entry.to_wire() for entry in journal.find(query, query.limit)]})


async def verify_requests(request: Request) -> Response:
    """200 when the journal holds the expected number of matching requests, 409 when it does not; the
    body says how many matched either way."""
    journal = _journal(request)
    check = parse(Verification, await json_body(request))
    matched = journal.count(check)
    ok = check.holds(matched)
    return json_response({"ok": ok, "matched": matched, "expected": check.expected()}, 200 if ok else 409)


async def clear_requests(request: Request) -> Response:
    _journal(request).clear()
    return no_content()


ROUTES = [
    Route("/moot/api/requests", list_requests, methods=["GET"]),
    Route("/moot/api/requests", clear_requests, methods=["DELETE"]),
    Route("/moot/api/requests/verify", verify_requests, methods=["POST"]),
]
