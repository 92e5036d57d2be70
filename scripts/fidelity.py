"""Fidelity report: which of the operations in Zoom's meeting API document moot implements.

From the operations of Zoom's OpenAPI document and moot's route table (``moot.api.app.routes()``, matched by
method and path, with ``{parameter}`` names ignored) this writes

- the section of ``docs/compatibility.md`` between the fidelity markers: a summary line, then a table per
  tag of every operation, implemented, partial or not yet;
- ``src/moot/api/unimplemented_operations.py``: the operations moot lacks, from which the server answers
  a Zoom-style 404 naming the operation (without reading the spec at start-up).

    python -m scripts.fidelity            regenerate both (``make fidelity``)
    python -m scripts.fidelity --check    exit 1 when either is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Match, Route

from moot.api.app import routes as moot_route_table
from moot.api.unimplemented import ShadowedOperations

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT.parent / "shared" / "zoom" / "spec" / "prokalp_2023-10" / "ZoomMeetingAPISpec.json"
DOC_PATH = ROOT / "docs" / "compatibility.md"
DATA_PATH = ROOT / "src" / "moot" / "api" / "unimplemented_operations.py"
START = "<!-- fidelity:start -->"
END = "<!-- fidelity:end -->"
API_PREFIX = "/v2"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Implemented operations that lack something a Zoom client could notice: operationId -> what is missing.
# Kept by hand, from the code and the choices in docs/compatibility.md.
PARTIAL = {
    "meetingCreate": "`template_id` and `default_password` are accepted and ignored",
    "meetingUpdate": "`template_id` is accepted and ignored",
    "meetingDelete": "`schedule_for_reminder` and `cancel_meeting_reminder` are ignored (moot sends no mail)",
    "user": "`login_type`, `encrypted_email` and `search_by_unique_id` are ignored",
    "users": "`role_id`, `license` and `include_fields` are ignored (no `custom_attributes`, `host_key`)",
    "pastMeetingDetails": "`dept` and `source` are not sent",
}

# Where an implemented operation's behaviour is described.
NOTES = {
    "meetingStatus": "`end` ends the instance in progress",
    "meetingInvitation": "[invitations.md](invitations.md)",
    "meetingRegistrantCreate": "[registrants.md](registrants.md)",
    "meetingRegistrants": "[registrants.md](registrants.md)",
    "meetingRegistrantGet": "[registrants.md](registrants.md)",
    "meetingregistrantdelete": "[registrants.md](registrants.md)",
    "meetingRegistrantStatus": "[registrants.md](registrants.md)",
    "pastMeetings": "[below](#past-meetings-and-the-meeting-lifecycle)",
    "pastMeetingParticipants": "[below](#past-meetings-and-the-meeting-lifecycle)",
    "meetingIcs": "an iCalendar file of the meeting or series ([invitations.md](invitations.md))",
}


class Status(StrEnum):
    IMPLEMENTED = "implemented"
    PARTIAL = "partial"
    NOT_YET = "not yet"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in Zoom's spec, without the /v2 prefix
    operation_id: str
    summary: str
    tag: str


@dataclass(frozen=True)
class MootRoute:
    method: str
    path: str  # as mounted, with the /v2 prefix
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return self.method, _shape(self.path.removeprefix(API_PREFIX))


def _shape(path: str) -> str:
    """The path with every ``{parameter}`` (and ``{name:convertor}``) written ``{}``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    return [
        Operation(
            method=method.upper(),
            path=path,
            operation_id=operation["operationId"],
            summary=" ".join(operation.get("summary", "").split()),
            tag=(operation.get("tags") or ["Other"])[0],
        )
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def moot_routes(routes: Iterable[BaseRoute]) -> list[MootRoute]:
    """moot's routes of Zoom's API (under /v2), one per method."""
    return [
        MootRoute(method, route.path, route.name)
        for route in routes
        if isinstance(route, Route) and route.path.startswith(API_PREFIX + "/")
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


@dataclass(frozen=True)
class Report:
    operations: list[Operation]
    served: dict[Operation, MootRoute]  # the first route of moot's serving each implemented operation
    extras: list[MootRoute]  # moot's own routes under /v2, which no Zoom operation has
    shadowed: list[Operation]  # not implemented, but a route of moot's would match their paths

    def status(self, operation: Operation) -> Status:
        if operation not in self.served:
            return Status.NOT_YET
        return Status.PARTIAL if operation.operation_id in PARTIAL else Status.IMPLEMENTED

    def count(self, *statuses: Status, tag: str | None = None) -> int:
        """How many operations (of ``tag``) have one of ``statuses`` (any status when none is given)."""
        return sum(
            1
            for operation in self.operations
            if (not statuses or self.status(operation) in statuses) and (tag is None or operation.tag == tag)
        )


def build_report(spec: dict[str, Any], routes: Sequence[BaseRoute]) -> Report:
    operations = spec_operations(spec)
    mine = moot_routes(routes)
    by_shape: dict[tuple[str, str], MootRoute] = {}
    for route in mine:
        by_shape.setdefault(route.key, route)
    served = {
        operation: by_shape[(operation.method, _shape(operation.path))]
        for operation in operations
        if (operation.method, _shape(operation.path)) in by_shape
    }
    zoom_shapes = {(operation.method, _shape(operation.path)) for operation in operations}
    extras = [route for route in mine if route.key not in zoom_shapes]
    missing = [operation for operation in operations if operation not in served]
    shadowed = [operation for operation in missing if _matched_by(routes, operation)]
    report = Report(operations, served, extras, shadowed)
    ids = {operation.operation_id for operation in served} | {route.name for route in extras}
    stale = sorted((PARTIAL.keys() | NOTES.keys()) - ids)
    if stale:
        raise SystemExit(f"fidelity.py: PARTIAL or NOTES name operations that moot does not serve: {stale}")
    return report


def _matched_by(routes: Sequence[BaseRoute], operation: Operation) -> bool:
    sample = API_PREFIX + re.sub(r"\{[^}]*\}", "1", operation.path)
    scope = {"type": "http", "path": sample, "root_path": "", "method": operation.method}
    return any(
        route.matches(scope)[0] is Match.FULL for route in routes if not isinstance(route, ShadowedOperations)
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _status_cell(report: Report, operation: Operation) -> str:
    status = report.status(operation)
    if status is Status.PARTIAL:
        return f"partial: {PARTIAL[operation.operation_id]}"
    note = NOTES.get(operation.operation_id)
    return f"{status} ({note})" if status is Status.IMPLEMENTED and note else str(status)


def render_section(report: Report) -> str:
    total = len(report.operations)
    implemented = report.count(Status.IMPLEMENTED, Status.PARTIAL)
    partial = report.count(Status.PARTIAL)
    lines = [
        START,
        "<!-- Generated by `make fidelity` (scripts/fidelity.py) from Zoom's OpenAPI document and moot's",
        "     route table. Do not edit by hand: a test fails when this is out of date. -->",
        "",
        f"moot implements **{implemented} of the {total} operations** of Zoom's meeting API document "
        f"({partial} of them partially); the other {total - implemented} answer "
        "[a 404 naming the operation](#operations-moot-does-not-implement).",
        "",
        "| tag | implemented | partial | not yet |",
        "|---|---|---|---|",
    ]
    in_order = list(dict.fromkeys(operation.tag for operation in report.operations))
    # The tags where moot implements something first, then the document's order.
    tags = sorted(in_order, key=lambda tag: report.count(Status.NOT_YET, tag=tag) == report.count(tag=tag))
    for tag in tags:
        counts = (report.count(status, tag=tag) for status in Status)
        lines.append(f"| {tag} | " + " | ".join(str(count) for count in counts) + " |")
    for tag in tags:
        in_tag = [operation for operation in report.operations if operation.tag == tag]
        done = report.count(Status.IMPLEMENTED, Status.PARTIAL, tag=tag)
        lines += [
            "",
            f"#### {tag} ({done} of {len(in_tag)})",
            "",
            "| operation | summary | method and path | status |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {operation.operation_id} | {_cell(operation.summary)} | "
            f"`{operation.method} {API_PREFIX}{operation.path}` | {_status_cell(report, operation)} |"
            for operation in in_tag
        ]
    if report.extras:
        lines += [
            "",
            "#### moot's own, under /v2",
            "",
            "| route | method and path | what it does |",
            "|---|---|---|",
        ]
        lines += [
            f"| {route.name} | `{route.method} {route.path}` | {NOTES.get(route.name, '')} |"
            for route in report.extras
        ]
    lines.append(END)
    return "\n".join(lines)


def render_data(report: Report) -> str:
    missing = [operation for operation in report.operations if operation not in report.served]
    lines = [
        '"""The operations of Zoom\'s meeting API document that moot does not implement yet: generated by',
        "``make fidelity`` (scripts/fidelity.py) from the document and moot's route table. Do not edit.",
        '"""',
        "",
        "# method, path as in Zoom's document (without /v2), operationId",
        "UNIMPLEMENTED = (",
        *(f'    "{operation.method} {operation.path} {operation.operation_id}",' for operation in missing),
        ")",
        "",
        "# Those of them whose paths one of moot's routes would match (GET /users/summary, /users/{userId}):",
        "# method, path",
        "SHADOWED = (",
        *(f'    "{operation.method} {operation.path}",' for operation in report.shadowed),
        ")",
        "",
    ]
    return "\n".join(lines)


def with_section(doc: str, section: str) -> str:
    start, end = doc.find(START), doc.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{DOC_PATH}: the markers {START} and {END} are missing")
    return doc[:start] + section + doc[end + len(END) :]


def outputs(spec_path: Path = SPEC_PATH, doc_path: Path = DOC_PATH) -> dict[Path, str]:
    """What ``docs/compatibility.md`` and the data module should hold."""
    report = build_report(json.loads(spec_path.read_text()), moot_route_table())
    return {
        doc_path: with_section(doc_path.read_text(), render_section(report)),
        DATA_PATH: render_data(report),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is out of date")
    args = parser.parse_args(argv)
    expected = outputs()
    stale = {path: text for path, text in expected.items() if not path.exists() or path.read_text() != text}
    for path, text in stale.items():
        if args.check:
            print(f"out of date: {path.relative_to(ROOT)} (run `make fidelity`)", file=sys.stderr)
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
