"""Zoom's spec as schemathesis sees it: the operations moot implements, with the spec's defects corrected
the way ``tests.support.spec`` corrects them, and the checks a response must pass."""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from typing import Any

import httpx
import schemathesis
from schemathesis import Case
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from moot.api.app import routes
from tests.fuzz.stateful import linked_operation_ids, with_links
from tests.support.spec import _without_spec_defects, spec

# Statuses an operation may answer although Zoom's spec does not list them for it: Zoom's ordinary error
# statuses, which the spec documents for some operations and forgets for others (GET /users lists only 200,
# GET .../invitation and DELETE .../registrants/{registrantId} no 404). They are reported, not failed; the
# ones seen are listed in docs/compatibility.md ("Spec defects").
PLAUSIBLE_UNDOCUMENTED = frozenset({400, 404, 409, 429})

CHECKS: list[CheckFunction] = [not_a_server_error, content_type_conformance, response_schema_conformance]


def implemented_operation_ids() -> list[str]:
    """Zoom's operationIds that name one of moot's routes (moot names its routes after them)."""
    names = {getattr(route, "name", None) for route in routes()}
    in_spec = {
        operation["operationId"]
        for methods in spec()["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    return sorted(in_spec & names)


def implemented_schema(*, links: bool = False) -> OpenApiSchema:
    """Zoom's spec, corrected, limited to the operations moot implements; with ``links``, to those of
    ``tests.fuzz.stateful``'s links, which it adds, for the state machine."""
    corrected = _without_spec_defects(copy.deepcopy(spec()))
    operations = implemented_operation_ids()
    if links:
        corrected = with_links(corrected)
        operations = sorted(linked_operation_ids() & set(operations))
    return schemathesis.openapi.from_dict(corrected).include(operation_id=operations)


class UndocumentedStatus(UserWarning):
    """An operation answered a plausible status that Zoom's spec does not list for it."""


class StatusReport:
    """Documented statuses pass; plausible undocumented ones are counted and warned about once each;
    anything else fails."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, int]] = Counter()
        self.undocumented: Counter[tuple[str, int]] = Counter()

    def check(self, case: Case, response: httpx.Response) -> None:
        operation = case.operation
        key = (operation.label, response.status_code)
        self.seen[key] += 1
        documented = set(operation.definition.raw["responses"])
        if str(response.status_code) in documented or "default" in documented:
            return
        assert response.status_code in PLAUSIBLE_UNDOCUMENTED, (
            f"{operation.label} answered {response.status_code}, which its spec does not document "
            f"({sorted(documented)}): {response.text[:500]}"
        )
        if key not in self.undocumented:
            warnings.warn(
                f"{operation.label} answered {response.status_code}, not documented by Zoom's spec "
                f"(documented: {sorted(documented)}); e.g. {response.text[:200]}",
                UndocumentedStatus,
                stacklevel=2,
            )
        self.undocumented[key] += 1

    def summary(self) -> dict[str, Any]:
        """Cases per operation and status, and the undocumented statuses among them."""
        per_operation: dict[str, dict[str, int]] = {}
        for (label, status), count in sorted(self.seen.items()):
            per_operation.setdefault(label, {})[str(status)] = count
        return {
            "cases": sum(self.seen.values()),
            "operations": len(per_operation),
            "statuses": per_operation,
            "undocumented": {
                f"{label} {status}": n for (label, status), n in sorted(self.undocumented.items())
            },
        }


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis' requests-style request arguments, for httpx."""
    out = {k: kwargs[k] for k in ("method", "url", "headers", "params", "cookies") if kwargs.get(k)}
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        out["content"] = data.encode() if isinstance(data, str) else data
    return out
