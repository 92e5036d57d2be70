"""Versioned schema migrations (Alembic), one migration history for SQLite and PostgreSQL.

Run by ``moot serve`` before it starts serving and by ``moot db upgrade``; synchronous, so call it
outside a running event loop (or in a worker thread).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from moot.storage.urls import DatabaseURL

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


def _config(url: DatabaseURL) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["sqlalchemy_url"] = url.sqlalchemy()
    return config


def upgrade(url: DatabaseURL, revision: str = "head") -> None:
    from alembic import command

    if url.is_sqlite and url.sqlite_path is not None:
        url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_config(url), revision)  # type: ignore[arg-type]


def upgrade_sqlite_connection(conn: sqlite3.Connection) -> None:
    """Migrate through an open sqlite3 connection (the only way to reach an in-memory database)."""
    from alembic import command
    from sqlalchemy import create_engine, pool

    engine = create_engine("sqlite://", creator=lambda: conn, poolclass=pool.StaticPool)
    config = _config(DatabaseURL("sqlite:///:memory:"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection  # type: ignore[attr-defined]
        command.upgrade(config, "head")  # type: ignore[arg-type]


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head()
    assert head is not None
    return head
