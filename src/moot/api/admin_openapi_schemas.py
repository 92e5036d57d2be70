"""What the admin API's OpenAPI document says about each operation: responses, parameters, the schemas
of what it answers. Request bodies parsed by a pydantic model take their schema from the model
(``moot.api.admin_openapi``); the rest are written here, and tests check every answer against them."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, **extra: Any) -> Schema:
    """An object with ``required`` properties (always answered) and ``optional`` ones (sometimes)."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        **extra,
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
INT64: Schema = {"type": "integer", "format": "int64"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time", "example": "2030-01-01T09:00:00Z"}

ERROR_CODES = [124, 300, 429, 500, 1001, 3001, 4711]
DELIVERY_STATES = ["pending", "delivered", "failed"]

FIELD_ERROR = obj({"field": STRING, "message": STRING})
ERROR = obj(
    {"code": INTEGER, "message": STRING},
    {"errors": array(ref("FieldError"))},
    description="Zoom's error body; ``errors`` comes with code 300 (Validation Failed).",
)

CLOCK = obj({"frozen": BOOLEAN, "now": TIME})
CLOCK_CHANGE: Schema = {
    "type": "object",
    "description": "Give now, frozen, or both.",
    "properties": {
        "now": {**TIME, "description": "Move the clock to this time (no offset means UTC)."},
        "frozen": {**BOOLEAN, "description": "true freezes the clock, false lets it run on."},
    },
}
CLOCK_ADVANCE: Schema = {
    "type": "object",
    "description": "At least one of the four; they are added up (at most 100 years).",
    "properties": {
        unit: {"type": "number", "minimum": 0} for unit in ("seconds", "minutes", "hours", "days")
    },
}

ROWS = array({"type": "object", "additionalProperties": True})
TABLES: Schema = {
    "type": "object",
    "additionalProperties": ROWS,
    "description": "Every table of the database, its rows as objects ordered by primary key.",
}
STATE = obj({"format": {"type": "integer", "enum": [1]}, "tables": TABLES})
STATE_IMPORT = obj({"tables": TABLES}, {"format": {"type": "integer", "enum": [1]}})

_PERSON = obj({"id": STRING, "email": STRING})
SEEDED_APP = obj(
    {"client_id": STRING, "client_secret": STRING, "type": {"type": "string", "enum": ["s2s", "oauth"]}},
    {"webhook": obj({"url": STRING, "secret": STRING, "events": array(STRING)})},
)
SEEDED_MEETING = obj(
    {
        "id": INT64,
        "uuid": STRING,
        "topic": STRING,
        "host_id": STRING,
        "join_url": STRING,
        "registrants": array(_PERSON),
    }
)
SEEDED_ACCOUNT = obj(
    {
        "id": STRING,
        "plan": {"type": "string", "enum": ["free", "pro", "business"]},
        "rate_limits": STRING,
        "owner": _PERSON,
        "users": array(_PERSON),
        "apps": array(ref("SeededApp")),
        "meetings": array(ref("SeededMeeting")),
    }
)
SEED_RESULT = obj({"accounts": array(ref("SeededAccount"))})

FAULT_ERROR = obj(
    {"code": {"type": "integer", "enum": ERROR_CODES}},
    {
        "limit": {"type": "string", "enum": ["per_second", "daily", "host_daily"]},
        "errors": array(ref("FieldError")),
        "meeting_id": STRING,
        "user_id": STRING,
        "scopes": array(STRING),
    },
)
FAULT_WEBHOOK = obj(
    {
        "kind": {"type": "string", "enum": ["timeout", "duplicate", "out_of_order"]},
        "event": STRING,
        "hold_seconds": nullable(NUMBER),
    }
)
FAULT_RULE = obj(
    {
        "id": INTEGER,
        "method": nullable(STRING),
        "path": nullable(STRING),
        "operation": nullable(STRING),
        "account_id": nullable(STRING),
        "nth": nullable(INTEGER),
        "times": nullable(INTEGER),
        "probability": nullable(NUMBER),
        "seed": nullable(INTEGER),
        "error": nullable(FAULT_ERROR),
        "latency_ms": nullable(INTEGER),
        "drop": BOOLEAN,
        "webhook": nullable(FAULT_WEBHOOK),
        "matched": INTEGER,
        "fired": INTEGER,
        "active": BOOLEAN,
    }
)
FAULT_LIST = obj({"faults": array(ref("FaultRule"))})

JOURNAL_ENTRY = obj(
    {
        "id": INTEGER,
        "at": TIME,
        "method": STRING,
        "path": STRING,
        "query": STRING,
        "account_id": nullable(STRING),
        "status": nullable(INTEGER),
        "duration_ms": NUMBER,
        "tracking_id": nullable(STRING),
        "request_body": STRING,
        "request_body_truncated": BOOLEAN,
        "response_body": STRING,
        "response_body_truncated": BOOLEAN,
        "faults": array(INTEGER),
    }
)
JOURNAL_LIST = obj({"requests": array(ref("JournalEntry"))})
VERIFICATION_RESULT = obj(
    {
        "ok": BOOLEAN,
        "matched": INTEGER,
        "expected": {
            "type": "object",
            "properties": {"count": INTEGER, "at_least": INTEGER, "at_most": INTEGER},
            "minProperties": 1,
        },
    }
)

_DELIVERY_FIELDS: dict[str, Schema] = {
    "id": INT64,
    "event_id": INT64,
    "event": STRING,
    "account_id": STRING,
    "client_id": STRING,
    "state": {"type": "string", "enum": DELIVERY_STATES},
    "attempts": INTEGER,
    "tracking_id": STRING,
    "created_at": TIME,
    "delivered_at": nullable(TIME),
    "last_status": nullable(INTEGER),
    "last_error": nullable(STRING),
}
_ATTEMPT_FIELDS: dict[str, Schema] = {
    "number": INTEGER,
    "at": TIME,
    "url": STRING,
    "status_code": nullable(INTEGER),
    "latency_ms": NUMBER,
    "error": nullable(STRING),
    "response": {**STRING, "description": "The first 512 characters of the receiver's answer."},
}
ATTEMPT = obj(_ATTEMPT_FIELDS)
DELIVERY = obj(_DELIVERY_FIELDS)
DELIVERY_DETAIL = obj(
    {
        **_DELIVERY_FIELDS,
        "attempt_log": array(ref("WebhookAttempt")),
        "body": {**nullable(STRING), "description": "The exact body sent."},
    }
)
DELIVERY_LIST = obj({"deliveries": array(ref("WebhookDelivery")), "next_before_id": nullable(INT64)})
LOGGED_ATTEMPT = obj(
    {
        "id": INT64,
        "delivery_id": INT64,
        "event": STRING,
        "account_id": STRING,
        "client_id": STRING,
        "delivery_state": {"type": "string", "enum": DELIVERY_STATES},
        **_ATTEMPT_FIELDS,
    }
)
ATTEMPT_LIST = obj(
    {"attempts": array(ref("LoggedWebhookAttempt")), "last_id": {**INT64, "description": "Follow from here."}}
)

PARTICIPANT = obj(
    {
        "meeting_id": INT64,
        "meeting_uuid": STRING,
        "user_id": {**STRING, "description": "The participantId of the other participant operations."},
        "participant_uuid": STRING,
        "name": STRING,
        "email": STRING,
        "status": {"type": "string", "enum": ["in_meeting", "in_waiting_room"]},
        "join_time": TIME,
    },
    {"registrant_id": STRING},
)

OPENAPI_DOCUMENT = obj(
    {"openapi": STRING, "info": {"type": "object"}, "paths": {"type": "object"}},
    additionalProperties=True,
)

SCHEMAS: dict[str, Schema] = {
    "Error": ERROR,
    "FieldError": FIELD_ERROR,
    "Clock": CLOCK,
    "ClockChange": CLOCK_CHANGE,
    "ClockAdvance": CLOCK_ADVANCE,
    "State": STATE,
    "StateImport": STATE_IMPORT,
    "SeedResult": SEED_RESULT,
    "SeededAccount": SEEDED_ACCOUNT,
    "SeededApp": SEEDED_APP,
    "SeededMeeting": SEEDED_MEETING,
    "FaultRule": FAULT_RULE,
    "FaultList": FAULT_LIST,
    "JournalEntry": JOURNAL_ENTRY,
    "JournalList": JOURNAL_LIST,
    "VerificationResult": VERIFICATION_RESULT,
    "WebhookDelivery": DELIVERY,
    "WebhookDeliveryDetail": DELIVERY_DETAIL,
    "WebhookDeliveryList": DELIVERY_LIST,
    "WebhookAttempt": ATTEMPT,
    "LoggedWebhookAttempt": LOGGED_ATTEMPT,
    "WebhookAttemptList": ATTEMPT_LIST,
    "Participant": PARTICIPANT,
    "OpenApiDocument": OPENAPI_DOCUMENT,
}


# --- responses, parameters ------------------------------------------------------------------------------


def answer(description: str, schema: Schema | None = None) -> Schema:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def shared(name: str) -> Schema:
    return {"$ref": f"#/components/responses/{name}"}


RESPONSES: dict[str, Schema] = {
    "ValidationFailed": answer("Zoom's validation error (code 300), or a malformed JSON body.", ref("Error")),
    "Unauthorized": answer(
        "The admin token is missing or wrong (only while MOOT_ADMIN_TOKEN is set): code 124.", ref("Error")
    ),
    "NotFound": answer("No such resource: code 404 (or Zoom's 3001 for a meeting).", ref("Error")),
    "TooLarge": answer("The request body is larger than moot reads: code 413.", ref("Error")),
}


def path_parameter(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def query_parameter(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


FAULT_ID = path_parameter("faultId", INTEGER, "The id of the rule, as answered when it was added.")
DELIVERY_ID = path_parameter("deliveryId", INT64, "The id of the delivery.")
MEETING_ID = path_parameter("meetingId", INT64, "The meeting's number (any account's).")
PARTICIPANT_ID = path_parameter("participantId", STRING, "The user_id answered when they joined.")

DELIVERY_QUERY = [
    query_parameter("state", {"type": "string", "enum": DELIVERY_STATES}, "Only deliveries in this state."),
    query_parameter("event", STRING, "Only this event, e.g. meeting.created."),
    query_parameter("client_id", STRING, "Only deliveries to this app."),
    query_parameter("account_id", STRING, "Only events of this account."),
    query_parameter("limit", {**INTEGER, "minimum": 1, "maximum": 300, "default": 100}, "Page size."),
    query_parameter("before_id", {**INT64, "minimum": 1}, "The next_before_id of the previous page."),
]
ATTEMPT_QUERY = [
    query_parameter(
        "after_id",
        {**INT64, "minimum": 0},
        "Attempts after this id, oldest first; without it, none, and the last_id to follow from.",
    ),
    query_parameter("limit", {**INTEGER, "minimum": 1, "maximum": 300, "default": 100}, "At most this many."),
]
