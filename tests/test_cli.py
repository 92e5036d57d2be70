"""The ``moot`` admin commands, run as a user runs them, on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moot.cli import app

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in (
        "MOOT_DB_URL",
        "MOOT_BOOTSTRAP_ACCOUNT_ID",
        "MOOT_BOOTSTRAP_CLIENT_ID",
        "MOOT_BOOTSTRAP_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    return f"sqlite:///{tmp_path / 'moot.db'}"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_accounts_apps_and_users(db_url: str) -> None:
    account = json.loads(
        run(
            "accounts",
            "create",
            "--owner-email",
            "boss@example.com",
            "--plan",
            "pro",
            "--json",
            "--db-url",
            db_url,
        )
    )
    assert account["owner_email"] == "boss@example.com" and account["plan"] == "pro"
    created = json.loads(
        run("apps", "create", "--account", account["account_id"], "--json", "--db-url", db_url)
    )
    assert set(created) == {"account_id", "client_id", "client_secret"}
    assert created["account_id"] == account["account_id"] and len(created["client_secret"]) == 32
    user = json.loads(
        run(
            "users",
            "create",
            "--account",
            account["account_id"],
            "--email",
            "dev@example.com",
            "--json",
            "--db-url",
            db_url,
        )
    )
    assert user["email"] == "dev@example.com" and user["account_id"] == account["account_id"]


def test_a_used_email_is_refused(db_url: str) -> None:
    account = json.loads(run("accounts", "create", "--json", "--db-url", db_url))
    args = [
        "users",
        "create",
        "--account",
        account["account_id"],
        "--email",
        "x@example.com",
        "--db-url",
        db_url,
    ]
    run(*args)
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert 'Email "x@example.com" has already been used.' in result.output


@pytest.mark.parametrize("command", [["apps", "create"], ["users", "create", "--email", "a@example.com"]])
def test_an_unknown_account_is_refused(db_url: str, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--account", "nope", "--db-url", db_url])
    assert result.exit_code == 1 and "No account 'nope'." in result.output


def test_credentials_without_a_file_says_how_to_get_them(db_url: str) -> None:
    result = runner.invoke(app, ["credentials", "--db-url", db_url])
    assert result.exit_code == 1 and "moot serve" in result.output


def test_db_upgrade_is_idempotent(db_url: str) -> None:
    assert "up to date" in run("db", "upgrade", "--db-url", db_url)
    assert "up to date" in run("db", "upgrade", "--db-url", db_url)


def test_an_unsupported_database_url_is_explained() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db-url", "mysql://root@localhost/x"])
    assert result.exit_code == 2
    assert "unsupported database URL 'mysql://root@localhost/x'" in result.output


def test_apps_can_be_limited_to_some_scopes(db_url: str) -> None:
    import asyncio

    from moot.config import Settings
    from moot.storage.open import open_store

    account = json.loads(run("accounts", "create", "--json", "--db-url", db_url))
    created = json.loads(
        run(
            "apps",
            "create",
            "--account",
            account["account_id"],
            "--scopes",
            "meeting:read, meeting:write:meeting",
            "--json",
            "--db-url",
            db_url,
        )
    )

    async def stored_scopes() -> tuple[str, ...]:
        store = await open_store(Settings(db_url=db_url))
        try:
            app_ = await store.get_app(created["client_id"])
            assert app_ is not None
            return app_.scopes
        finally:
            await store.close()

    assert asyncio.run(stored_scopes()) == ("meeting:read", "meeting:write:meeting")


def test_unknown_scopes_are_refused(db_url: str) -> None:
    account = json.loads(run("accounts", "create", "--json", "--db-url", db_url))
    result = runner.invoke(
        app,
        ["apps", "create", "--account", account["account_id"], "--scopes", "meeting:fly", "--db-url", db_url],
    )
    assert result.exit_code == 2 and "unknown scopes: meeting:fly" in result.output


def test_accounts_take_a_plan_and_rate_limits(db_url: str) -> None:
    account = json.loads(
        run("accounts", "create", "--plan", "free", "--rate-limits", "x10", "--json", "--db-url", db_url)
    )
    assert (account["plan"], account["rate_limits"]) == ("free", "x10")
    updated = json.loads(
        run(
            "accounts",
            "update",
            "--account",
            account["account_id"],
            "--rate-limits",
            "off",
            "--json",
            "--db-url",
            db_url,
        )
    )
    assert updated == {"account_id": account["account_id"], "plan": "free", "rate_limits": "off"}
    bad = runner.invoke(
        app,
        [
            "accounts",
            "update",
            "--account",
            account["account_id"],
            "--rate-limits",
            "fast",
            "--db-url",
            db_url,
        ],
    )
    assert bad.exit_code == 2 and "rate limits must be 'zoom', 'off' or 'xN'" in bad.output


def test_user_oauth_apps_and_users_with_passwords(db_url: str) -> None:
    account = json.loads(run("accounts", "create", "--json", "--db-url", db_url))
    created = json.loads(
        run(
            "apps",
            "create",
            "--account",
            account["account_id"],
            "--type",
            "oauth",
            "--redirect-uri",
            "https://app.example/callback",
            "--redirect-uri",
            "http://localhost:8080/cb",
            "--scopes",
            "meeting:read,user:read",
            "--json",
            "--db-url",
            db_url,
        )
    )
    assert created["type"] == "oauth"
    assert created["redirect_uris"] == ["https://app.example/callback", "http://localhost:8080/cb"]
    user = json.loads(
        run(
            "users",
            "create",
            "--account",
            account["account_id"],
            "--email",
            "member@example.com",
            "--password",
            "s3cret",
            "--json",
            "--db-url",
            db_url,
        )
    )
    assert user["email"] == "member@example.com"

    import sqlite3

    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    doc = json.loads(
        conn.execute("SELECT doc FROM apps WHERE client_id = ?", (created["client_id"],)).fetchone()[0]
    )
    stored = json.loads(conn.execute("SELECT doc FROM users WHERE id = ?", (user["id"],)).fetchone()[0])
    conn.close()
    assert doc["type"] == "oauth" and doc["scopes"] == ["meeting:read", "user:read"]
    assert stored["password_hash"].startswith("scrypt$") and "s3cret" not in stored["password_hash"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--type", "oauth"],
        ["--type", "oauth", "--redirect-uri", "ftp://x.example/cb"],
        ["--type", "oauth", "--redirect-uri", "https://x.example/cb#frag"],
        ["--redirect-uri", "https://x.example/cb"],
    ],
)
def test_apps_create_refuses_bad_redirect_uris(db_url: str, extra: list[str]) -> None:
    account = json.loads(run("accounts", "create", "--json", "--db-url", db_url))
    result = runner.invoke(
        app, ["apps", "create", "--account", account["account_id"], *extra, "--db-url", db_url]
    )
    assert result.exit_code == 2, result.output
