"""``GET /moot/api/openapi.json``: the admin API's OpenAPI document lists exactly the app's admin routes,
is a valid OpenAPI 3.0 document, and what the admin API really answers (and accepts) fits it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator
from starlette.routing import Route

from moot.api.admin_openapi import OPERATIONS, UndocumentedRoute, admin_routes, build_document
from moot.api.app import create_app, routes
from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.domain.events import EVENT_TYPES
from moot.emulator.control import ClockStart, Emulator
from moot.services.context import Deps, Keys
from moot.storage.base import Store
from moot.webhooks import endpoints
from moot.webhooks.dispatcher import Dispatcher
from tests.conftest import NOW
from tests.support.api import BASE_URL, ZoomApi
from tests.support.receiver import Receiver

TOKEN = "admin-openapi-t0ken"
SECRET = "w3bh00k-secret-t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DOCUMENT = "/moot/api/openapi.json"


def _document() -> dict[str, Any]:
    return build_document(routes())


# --- the document and the route table ---------------------------------------------------------------------


def test_the_document_lists_exactly_the_admin_routes() -> None:
    documented = {path: {method.upper() for method in item} for path, item in _document()["paths"].items()}
    assert documented == admin_routes(routes())
    assert len(documented) == 17 and sum(map(len, documented.values())) == len(OPERATIONS) == 23


def test_a_route_without_an_operation_or_an_operation_without_a_route_fails_the_build() -> None:
    async def nothing(request: Any) -> Any:
        raise NotImplementedError

    with pytest.raises(UndocumentedRoute) as added:
        build_document([*routes(), Route("/moot/api/new", nothing, methods=["POST"])])
    assert str(added.value) == (
        "admin routes without an operation: [('POST', '/moot/api/new')]; operations without a route: []"
    )
    without_reset = [r for r in routes() if not (isinstance(r, Route) and r.path == "/moot/api/reset")]
    with pytest.raises(UndocumentedRoute) as removed:
        build_document(without_reset)
    assert str(removed.value) == (
        "admin routes without an operation: []; operations without a route: [('POST', '/moot/api/reset')]"
    )


def test_the_document_is_valid_openapi_3_0() -> None:
    document = _document()
    assert (document["openapi"], document["info"]["title"]) == ("3.0.3", "moot admin API")
    errors = [error.message for error in OpenAPIV30SpecValidator(document).iter_errors()]
    assert errors == []
    used = set(re.findall(r'"#/components/(\w+/\w+)"', orjson.dumps(document).decode()))
    defined = {f"{kind}/{name}" for kind in ("schemas", "responses") for name in document["components"][kind]}
    assert used == defined


def test_every_operation_has_a_unique_id_and_answers_401_without_the_token() -> None:
    operations = [op for item in _document()["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(set(ids)) == len(ids) == 23
    assert all(op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"} for op in operations)


# --- a server with the admin API, as `moot emulate` builds it ---------------------------------------------


@dataclass
class Admin:
    """The admin API in process; every call is checked against the document and noted."""

    client: httpx.AsyncClient
    deps: Deps
    document: dict[str, Any]
    covered: set[tuple[str, str, int]] = field(default_factory=set)

    async def call(
        self, method: str, path: str, status: int, *, json: Any = None, auth: bool = True, **kwargs: Any
    ) -> Any:
        template = _template(self.document, path.split("?")[0])
        operation = self.document["paths"][template][method.lower()]
        if json is not None and status < 400:
            _validate(self.document, operation["requestBody"]["content"]["application/json"]["schema"], json)
        headers = AUTH if auth else {}
        response = await self.client.request(method, path, json=json, headers=headers, **kwargs)
        assert response.status_code == status, response.text
        documented = operation["responses"].get(str(status))
        assert documented is not None, f"{method} {template} answered {status}, which is not documented"
        documented = _resolve(self.document, documented)
        self.covered.add((method, template, status))
        if "content" not in documented:
            assert response.content == b""
            return None
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        body = response.json()
        _validate(self.document, documented["content"]["application/json"]["schema"], body)
        return body


def _template(document: dict[str, Any], path: str) -> str:
    templates: list[str] = sorted(document["paths"], key=lambda t: t.count("{"))
    for template in templates:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return template
    raise AssertionError(f"{path} is not in the document")


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in item:
        return item
    *_, kind, name = item["$ref"].split("/")
    resolved: dict[str, Any] = document["components"][kind][name]
    return resolved


def _closed(schema: Any) -> Any:
    """The schema with every object that lists its properties closed to others: an answer with a field
    the document does not describe fails too."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def _validate(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    root = {**_closed(schema), "components": {"schemas": _closed(document["components"]["schemas"])}}
    OAS30Validator(root).validate(instance)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL, admin_token=TOKEN)
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


@pytest.fixture
async def served(deps: Deps, receiver: Receiver) -> AsyncIterator[tuple[Admin, ZoomApi]]:
    """The admin API of an emulator whose tenant's app sends webhooks to ``receiver``."""
    emulator = Emulator(deps, ClockStart(frozen=True, at=NOW))
    app = create_app(deps.settings, deps=deps, emulator=emulator)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
        api = ZoomApi(deps, client)
        api.tenant = await api.new_tenant()
        hook = await endpoints.set_endpoint(
            deps, api.tenant.app.client_id, url=receiver.url, secret_token=SECRET, events=EVENT_TYPES
        )
        assert hook.active, hook.last_error
        await emulator.take_baseline()
        document = (await client.get(DOCUMENT, headers=AUTH)).json()
        yield Admin(client, deps, document), api


# --- serving it ---------------------------------------------------------------------------------------------


async def test_it_is_served_behind_the_admin_token(served: tuple[Admin, ZoomApi]) -> None:
    admin, _ = served
    assert admin.document == orjson.loads(orjson.dumps(_document()))
    refused = await admin.client.get(DOCUMENT)
    assert (refused.status_code, refused.json()) == (401, {"code": 124, "message": "Invalid admin token."})


async def test_it_is_not_there_while_the_admin_api_is_off(store: Store, clock: ControllableClock) -> None:
    settings = Settings(db_url="sqlite:///:memory:", public_url=BASE_URL)
    deps = Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))
    app = create_app(settings, deps=deps)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
        response = await client.get(DOCUMENT)
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "The requested resource was not found."},
    )


# --- real answers against the document ----------------------------------------------------------------------


async def test_every_operation_answers_as_documented(
    served: tuple[Admin, ZoomApi], receiver: Receiver
) -> None:
    admin, api = served
    assert api.tenant is not None
    account_id = api.tenant.account.id
    await admin.call("GET", DOCUMENT, 200)
    await _clock(admin)
    seeded = await _seed(admin, account_id, receiver.url)
    await _state(admin)
    await _participants(admin, api, seeded)
    await _webhooks(admin)
    await _faults(admin)
    await _journal(admin, api)
    assert await admin.call("POST", "/moot/api/reset", 204) is None

    every = {(method.upper(), path) for path, item in admin.document["paths"].items() for method in item}
    answered = {(method, path) for method, path, status in admin.covered if status < 400}
    assert answered == every
    for method, path in sorted(every):  # and 401 without the token, as documented
        await admin.call(
            method, path.replace("{faultId}", "1").replace("{", "").replace("}", ""), 401, auth=False
        )


async def test_reset_without_an_emulator_answers_as_documented(deps: Deps) -> None:
    app = create_app(deps.settings, deps=deps)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
        admin = Admin(client, deps, orjson.loads(orjson.dumps(_document())))
        body = await admin.call("POST", "/moot/api/reset", 400)
    assert body == {
        "code": 300,
        "message": "This server has no seed to reset to: start it with `moot emulate` to reset it.",
    }


async def _clock(admin: Admin) -> None:
    assert await admin.call("GET", "/moot/api/clock", 200) == {"frozen": True, "now": "2026-01-15T12:00:00Z"}
    moved = await admin.call(
        "PUT", "/moot/api/clock", 200, json={"now": "2026-01-15T12:00:00Z", "frozen": True}
    )
    assert moved == {"frozen": True, "now": "2026-01-15T12:00:00Z"}
    advanced = await admin.call("POST", "/moot/api/clock/advance", 200, json={"seconds": 1})
    assert advanced == {"frozen": True, "now": "2026-01-15T12:00:01Z"}
    refused = await admin.call("PUT", "/moot/api/clock", 400, json={})
    assert refused == {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [{"field": "", "message": "Give now, frozen, or both."}],
    }


async def _seed(admin: Admin, account_id: str, hook_url: str) -> dict[str, Any]:
    meeting = {
        "topic": "Seeded",
        "type": 2,
        "start_time": "2030-06-09T17:00:00Z",
        "settings": {"approval_type": 0, "join_before_host": True},
        "registrants": [{"email": "grace@example.com", "first_name": "Grace", "status": "approved"}],
    }
    app = {
        "client_id": "seeded-app",
        "client_secret": "seeded-secret",
        "webhook": {"url": hook_url, "secret": SECRET},
    }
    body = {
        "accounts": [
            {"id": account_id, "meetings": [meeting]},
            {"id": "second", "users": [{"email": "ada@second.test"}], "apps": [app]},
        ]
    }
    seeded: dict[str, Any] = await admin.call("POST", "/moot/api/seed", 201, json=body)
    first, second = seeded["accounts"]
    made: dict[str, Any] = first["meetings"][0]
    assert len(first["meetings"]) == 1
    assert made["registrants"] == [{"id": made["registrants"][0]["id"], "email": "grace@example.com"}]
    assert second["apps"] == [
        {
            "client_id": "seeded-app",
            "client_secret": "seeded-secret",
            "type": "s2s",
            "webhook": {"url": hook_url, "secret": SECRET, "events": list(EVENT_TYPES)},
        }
    ]
    refused = await admin.call("POST", "/moot/api/seed", 400, json={"accounts": [{"plan": "gold"}]})
    assert refused["errors"] == [{"field": "accounts[0].plan", "message": "Invalid field."}]
    return made


async def _state(admin: Admin) -> None:
    state = await admin.call("GET", "/moot/api/state", 200)
    assert await admin.call("PUT", "/moot/api/state", 204, json=state) is None
    refused = await admin.call(
        "PUT", "/moot/api/state", 400, json={"tables": {"accounts": [{"id": "a", "shoe_size": 44}]}}
    )
    assert refused == {
        "code": 300,
        "message": "The state could not be imported: accounts[0]: unknown column 'shoe_size'.",
    }


async def _participants(admin: Admin, api: ZoomApi, seeded: dict[str, Any]) -> None:
    created = await api.post(
        "/v2/users/me/meetings",
        json={"topic": "Live", "settings": {"join_before_host": True, "waiting_room": True}},
    )
    assert created.status_code == 201, created.text
    live = f"/moot/api/meetings/{created.json()['id']}/participants"
    waiting = await admin.call("POST", live, 201, json={"name": "Jill", "email": "jill@example.com"})
    assert (waiting["status"], waiting["name"], waiting["email"]) == (
        "in_waiting_room",
        "Jill",
        "jill@example.com",
    )
    admitted = await admin.call("POST", f"{live}/{waiting['user_id']}/admit", 200)
    assert admitted == {**waiting, "status": "in_meeting", "join_time": admitted["join_time"]}
    await admin.call("POST", f"{live}/{waiting['user_id']}/admit", 400)
    assert await admin.call("DELETE", f"{live}/{waiting['user_id']}", 204) is None
    await admin.call("DELETE", f"{live}/{waiting['user_id']}", 404)
    await admin.call("POST", live, 400, json={"email": "no name"})
    await admin.call("POST", "/moot/api/meetings/12345678901/participants", 404, json={"name": "J"})
    registered = f"/moot/api/meetings/{seeded['id']}/participants"
    grace = await admin.call("POST", registered, 201, json={"name": "Grace", "email": "grace@example.com"})
    assert grace["registrant_id"] == seeded["registrants"][0]["id"]


async def _webhooks(admin: Admin) -> None:
    dispatcher = Dispatcher(admin.deps)
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.stop()
    listed = await admin.call("GET", "/moot/api/webhooks/deliveries", 200)
    assert listed["deliveries"] and listed["next_before_id"] is None
    newest = listed["deliveries"][0]
    await admin.call("GET", "/moot/api/webhooks/deliveries?state=lost", 400)
    one = await admin.call("GET", f"/moot/api/webhooks/deliveries/{newest['id']}", 200)
    assert {k: v for k, v in one.items() if k not in ("attempt_log", "body")} == newest
    await admin.call("GET", "/moot/api/webhooks/deliveries/999999", 404)
    replayed = await admin.call("POST", f"/moot/api/webhooks/deliveries/{newest['id']}/replay", 200)
    assert (replayed["number"], replayed["status_code"], replayed["error"]) == (2, 200, None)
    await admin.call("POST", "/moot/api/webhooks/deliveries/999999/replay", 404)
    follow = await admin.call("GET", "/moot/api/webhooks/attempts", 200)
    assert follow["attempts"] == []
    logged = await admin.call("GET", "/moot/api/webhooks/attempts?after_id=0", 200)
    assert logged["last_id"] == follow["last_id"] == logged["attempts"][-1]["id"]
    await admin.call("GET", "/moot/api/webhooks/attempts?after_id=x", 400)


async def _faults(admin: Admin) -> None:
    rules = [
        {"method": "GET", "path": "/v2/users/*", "times": 1, "error": {"code": 1001, "user_id": "me"}},
        {"path": "/v2/*", "probability": 0.5, "seed": 7, "error": {"code": 300}, "latency_ms": 1},
        {"operation": "meetingCreate", "nth": 2, "error": {"code": 429, "limit": "daily"}},
        {"account_id": "acme", "drop": True},
        {"webhook": {"kind": "out_of_order", "event": "meeting.*", "hold_seconds": 2}},
    ]
    added = [await admin.call("POST", "/moot/api/faults", 201, json=rule) for rule in rules]
    assert added[0] == {
        "id": 1,
        "method": "GET",
        "path": "/v2/users/*",
        "operation": None,
        "account_id": None,
        "nth": None,
        "times": 1,
        "probability": None,
        "seed": None,
        "error": {"code": 1001, "user_id": "me"},
        "latency_ms": None,
        "drop": False,
        "webhook": None,
        "matched": 0,
        "fired": 0,
        "active": True,
    }
    await admin.call("POST", "/moot/api/faults", 400, json={"error": {"code": 999}})
    assert await admin.call("GET", "/moot/api/faults", 200) == {"faults": added}
    assert await admin.call("GET", "/moot/api/faults/5", 200) == added[4]
    await admin.call("GET", "/moot/api/faults/99", 404)
    assert await admin.call("DELETE", "/moot/api/faults/1", 204) is None
    await admin.call("DELETE", "/moot/api/faults/1", 404)
    assert await admin.call("DELETE", "/moot/api/faults", 204) is None


async def _journal(admin: Admin, api: ZoomApi) -> None:
    assert (await api.get("/v2/users/me")).status_code == 200
    found = await admin.call("GET", "/moot/api/requests?method=GET&path=/v2/users/me&limit=5", 200)
    assert [(e["method"], e["path"], e["status"]) for e in found["requests"]] == [
        ("GET", "/v2/users/me", 200)
    ]
    await admin.call("GET", "/moot/api/requests?limit=0", 400)
    check = {"method": "GET", "path": "/v2/users/me", "at_least": 1}
    holds = await admin.call("POST", "/moot/api/requests/verify", 200, json=check)
    assert holds == {"ok": True, "matched": 1, "expected": {"at_least": 1}}
    fails = await admin.call("POST", "/moot/api/requests/verify", 409, json={**check, "at_least": 2})
    assert fails == {"ok": False, "matched": 1, "expected": {"at_least": 2}}
    await admin.call("POST", "/moot/api/requests/verify", 400, json={"count": 1, "at_least": 1})
    assert await admin.call("DELETE", "/moot/api/requests", 204) is None
