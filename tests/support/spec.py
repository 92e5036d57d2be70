"""Validate response bodies against the response schema of the same operation in Zoom's OpenAPI spec.

Additional properties are allowed (the spec does not forbid them); everything the spec types is checked.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

SPEC_PATH = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "zoom"
    / "spec"
    / "prokalp_2023-10"
    / "ZoomMeetingAPISpec.json"
)


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _path_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in spec()["paths"]:
        regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        patterns.append((re.compile(regex), template))
    # Literal segments win over parameters (/users/me before /users/{userId} is not an issue, but
    # /meetings/{meetingId}/status must not match /meetings/{meetingId}).
    patterns.sort(key=lambda p: p[1].count("{"))
    return patterns


def operation_template(path: str) -> str | None:
    path = path.removeprefix("/v2").rstrip("/") or "/"
    for regex, template in _path_patterns():
        if regex.match(path):
            return template
    return None


def response_schema(template: str, method: str, status: int) -> dict[str, Any] | None:
    operation = spec()["paths"][template].get(method.lower())
    if operation is None:
        return None
    response = operation["responses"].get(str(status))
    if response is None:
        raise AssertionError(f"{method} {template} does not document status {status}")
    content = response.get("content", {}).get("application/json")
    return content["schema"] if content else None


# Where the spec contradicts itself, the schema is corrected here and the choice recorded in
# docs/compatibility.md ("Spec defects").
def _without_spec_defects(schema: Any) -> Any:
    if isinstance(schema, dict):
        fixed = {k: _without_spec_defects(v) for k, v in schema.items()}
        weekly_days = fixed.get("properties", {}).get("weekly_days")
        if isinstance(weekly_days, dict):
            # The enum lists single days while the description asks for "1,3" for several days.
            weekly_days.pop("enum", None)
        employees = fixed.get("properties", {}).get("no_of_employees")
        if isinstance(employees, dict) and "enum" in employees:
            # The request enum has "101-500" and "500-1,000", which the response enum lacks.
            employees["enum"] = [
                *employees["enum"],
                *(v for v in ("101-500", "500-1,000") if v not in employees["enum"]),
            ]
        return fixed
    if isinstance(schema, list):
        return [_without_spec_defects(item) for item in schema]
    return schema


@lru_cache(maxsize=256)
def _validator(path: str, method: str, status: int) -> OAS30Validator | None:
    schema = response_schema(path, method, status)
    return None if schema is None else OAS30Validator(_without_spec_defects(schema))


def validate_response(path: str, method: str, status: int, body: Any) -> None:
    """Raise if ``body`` does not match the spec's schema for this operation and status."""
    template = operation_template(path)
    validator = _validator(template or path, method.lower(), status) if template else None
    if validator is not None:
        validator.validate(body)
