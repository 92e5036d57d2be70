"""The cached SQLite schema script is exactly what the migrations create."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from moot.storage import schema
from moot.storage.migrate import upgrade_sqlite_connection


def _database(create: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    if create == "migrations":
        upgrade_sqlite_connection(conn)
    else:
        assert schema.create_schema(conn) is True
    return conn


def test_the_cached_script_is_current() -> None:
    """Fails after a migration is added or changed: run `python -m moot.storage.schema`."""
    assert schema.cached_script() is not None, "out of date: run `python -m moot.storage.schema`"
    assert schema.SCRIPT.read_text() == schema.generate()


def test_the_script_creates_what_the_migrations_create() -> None:
    migrated, scripted = _database("migrations"), _database("script")
    assert schema.schema_rows(scripted) == schema.schema_rows(migrated)
    for pragma in ("table_info", "index_list", "foreign_key_list"):
        for (name,) in migrated.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            assert (
                scripted.execute(f"PRAGMA {pragma}({name})").fetchall()
                == migrated.execute(f"PRAGMA {pragma}({name})").fetchall()
            ), (pragma, name)


def test_a_stale_script_falls_back_to_the_migrations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stale = tmp_path / "schema.sql"
    stale.write_text("-- migrations sha256: 0000\nCREATE TABLE wrong (x);\n")
    monkeypatch.setattr(schema, "SCRIPT", stale)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    assert schema.create_schema(conn) is False
    assert schema.schema_rows(conn) == schema.schema_rows(_database("migrations"))
