"""``moot meetings import`` (CSV, one create per row) and ``moot meetings export`` (CSV or JSON).

Progress bars go to stderr (only on a terminal), so stdout carries nothing but the data or the report.
A create is never repeated blindly: Zoom has no idempotency key, so a row whose answer was lost, or that
met a server error, is reported as possibly created. Only a 429 with a short ``Retry-After`` (nothing was
created) is waited for and tried again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import httpx
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from moot.client import (
    AuthError,
    Client,
    MeetingCreate,
    NotFound,
    RateLimited,
    ServerError,
    UserNotFound,
    ZoomAPIError,
)
from moot.commands.common import (
    EXIT_ERROR,
    EXIT_VALIDATION,
    BaseUrlOpt,
    JsonOpt,
    ProfileOpt,
    client,
    console,
    err,
    exit_code,
    print_json,
)

IMPORT_COLUMNS = ("topic", "start_time", "duration", "timezone", "agenda", "type", "password")
READ_ONLY_COLUMNS = frozenset(
    {"id", "uuid", "host_id", "host_email", "join_url", "created_at", "status", "pmi"}
)
"""Columns an export writes that a create cannot take: ignored on import, so an export imports again."""
WHOLE_NUMBERS = frozenset({"duration", "type"})
TEXT = frozenset({"topic", "agenda"})  # kept as written; other cells are stripped
MAX_RATE_LIMIT_WAIT = 60.0
MAX_RATE_LIMIT_RETRIES = 3
EXIT_INTERRUPTED = 130

UserOpt = Annotated[str, typer.Option("--user", help="Host: 'me', a user id or an email.")]
ListTypeOpt = Annotated[
    str, typer.Option("--type", help="scheduled, live, upcoming, upcoming_meetings, previous_meetings.")
]


class CsvProblem(Exception):
    """The file as a whole cannot be imported (nothing is created)."""


@dataclass(frozen=True)
class Row:
    """A data row: its first line in the file, and the create body or what is wrong with it."""

    line: int
    body: dict[str, Any]
    problem: str = ""


def _columns(header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in IMPORT_COLUMNS and name not in READ_ONLY_COLUMNS]
    if unknown:
        raise CsvProblem(
            f"unknown column(s) {', '.join(map(repr, unknown))}; known: {', '.join(IMPORT_COLUMNS)}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CsvProblem(f"repeated column(s): {', '.join(repeated)}")
    if not any(name in IMPORT_COLUMNS for name in names):
        raise CsvProblem(f"the header names none of the columns {', '.join(IMPORT_COLUMNS)}")
    return names


def _row(line: int, names: list[str], cells: list[str]) -> Row:
    extra = [cell for cell in cells[len(names) :] if cell.strip()]
    if extra:
        return Row(line, {}, f"{len(cells)} cells for {len(names)} columns")
    body: dict[str, Any] = {}
    for name, cell in zip(names, cells, strict=False):
        value = cell if name in TEXT else cell.strip()
        if name in READ_ONLY_COLUMNS or not value.strip():
            continue
        if name in WHOLE_NUMBERS:
            try:
                body[name] = int(value)
            except ValueError:
                return Row(line, {}, f"{name}: {value!r} is not a whole number")
        else:
            body[name] = value
    return Row(line, body)


def read_rows(lines: Iterable[str]) -> list[Row]:
    """The data rows of a CSV file with a header (blank rows skipped)."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            raise CsvProblem("the file is empty")
        names = _columns(header)
        rows: list[Row] = []
        first_line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(_row(first_line, names, cells))
            first_line = reader.line_num + 1
    except csv.Error as error:
        raise CsvProblem(f"line {reader.line_num}: {error}") from None
    return rows


@dataclass
class Outcome:
    created: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    not_attempted: list[int] = field(default_factory=list)
    exit_codes: set[int] = field(default_factory=set)
    interrupted: bool = False

    def fail(self, line: int, message: str, code: int, error: ZoomAPIError | None = None) -> None:
        self.failed.append(
            {
                "line": line,
                "status_code": error.status_code if error else None,
                "code": error.code if error else None,
                "message": message,
                "errors": list(error.errors) if error else [],
            }
        )
        self.exit_codes.add(code)

    def summary(self, rows: int) -> dict[str, int]:
        return {
            "rows": rows,
            "created": len(self.created),
            "failed": len(self.failed),
            "not_attempted": len(self.not_attempted),
        }

    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if not self.exit_codes:
            return 0
        return next(iter(self.exit_codes)) if len(self.exit_codes) == 1 else EXIT_ERROR


MAYBE_CREATED = "the meeting may have been created: check before importing this row again"


def _create(zoom: Client, user: str, row: Row, outcome: Outcome, sleep: Callable[[float], None]) -> bool:
    """Create one row's meeting; ``False`` when the rows after it cannot succeed either."""
    for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
        try:
            meeting = zoom.meetings.create(user, **cast(MeetingCreate, row.body))
        except RateLimited as error:
            wait = error.retry_after
            if wait is not None and wait <= MAX_RATE_LIMIT_WAIT and attempt < MAX_RATE_LIMIT_RETRIES:
                sleep(wait)  # a 429 created nothing: trying again is safe
                continue
            outcome.fail(row.line, error.message, exit_code(error), error)
            return False
        except ServerError as error:
            outcome.fail(row.line, f"{error.message} ({MAYBE_CREATED})", exit_code(error), error)
            return True
        except ZoomAPIError as error:
            outcome.fail(row.line, error.message, exit_code(error), error)
            return not isinstance(error, AuthError | UserNotFound)
        except httpx.TransportError as error:
            outcome.fail(row.line, f"no answer ({error!r}): {MAYBE_CREATED}", EXIT_ERROR)
            return False
        outcome.created.append(
            {
                "line": row.line,
                "id": meeting.get("id"),
                "topic": meeting.get("topic"),
                "start_time": meeting.get("start_time"),
                "join_url": meeting.get("join_url"),
            }
        )
        return True
    raise AssertionError("unreachable")


def import_rows(
    zoom: Client,
    user: str,
    rows: list[Row],
    advance: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Create a meeting per row, in order. Rows after one that stops the import (authentication, unknown
    user, a long rate limit, no answer, Ctrl-C) are not attempted."""
    outcome = Outcome()
    for index, row in enumerate(rows):
        going_on = True
        try:
            if row.problem:
                outcome.fail(row.line, row.problem, EXIT_VALIDATION)
            else:
                going_on = _create(zoom, user, row, outcome, sleep)
        except KeyboardInterrupt:
            outcome.fail(row.line, f"interrupted: {MAYBE_CREATED}", EXIT_ERROR)
            outcome.interrupted, going_on = True, False
        advance()
        if not going_on:
            outcome.not_attempted = [later.line for later in rows[index + 1 :]]
            break
    return outcome


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr when it is a terminal; yields ``advance(steps=1, total=None)``."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(steps: float = 1, total: float | None = None) -> None:
            if total is not None:
                bar.update(task, total=total)
            bar.advance(task, steps)

        yield advance


def _error_text(failure: dict[str, Any]) -> str:
    code = f"{failure['status_code']}/{failure['code']} " if failure["status_code"] else ""
    fields = "; ".join(f"{e['field']}: {e['message']}" for e in failure["errors"])
    return f"{code}{failure['message']}" + (f" ({fields})" if fields else "")


def _report(path: Path, rows: list[Row], outcome: Outcome) -> None:
    results: list[tuple[int, str, str, str]] = []
    for done in outcome.created:
        results.append((done["line"], "[green]created[/green]", str(done["id"]), escape(str(done["topic"]))))
    for failure in outcome.failed:
        results.append((failure["line"], "[red]failed[/red]", "", escape(_error_text(failure))))
    for line in outcome.not_attempted:
        results.append((line, "[yellow]not attempted[/yellow]", "", ""))
    table = Table(
        "line", "result", "meeting", "topic / error", title=f"Import of {path}", title_justify="left"
    )
    for line, result, meeting, text in sorted(results):
        table.add_row(str(line), result, meeting, text)
    console().print(table)
    summary = outcome.summary(len(rows))
    console().print(
        f"{summary['created']} created, {summary['failed']} failed, {summary['not_attempted']} not attempted "
        f"({summary['rows']} row(s))." + (" Interrupted." if outcome.interrupted else "")
    )


def import_meetings(
    path: Annotated[Path, typer.Argument(help="CSV file with a header: " + ", ".join(IMPORT_COLUMNS) + ".")],
    user: UserOpt = "me",
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a meeting per CSV row (POST /users/{userId}/meetings), then report every row.

    Columns (any subset, any order): topic, start_time (ISO 8601; without a zone, local in the row's
    timezone), duration, timezone, agenda, type, password. Empty cells are left out. An export's id,
    join_url, ... columns are ignored. Exits non-zero if any row failed.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            rows = read_rows(file)
    except (OSError, UnicodeDecodeError, CsvProblem) as error:
        err.print(f"[red]Cannot import {escape(str(path))}:[/red] {escape(str(error))}")
        raise typer.Exit(EXIT_VALIDATION) from None
    with client(profile, base_url) as zoom, progress_bar("Importing", len(rows)) as advance:
        outcome = import_rows(zoom, user, rows, advance)
    if as_json:
        print_json(
            {
                "file": str(path),
                "user": user,
                "created": outcome.created,
                "failed": outcome.failed,
                "not_attempted": outcome.not_attempted,
                "summary": outcome.summary(len(rows)),
            }
        )
    else:
        _report(path, rows, outcome)
    if outcome.exit_code():
        raise typer.Exit(outcome.exit_code())


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


def export_columns(details: bool) -> list[str]:
    """The CSV columns: the id, what an import takes (``password`` only with ``--details``: lists do not
    carry it), then the join link and creation time."""
    taken = [c for c in IMPORT_COLUMNS if details or c != "password"]
    return ["id", *taken, "join_url", "created_at"]


def _csv(records: list[dict[str, Any]], details: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, export_columns(details), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _collect(zoom: Client, user: str, list_type: str, page_size: int, details: bool) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    pager = zoom.meetings.list(user, type=list_type, page_size=page_size)  # type: ignore[arg-type]
    with progress_bar("Exporting", None) as advance:
        for page in pager.pages():
            items = page.get("meetings") or []
            if not details:
                records += items
                advance(total=pager.page_count)
                continue
            if pager.total_records is not None:
                advance(0, total=pager.total_records)
            for item in items:
                with contextlib.suppress(NotFound):  # deleted since it was listed
                    records.append(dict(zoom.meetings.get(item["id"])))
                advance()
    return records


def export_meetings(
    user: UserOpt = "me",
    list_type: ListTypeOpt = "scheduled",
    output_format: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.CSV,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", help="GET each meeting too: adds password, the whole agenda and (json) settings."
        ),
    ] = False,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=300, help="Meetings per page.")] = 300,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Write a user's meetings as CSV (importable again) or JSON (GET /users/{userId}/meetings, every
    page)."""
    with client(profile, base_url) as zoom:
        records = _collect(zoom, user, list_type, page_size, details)
    text = (
        _csv(records, details)
        if output_format is Format.CSV
        else json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    )
    if output is None:
        typer.echo(text, nl=False)
        err.print(f"Exported {len(records)} meeting(s).", soft_wrap=True)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        err.print(f"[red]Cannot write {escape(str(output))}:[/red] {escape(str(error))}")
        raise typer.Exit(EXIT_ERROR) from None
    err.print(f"Exported {len(records)} meeting(s) to {escape(str(output))}.", soft_wrap=True)
