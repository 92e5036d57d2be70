"""``moot meetings import`` and ``moot meetings export``: CSV rows in, a report out; every page out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from moot.cli import app
from moot.commands.meetings_io import IMPORT_COLUMNS, CsvProblem, Row, import_rows, read_rows
from tests.client.conftest import run_json
from tests.client.fake import FakeZoom, body, s2s_client

CSV_FILE = '''\
topic,start_time,duration,timezone,agenda,type,password
Planning,2030-06-09T17:00:00Z,30,Europe/Berlin,"Roadmap, budget; ""Q3""",2,abc123
Retro,2030-06-10T09:30:00Z,45,America/New_York,"Two
lines",2,
Bad passcode,2030-06-11T10:00:00Z,30,UTC,,2,bad pass!
Bad duration,2030-06-12T10:00:00Z,soon,UTC,,2,
Ünïcode ☕,2030-06-13T08:00:00Z,60,Asia/Tokyo,,2,xyz-9
'''
GOOD_LINES = [2, 3, 7]


def imported_rows() -> list[dict[str, str]]:
    """The good rows as written in the file."""
    rows = list(csv.DictReader(io.StringIO(CSV_FILE)))
    return [rows[0], rows[1], rows[4]]


def same_on_imported_fields(exported: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Every cell the file gave (non-empty) comes back equal; ``type`` and ``duration`` as numbers."""
    assert len(exported) == len(imported_rows())
    for source, meeting in zip(imported_rows(), exported, strict=True):
        given = {k: v for k, v in source.items() if v and k in columns}
        assert {k: str(meeting.get(k, "")) for k in given} == given


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "meetings.csv"
    path.write_text(CSV_FILE, encoding="utf-8")
    return path


@pytest.mark.live
def test_import_reports_bad_rows_then_export_round_trips(
    logged_in: CliRunner, host: str, csv_path: Path, tmp_path: Path
) -> None:
    result = logged_in.invoke(app, ["meetings", "import", str(csv_path), "--user", host, "--json"])
    assert result.exit_code == 4, result.output  # every failure is a validation failure
    report = json.loads(result.stdout)
    created = report["created"]
    assert [(c["line"], c["topic"], c["start_time"]) for c in created] == [
        (2, "Planning", "2030-06-09T17:00:00Z"),
        (3, "Retro", "2030-06-10T09:30:00Z"),
        (7, "Ünïcode ☕", "2030-06-13T08:00:00Z"),
    ]
    assert all(isinstance(c["id"], int) and c["join_url"].startswith("http") for c in created)
    assert report["failed"] == [
        {
            "line": 5,
            "status_code": 400,
            "code": 300,
            "message": "Validation Failed.",
            "errors": report["failed"][0]["errors"],
        },
        {
            "line": 6,
            "status_code": None,
            "code": None,
            "message": "duration: 'soon' is not a whole number",
            "errors": [],
        },
    ]
    assert [e["field"] for e in report["failed"][0]["errors"]] == ["password"]
    assert report["not_attempted"] == []
    assert report["summary"] == {"rows": 5, "created": 3, "failed": 2, "not_attempted": 0}
    assert (report["file"], report["user"]) == (str(csv_path), host)

    # CSV with --details (password and whole agenda), to a file: what was imported comes back.
    out = tmp_path / "out.csv"
    exported = logged_in.invoke(
        app, ["meetings", "export", "--user", host, "--details", "--output", str(out), "--page-size", "2"]
    )
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == ""
    assert exported.stderr == f"Exported 3 meeting(s) to {out}.\n"
    with out.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["id", *IMPORT_COLUMNS, "join_url", "created_at"]
    assert [int(r["id"]) for r in rows] == [c["id"] for c in created]
    same_on_imported_fields(rows, IMPORT_COLUMNS)
    assert rows[1]["password"]  # the server chose a passcode where the file gave none

    # JSON to stdout, list items only (no password): stdout is nothing but the data.
    listed = logged_in.invoke(
        app, ["meetings", "export", "--user", host, "--format", "json", "--page-size", "1"]
    )
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.stdout)
    same_on_imported_fields(items, tuple(c for c in IMPORT_COLUMNS if c != "password"))
    assert all("password" not in item for item in items)

    # The export imports again (its id, join_url and created_at columns are ignored): copies.
    again = logged_in.invoke(app, ["meetings", "import", str(out), "--user", host])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "3 created, 0 failed, 0 not attempted (3 row(s))."
    assert len(run_json(logged_in, "meetings", "list", "--user", host)) == 6


@pytest.mark.live
def test_human_import_report(logged_in: CliRunner, host: str, csv_path: Path) -> None:
    result = logged_in.invoke(app, ["meetings", "import", str(csv_path), "--user", host])
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    assert lines[-1] == "3 created, 2 failed, 0 not attempted (5 row(s))."
    text = "\n".join(lines)
    assert "Validation Failed. (password:" in text and "duration: 'soon' is not a whole number" in text


@pytest.mark.live
def test_import_for_an_unknown_user_stops_at_the_first_row(logged_in: CliRunner, csv_path: Path) -> None:
    result = logged_in.invoke(app, ["meetings", "import", str(csv_path), "--user", "nobody@x.test", "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [f["line"] for f in report["failed"]] == [2]
    assert report["failed"][0]["code"] == 1001
    assert report["not_attempted"] == [3, 5, 6, 7]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("topic,start,duration\nx,y,1\n", "unknown column(s) 'start'; known: " + ", ".join(IMPORT_COLUMNS)),
        ("topic,Topic\nx,y\n", "repeated column(s): topic"),
        ("id,join_url\n1,x\n", "the header names none of the columns " + ", ".join(IMPORT_COLUMNS)),
    ],
)
def test_files_that_cannot_be_imported_create_nothing(
    text: str, problem: str, tmp_path: Path, runner: CliRunner
) -> None:
    with pytest.raises(CsvProblem) as raised:
        read_rows(io.StringIO(text))
    assert str(raised.value) == problem
    path = tmp_path / "bad.csv"
    path.write_text(text)
    result = runner.invoke(app, ["meetings", "import", str(path)])
    assert result.exit_code == 4
    assert " ".join(result.stderr.split()).startswith(f"Cannot import {path}:")


def test_rows_are_read_leniently() -> None:
    text = "\ufeff Topic ,TYPE,duration,id,agenda\n  x  , 2 ,,99, a \n,,,,\nonly,1,2,3,4,5\ny,two,,,\n"
    rows = read_rows(io.StringIO(text.removeprefix("\ufeff")))
    assert rows == [
        Row(2, {"topic": "  x  ", "type": 2, "agenda": " a "}),
        Row(4, {}, "6 cells for 5 columns"),
        Row(5, {}, "type: 'two' is not a whole number"),
    ]


def created(n: int) -> httpx.Response:
    return httpx.Response(201, json={"id": n, "topic": f"t{n}", "join_url": f"https://j/{n}"})


def test_a_short_rate_limit_is_waited_for_and_the_row_tried_again() -> None:
    limited = httpx.Response(429, headers={"Retry-After": "2"}, json={"code": 429, "message": "Too many."})
    fake = FakeZoom(answers=[limited, created(1), created(2)])
    sleeps: list[float] = []
    rows = [Row(2, {"topic": "a"}), Row(3, {"topic": "b"})]
    outcome = import_rows(s2s_client(fake), "me", rows, sleep=sleeps.append)
    assert [c["id"] for c in outcome.created] == [1, 2]
    assert (outcome.failed, sleeps, outcome.exit_code()) == ([], [2.0], 0)
    assert [body(r) for r in fake.requests] == [{"topic": "a"}, {"topic": "a"}, {"topic": "b"}]


def test_a_daily_limit_stops_the_import() -> None:
    daily = httpx.Response(
        429, headers={"Retry-After": "2100-01-01T00:00:00Z"}, json={"code": 429, "message": "Daily limit."}
    )
    fake = FakeZoom(answers=[created(1), daily])
    rows = [Row(2, {"topic": "a"}), Row(3, {"topic": "b"}), Row(4, {"topic": "c"})]
    outcome = import_rows(s2s_client(fake), "me", rows, sleep=lambda _: None)
    assert [c["line"] for c in outcome.created] == [2]
    assert [(f["line"], f["status_code"], f["message"]) for f in outcome.failed] == [(3, 429, "Daily limit.")]
    assert (outcome.not_attempted, outcome.exit_code()) == ([4], 5)


def test_a_lost_answer_or_a_server_error_is_never_retried() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    server_error = httpx.Response(500, json={"code": 500, "message": "Internal error."})
    fake = FakeZoom(answers=[server_error, timeout])
    rows = [Row(2, {"topic": "a"}), Row(3, {"topic": "b"}), Row(4, {"topic": "c"})]
    outcome = import_rows(s2s_client(fake), "me", rows)
    maybe = "the meeting may have been created: check before importing this row again"
    assert [(f["line"], f["message"]) for f in outcome.failed] == [
        (2, f"Internal error. ({maybe})"),
        (3, f"no answer (ReadTimeout('no answer')): {maybe}"),
    ]
    assert (len(fake.requests), outcome.not_attempted, outcome.exit_code()) == (2, [4], 1)
