"""``GET /moot/api/openapi.json``: an OpenAPI 3.0 document of moot's admin API.

Its paths and methods are read from the app's own route table, so the document lists exactly the
admin routes the server has; each one's description comes from ``OPERATIONS`` below (a route without
one, or one without a route, fails the build, and a test). Request bodies that a pydantic model parses
take the model's JSON Schema, turned into OpenAPI 3.0's dialect; the answers' schemas are in
``moot.api.admin_openapi_schemas``. Built on the first request and kept.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from moot.api.admin import admin
from moot.api.admin_openapi_schemas import (
    ATTEMPT_QUERY,
    DELIVERY_ID,
    DELIVERY_QUERY,
    FAULT_ID,
    MEETING_ID,
    PARTICIPANT_ID,
    RESPONSES,
    SCHEMAS,
    Schema,
    answer,
    ref,
    shared,
)
from moot.api.responses import JSON_TYPE

PREFIX = "/moot/api"
DOCUMENT_PATH = f"{PREFIX}/openapi.json"
IMPLICIT_METHODS = frozenset({"HEAD"})  # Starlette adds HEAD to every GET route


class UndocumentedRoute(RuntimeError):
    """An admin route without an entry in ``OPERATIONS``, or an entry without a route."""


# --- operations ------------------------------------------------------------------------------------------


def _operation(
    operation_id: str,
    tag: str,
    summary: str,
    responses: dict[str, Schema],
    *,
    body: str | None = None,
    body_required: bool = True,
    parameters: Iterable[Schema] = (),
    description: str | None = None,
) -> Schema:
    """An operation; every one may also answer 401 (wrong admin token), and one with a body 400
    (malformed JSON) and 413 (too large)."""
    op: Schema = {"operationId": operation_id, "tags": [tag], "summary": summary}
    if description:
        op["description"] = description
    params = list(parameters)
    if params:
        op["parameters"] = params
    answers = dict(responses)
    if body is not None:
        op["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": ref(body)}},
        }
        answers.setdefault("400", shared("ValidationFailed"))
        answers["413"] = shared("TooLarge")
    answers["401"] = shared("Unauthorized")
    op["responses"] = dict(sorted(answers.items()))
    return op


_NO_CONTENT = answer("Done; no body.")
_CLOCK = answer("The clock now.", ref("Clock"))
_PARTICIPANTS = f"{PREFIX}/meetings/{{meetingId}}/participants"

OPERATIONS: dict[tuple[str, str], Schema] = {
    ("POST", f"{PREFIX}/reset"): _operation(
        "resetEmulator",
        "emulator",
        "Put everything back to the seed",
        {
            "204": _NO_CONTENT,
            "400": answer("Not a `moot emulate` server: nothing to reset to.", ref("Error")),
        },
        description="The database as seeded, the id generator of --seed, the clock as it started; fault "
        "rules and the request journal are emptied and cached tokens and rate-limit counts forgotten.",
    ),
    ("POST", f"{PREFIX}/seed"): _operation(
        "seedEmulator",
        "emulator",
        "Add seed data",
        {"201": answer("What was created, with generated ids and secrets.", ref("SeedResult"))},
        body="SeedData",
        description="On `moot emulate` the result becomes part of what reset returns to; a seed that fails "
        "part-way changes nothing. Meetings and registrants take Zoom's create bodies.",
    ),
    ("GET", f"{PREFIX}/state"): _operation(
        "getState", "emulator", "Export the whole state", {"200": answer("Every table.", ref("State"))}
    ),
    ("PUT", f"{PREFIX}/state"): _operation(
        "putState",
        "emulator",
        "Replace the whole state",
        {
            "204": _NO_CONTENT,
            "400": answer("The state does not fit the schema; nothing changed.", ref("Error")),
        },
        body="StateImport",
    ),
    ("GET", f"{PREFIX}/clock"): _operation("getClock", "emulator", "Read the clock", {"200": _CLOCK}),
    ("PUT", f"{PREFIX}/clock"): _operation(
        "setClock",
        "emulator",
        "Move, freeze or unfreeze the clock",
        {"200": _CLOCK, "400": answer("Malformed, or the clock is the system's.", ref("Error"))},
        body="ClockChange",
    ),
    ("POST", f"{PREFIX}/clock/advance"): _operation(
        "advanceClock",
        "emulator",
        "Move the clock forward",
        {"200": _CLOCK, "400": answer("Malformed, or the clock is the system's.", ref("Error"))},
        body="ClockAdvance",
        description="What falls due happens at once: token expiry, quotas, webhook retries, URL "
        "re-validation.",
    ),
    ("GET", f"{PREFIX}/faults"): _operation(
        "listFaults", "faults", "List fault rules", {"200": answer("The rules, in order.", ref("FaultList"))}
    ),
    ("POST", f"{PREFIX}/faults"): _operation(
        "addFault",
        "faults",
        "Add a fault rule",
        {"201": answer("The rule.", ref("FaultRule"))},
        body="FaultSpec",
        description="A rule needs one action: error, latency_ms, drop or webhook (see docs/emulator.md, "
        "Fault injection).",
    ),
    ("DELETE", f"{PREFIX}/faults"): _operation(
        "deleteFaults", "faults", "Remove every fault rule", {"204": _NO_CONTENT}
    ),
    ("GET", f"{PREFIX}/faults/{{faultId}}"): _operation(
        "getFault",
        "faults",
        "Read a fault rule",
        {"200": answer("The rule.", ref("FaultRule")), "404": shared("NotFound")},
        parameters=[FAULT_ID],
    ),
    ("DELETE", f"{PREFIX}/faults/{{faultId}}"): _operation(
        "deleteFault",
        "faults",
        "Remove a fault rule",
        {"204": _NO_CONTENT, "404": shared("NotFound")},
        parameters=[FAULT_ID],
    ),
    ("GET", f"{PREFIX}/requests"): _operation(
        "listRequests",
        "requests",
        "Search the request journal",
        {"200": answer("Entries, newest first.", ref("JournalList")), "400": shared("ValidationFailed")},
        parameters=(),  # filled from the RequestQuery model
    ),
    ("DELETE", f"{PREFIX}/requests"): _operation(
        "clearRequests", "requests", "Empty the request journal", {"204": _NO_CONTENT}
    ),
    ("POST", f"{PREFIX}/requests/verify"): _operation(
        "verifyRequests",
        "requests",
        "Count matching requests against an expectation",
        {
            "200": answer("The count holds.", ref("VerificationResult")),
            "409": answer("The count does not hold.", ref("VerificationResult")),
        },
        body="Verification",
        description="count (exactly), or at_least and/or at_most; with none of these, at least one.",
    ),
    ("GET", f"{PREFIX}/webhooks/attempts"): _operation(
        "listWebhookAttempts",
        "webhooks",
        "Follow the log of delivery attempts",
        {
            "200": answer("Attempts, oldest first.", ref("WebhookAttemptList")),
            "400": shared("ValidationFailed"),
        },
        parameters=ATTEMPT_QUERY,
    ),
    ("GET", f"{PREFIX}/webhooks/deliveries"): _operation(
        "listWebhookDeliveries",
        "webhooks",
        "List webhook deliveries",
        {
            "200": answer("Deliveries, newest first.", ref("WebhookDeliveryList")),
            "400": shared("ValidationFailed"),
        },
        parameters=DELIVERY_QUERY,
    ),
    ("GET", f"{PREFIX}/webhooks/deliveries/{{deliveryId}}"): _operation(
        "getWebhookDelivery",
        "webhooks",
        "Read a delivery, its attempts and the body sent",
        {"200": answer("The delivery.", ref("WebhookDeliveryDetail")), "404": shared("NotFound")},
        parameters=[DELIVERY_ID],
    ),
    ("POST", f"{PREFIX}/webhooks/deliveries/{{deliveryId}}/replay"): _operation(
        "replayWebhookDelivery",
        "webhooks",
        "Send a delivery again now",
        {
            "200": answer("The attempt; a success marks it delivered.", ref("WebhookAttempt")),
            "404": shared("NotFound"),
        },
        parameters=[DELIVERY_ID],
    ),
    ("POST", _PARTICIPANTS): _operation(
        "participantJoin",
        "participants",
        "A participant joins",
        {
            "201": answer("The participant: in the meeting, or in its waiting room.", ref("Participant")),
            "400": answer("Malformed, or the meeting has not started (join before host off).", ref("Error")),
            "404": answer("No such meeting: code 3001.", ref("Error")),
        },
        body="ParticipantInput",
        parameters=[MEETING_ID],
    ),
    ("POST", f"{_PARTICIPANTS}/{{participantId}}/admit"): _operation(
        "participantAdmit",
        "participants",
        "Admit a participant from the waiting room",
        {
            "200": answer("The participant, now in the meeting.", ref("Participant")),
            "400": answer("The participant is not in the waiting room.", ref("Error")),
            "404": answer("No such meeting or participant.", ref("Error")),
        },
        parameters=[MEETING_ID, PARTICIPANT_ID],
    ),
    ("DELETE", f"{_PARTICIPANTS}/{{participantId}}"): _operation(
        "participantLeave",
        "participants",
        "A participant leaves",
        {"204": _NO_CONTENT, "404": answer("No such meeting or participant.", ref("Error"))},
        parameters=[MEETING_ID, PARTICIPANT_ID],
    ),
    ("GET", DOCUMENT_PATH): _operation(
        "getAdminOpenApi",
        "meta",
        "This document",
        {"200": answer("An OpenAPI 3.0 document of the admin API.", ref("OpenApiDocument"))},
    ),
}


# --- pydantic's JSON Schema in OpenAPI 3.0's dialect ------------------------------------------------------

_KEYWORDS = frozenset(
    {
        "type", "format", "enum", "default", "description", "nullable", "example", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
        "required", "properties", "additionalProperties", "items", "allOf", "anyOf", "oneOf", "not",
    }
)  # fmt: skip
_REF_TEMPLATE = "#/components/schemas/{model}"
_NULL = {"type": "null"}


def _ref_name(target: str) -> str:
    return target.rsplit("/", 1)[1]


class _Dialect:
    """Turns JSON Schema (draft 2020-12, as pydantic writes it) into an OpenAPI 3.0 Schema Object:
    ``X | None`` becomes ``nullable`` (inlining a referenced model, since ``nullable`` next to a
    ``$ref`` means nothing in 3.0), ``const`` an ``enum``, numeric ``exclusiveMinimum`` the boolean
    form. Anything else 3.0 lacks is refused rather than passed on."""

    def __init__(self, definitions: dict[str, Schema]) -> None:
        self.definitions = definitions

    def schema(self, source: Schema) -> Schema:
        if "$ref" in source:
            target = {"$ref": source["$ref"]}
            rest = {k: v for k, v in source.items() if k != "$ref"}
            return {"allOf": [target], **self.schema(rest)} if rest else target
        alternatives = source.get("anyOf")
        if alternatives is not None and _NULL in alternatives:
            options = [self._nullable(a) for a in alternatives if a != _NULL]
            base = options[0] if len(options) == 1 else {"anyOf": options}
            return {**base, **self.schema({k: v for k, v in source.items() if k != "anyOf"})}
        out: Schema = {}
        for key, value in source.items():
            if key == "title":
                continue
            if key == "const":
                out["enum"] = [value]
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
                out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
                out[key] = True
            elif key == "properties":
                out[key] = {name: self.schema(s) for name, s in value.items()}
            elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
                out[key] = self.schema(value)
            elif key in ("anyOf", "oneOf", "allOf"):
                out[key] = [self.schema(s) for s in value]
            elif key == "description":
                out[key] = value.replace("``", "`")
            elif key in _KEYWORDS:
                out[key] = value
            else:
                raise ValueError(f"JSON Schema keyword {key!r} has no OpenAPI 3.0 equivalent")
        return out

    def _nullable(self, source: Schema) -> Schema:
        if set(source) == {"$ref"}:
            source = self.definitions[_ref_name(source["$ref"])]
        converted = self.schema(source)
        if "type" not in converted:
            raise ValueError(f"cannot make {converted!r} nullable in OpenAPI 3.0: it has no type")
        converted["nullable"] = True
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
        return converted


def _model_schemas() -> tuple[dict[str, Schema], list[Schema]]:
    """The request bodies' component schemas, from the models that parse them, and the query
    parameters of ``GET /moot/api/requests``."""
    from pydantic import BaseModel
    from pydantic.json_schema import models_json_schema

    from moot.domain.faults import ERROR_CODES, FaultSpec
    from moot.domain.journal import RequestQuery, Verification
    from moot.domain.past_meetings import ParticipantInput
    from moot.emulator.seed import SeedData

    bodies = (FaultSpec, Verification, ParticipantInput, SeedData)
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (model, "validation") for model in (*bodies, RequestQuery)
    ]
    _, generated = models_json_schema(models, ref_template=_REF_TEMPLATE)
    definitions: dict[str, Schema] = generated["$defs"]
    definitions["ErrorSpec"]["properties"]["code"]["enum"] = list(ERROR_CODES)
    dialect = _Dialect(definitions)
    query = dialect.schema(definitions.pop("RequestQuery"))
    parameters = [
        {"name": name, "in": "query", "required": False, "schema": _not_null(schema)}
        for name, schema in query["properties"].items()
    ]
    converted = {name: dialect.schema(schema) for name, schema in definitions.items()}
    return _reachable(converted, [model.__name__ for model in bodies]), parameters


def _reachable(schemas: dict[str, Schema], roots: list[str]) -> dict[str, Schema]:
    """The schemas ``roots`` refer to, directly or not (models made nullable were inlined)."""
    kept: dict[str, Schema] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in kept:
            kept[name] = schemas[name]
            todo.extend(
                _ref_name(target) for target in re.findall(r'"\$ref": "([^"]+)"', json.dumps(kept[name]))
            )
    return {name: kept[name] for name in schemas if name in kept}


def _not_null(schema: Schema) -> Schema:
    """A query parameter's schema: absent is how a query says null."""
    kept = {k: v for k, v in schema.items() if k != "nullable" and not (k == "default" and v is None)}
    if "enum" in kept:
        kept["enum"] = [v for v in kept["enum"] if v is not None]
    return kept


# --- the document ----------------------------------------------------------------------------------------


def admin_routes(routes: Iterable[BaseRoute]) -> dict[str, set[str]]:
    """``{path: methods}`` of the app's admin routes (without the HEAD Starlette adds to GET)."""
    found: dict[str, set[str]] = {}
    for route in routes:
        if isinstance(route, Route) and route.path.startswith(PREFIX + "/") and route.methods:
            found.setdefault(route.path, set()).update(route.methods - IMPLICIT_METHODS)
    return found


def build_document(routes: Iterable[BaseRoute]) -> Schema:
    from moot import __version__

    present = admin_routes(routes)
    wanted = {(method, path) for path, methods in present.items() for method in methods}
    missing = sorted(wanted - OPERATIONS.keys())
    extra = sorted(OPERATIONS.keys() - wanted)
    if missing or extra:
        raise UndocumentedRoute(
            f"admin routes without an operation: {missing}; operations without a route: {extra}"
        )
    model_schemas, request_query = _model_schemas()
    paths: dict[str, Schema] = {}
    for method, path in sorted(wanted, key=lambda item: (item[1], item[0])):
        op = copy.deepcopy(OPERATIONS[(method, path)])
        if op["operationId"] == "listRequests":
            op["parameters"] = request_query
        paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "moot admin API",
            "version": __version__,
            "description": "moot's own API under /moot/api: the emulator's reset, seed, state and clock, "
            "fault rules, the request journal, webhook deliveries and simulated participants. On while "
            "MOOT_ADMIN_TOKEN or MOOT_ADMIN_API is set (always in `moot emulate`); with a token, every call "
            "carries it as a Bearer token. See docs/emulator.md and docs/webhooks.md.",
        },
        "tags": [
            {"name": name, "description": text}
            for name, text in (
                ("emulator", "Reset, seed, state export and import, the clock."),
                ("faults", "Fault injection on API calls and webhook deliveries."),
                ("requests", "The request journal and verification."),
                ("webhooks", "Webhook deliveries, their attempts, replay."),
                ("participants", "Participants simulated in live meetings."),
                ("meta", "This document."),
            )
        ],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **model_schemas},
            "responses": RESPONSES,
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "MOOT_ADMIN_TOKEN; not needed when the admin API is on without one.",
                }
            },
        },
        "security": [{"adminToken": []}, {}],
    }


async def openapi_json(request: Request) -> Response:
    admin(request)
    state = request.app.state
    body: bytes | None = getattr(state, "admin_openapi", None)
    if body is None:
        import orjson

        body = orjson.dumps(build_document(request.app.routes))
        state.admin_openapi = body
    return Response(body, media_type=JSON_TYPE)


ROUTES = [Route(DOCUMENT_PATH, openapi_json, methods=["GET"])]
