"""``moot login``, ``moot meetings ...`` and ``moot users get|list`` against a live ``moot serve``."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moot.cli import app
from moot.commands.profiles import Profile, load, save
from tests.client.conftest import Live, run_json

pytestmark = pytest.mark.live


def test_login_saves_a_private_profile_and_never_prints_the_secret(
    runner: CliRunner, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", live.client_secret)
    args = ["login", "--profile", "local", "--base-url", live.base_url, "--account-id", live.account_id]
    result = runner.invoke(app, [*args, "--client-id", live.client_id, "--json"])
    assert result.exit_code == 0, result.output
    assert live.client_secret not in result.output
    assert json.loads(result.stdout)["user"] == "owner@sdk.moot.test"
    path = tmp_path / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text())
    assert data["current"] == "local"
    assert data["profiles"]["local"]["client_secret"] == live.client_secret


def test_login_prompts_for_the_secret_hidden(runner: CliRunner, live: Live) -> None:
    args = [
        "login",
        "--base-url",
        live.base_url,
        "--account-id",
        live.account_id,
        "--client-id",
        live.client_id,
    ]
    result = runner.invoke(app, args, input=f"{live.client_secret}\n")
    assert result.exit_code == 0, result.output
    assert live.client_secret not in result.output


def test_login_with_a_wrong_secret_exits_2(
    runner: CliRunner, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOOT_CLIENT_SECRET", "wrong")
    args = [
        "login",
        "--base-url",
        live.base_url,
        "--account-id",
        live.account_id,
        "--client-id",
        live.client_id,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Invalid client_id or client_secret" in result.output


def test_meeting_lifecycle_with_json(logged_in: CliRunner) -> None:
    created = run_json(
        logged_in, "meetings", "create", "--topic", "CLI planning", "--start", "2030-06-09T17:00:00Z",
        "--duration", "30", "--timezone", "Europe/Berlin",
    )  # fmt: skip
    mid = created["id"]
    assert isinstance(mid, int) and created["start_time"] == "2030-06-09T17:00:00Z"

    fetched = run_json(logged_in, "meetings", "get", str(mid))
    assert fetched["topic"] == "CLI planning"
    updated = run_json(
        logged_in, "meetings", "update", str(mid), "--topic", "CLI planning 2", "--duration", "45"
    )
    assert (updated["topic"], updated["duration"]) == ("CLI planning 2", 45)
    listed = run_json(logged_in, "meetings", "list")
    assert mid in [m["id"] for m in listed]
    assert run_json(logged_in, "meetings", "end", str(mid)) == {"id": mid, "status": "ended"}
    assert run_json(logged_in, "meetings", "delete", str(mid)) == {"id": mid, "status": "deleted"}

    missing = logged_in.invoke(app, ["meetings", "get", str(mid)])
    assert missing.exit_code == 3
    assert f"Meeting does not exist: {mid}." in missing.output
    assert run_json(logged_in, "meetings", "recover", str(mid))["status"] == "recovered"


def test_human_output_is_a_table_in_local_time(logged_in: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    args = [
        "meetings",
        "create",
        "--topic",
        "Readable",
        "--start",
        "2030-06-09T17:00:00Z",
        "--duration",
        "15",
    ]
    result = logged_in.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Meeting created" in result.output and "Readable" in result.output
    assert "2030-06-09 17:00" in result.output
    assert "zak=" not in result.output  # start_url carries the host's key: not shown to people
    listing = logged_in.invoke(app, ["meetings", "list"])
    assert listing.exit_code == 0 and "Readable" in listing.output


def test_validation_error_exits_4(logged_in: CliRunner) -> None:
    result = logged_in.invoke(app, ["meetings", "create", "--topic", "x" * 201])
    assert result.exit_code == 4
    assert "Validation Failed." in result.output and "topic" in result.output
    assert logged_in.invoke(app, ["meetings", "create", "--start", "tomorrow"]).exit_code == 4


def test_registrants(logged_in: CliRunner) -> None:
    meeting = run_json(
        logged_in, "meetings", "create", "--topic", "Register", "--start", "2030-06-09T17:00:00Z",
        "--approval-type", "1",
    )  # fmt: skip
    mid = str(meeting["id"])
    added = run_json(
        logged_in, "meetings", "registrants", "add", mid, "--email", "bo@x.test", "--first-name", "Bo"
    )
    rid = added["registrant_id"]
    pending = run_json(logged_in, "meetings", "registrants", "list", mid, "--status", "pending")
    assert [r["id"] for r in pending] == [rid]
    assert run_json(logged_in, "meetings", "registrants", "approve", mid, rid)["status"] == "approved"
    assert run_json(logged_in, "meetings", "registrants", "get", mid, rid)["status"] == "approved"
    human = logged_in.invoke(app, ["meetings", "registrants", "list", mid])
    assert human.exit_code == 0 and "bo@x.test" in human.output
    run_json(logged_in, "meetings", "registrants", "delete", mid, rid)
    assert logged_in.invoke(app, ["meetings", "registrants", "get", mid, rid]).exit_code == 3


def test_users(logged_in: CliRunner) -> None:
    me = run_json(logged_in, "users", "get")
    assert me["email"] == "owner@sdk.moot.test"
    assert me["id"] in [u["id"] for u in run_json(logged_in, "users", "list")]
    assert logged_in.invoke(app, ["users", "get", "nobody@x.test"]).exit_code == 3
    assert "owner@sdk.moot.test" in logged_in.invoke(app, ["users", "list"]).output


def test_credentials_from_the_environment(
    runner: CliRunner, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOOT_ACCOUNT_ID", live.account_id)
    monkeypatch.setenv("MOOT_CLIENT_ID", live.client_id)
    monkeypatch.setenv("MOOT_CLIENT_SECRET", live.client_secret)
    assert run_json(runner, "users", "get", "--base-url", live.base_url)["email"] == "owner@sdk.moot.test"


def test_no_credentials_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["meetings", "list"])
    assert result.exit_code == 2
    assert "moot login" in result.output


def test_unreachable_server_exits_1(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("MOOT_ACCOUNT_ID", "a"), ("MOOT_CLIENT_ID", "b"), ("MOOT_CLIENT_SECRET", "c")]:
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["meetings", "list", "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Cannot reach" in result.output


def test_profiles_file_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOOT_PROFILE", raising=False)
    for name in ("MOOT_ACCOUNT_ID", "MOOT_CLIENT_ID", "MOOT_CLIENT_SECRET", "MOOT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "c.toml"
    save("a b", Profile("http://x", "acc", "cid", 'se"cret'), path)
    save("zoom", Profile("https://api.zoom.us/v2", "acc2", "cid2", "s2"), path)
    assert load("a b", path) == Profile("http://x", "acc", "cid", 'se"cret')
    assert load(None, path).account_id == "acc2"  # the last login is current
    assert 'se"cret' not in repr(load("a b", path))
    monkeypatch.setenv("MOOT_CLIENT_SECRET", "from-env")
    assert load("a b", path).client_secret == "from-env"


def test_list_from_a_page_number_on(logged_in: CliRunner, host: str) -> None:
    ids = [
        run_json(logged_in, "meetings", "create", "--user", host, "--topic", f"p{i}", "--start",
                 f"2030-06-0{i + 1}T10:00:00Z")["id"]
        for i in range(5)
    ]  # fmt: skip
    listed = run_json(logged_in, "meetings", "list", "--user", host, "--page-size", "2", "--page-number", "2")
    assert [m["id"] for m in listed] == ids[2:]
    human = logged_in.invoke(
        app, ["meetings", "list", "--user", host, "--page-size", "2", "--page-number", "3"]
    )
    assert human.exit_code == 0, human.output
    assert human.stdout.splitlines()[-1] == "1 meeting(s) of 5"
    assert (
        run_json(logged_in, "meetings", "list", "--user", host, "--page-size", "2", "--page-number", "4")
        == []
    )
    refused = logged_in.invoke(app, ["meetings", "list", "--page-number", "0"])
    assert refused.exit_code == 2 and "--page-number" in refused.output


def test_registrant_status_changes(logged_in: CliRunner) -> None:
    meeting = run_json(
        logged_in, "meetings", "create", "--topic", "Statuses", "--start", "2030-06-09T17:00:00Z",
        "--approval-type", "1",
    )  # fmt: skip
    mid = str(meeting["id"])
    rids = [
        run_json(
            logged_in, "meetings", "registrants", "add", mid, "--email", f"{n}@x.test", "--first-name", n
        )["registrant_id"]
        for n in ("ann", "bob", "cy")
    ]
    approved = run_json(logged_in, "meetings", "registrants", "approve", mid, rids[0], rids[1])
    assert approved == {"ids": rids[:2], "status": "approved"}
    assert run_json(logged_in, "meetings", "registrants", "deny", mid, rids[2]) == {
        "ids": [rids[2]],
        "status": "denied",
    }
    human = logged_in.invoke(app, ["meetings", "registrants", "cancel", mid, rids[1]])
    assert (human.exit_code, human.stdout) == (0, "1 registrant(s) cancelled.\n")

    def emails(status: str) -> list[str]:
        listed = run_json(logged_in, "meetings", "registrants", "list", mid, "--status", status)
        return sorted(r["email"] for r in listed)

    # A cancelled registration is listed with the denied ones, as in Zoom.
    assert (emails("approved"), emails("denied"), emails("pending")) == (
        ["ann@x.test"],
        ["bob@x.test", "cy@x.test"],
        [],
    )
    missing = logged_in.invoke(app, ["meetings", "registrants", "approve", "1", rids[0]])
    assert missing.exit_code == 3
