"""``/moot/requests``: the request journal (the admin API's ``/moot/api/requests``), filtered as there,
and one entry with its bodies, secrets hidden."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moot.domain.errors import RouteNotFound, ZoomError
from moot.domain.journal import MAX_LIST_LIMIT, Journal, JournalEntry, RequestPattern, RequestQuery
from moot.domain.validation import parse
from moot.pages.inspector.auth import guarded
from moot.pages.inspector.common import describe, page, text
from moot.pages.inspector.mask import mask_body, mask_query
from moot.services.context import Deps

FILTERS = ("method", "path", "status", "account_id", "limit")


def _journal(request: Request) -> Journal | None:
    journal: Journal | None = getattr(request.app.state, "journal", None)
    return journal


async def requests(request: Request, deps: Deps) -> Response:
    journal = _journal(request)
    filters = {name: text(request, name) for name in FILTERS}
    entries: list[JournalEntry] = []
    problem = ""
    try:
        query = parse(RequestQuery, {k: v for k, v in filters.items() if v})
    except ZoomError as error:
        problem = describe(error)
    else:
        entries = journal.find(query, query.limit) if journal is not None else []
    context = {
        "entries": entries,
        "filters": filters,
        "problem": problem,
        "recorded": len(journal) if journal is not None else 0,
    }
    return page(request, deps, "requests.html", context)


async def entry(request: Request, deps: Deps) -> Response:
    journal = _journal(request)
    raw = request.path_params["entryId"]
    wanted = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    found = None
    if journal is not None and wanted is not None:
        found = next((e for e in journal.find(RequestPattern(), MAX_LIST_LIMIT) if e.id == wanted), None)
    if found is None:
        raise RouteNotFound()
    context = {
        "entry": found,
        "query": mask_query(found.query),
        "request_body": mask_body(found.request_body),
        "response_body": mask_body(found.response_body),
    }
    return page(request, deps, "request.html", context)


ROUTES = [
    Route("/moot/requests", guarded(requests), methods=["GET"]),
    Route("/moot/requests/{entryId}", guarded(entry), methods=["GET"]),
]
