"""Throwaway databases for tests: migrated SQLite files and uniquely named PostgreSQL databases.

PostgreSQL cases run only when ``MOOT_TEST_POSTGRES_URL`` names a server (any database on it the user may
connect to, e.g. ``postgresql://postgres@127.0.0.1:5432/test``); the role needs CREATEDB. Every database
created here is uniquely named, migrated, and dropped afterwards, so runs never see each other's rows and
the named database is never written to.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from moot.storage.base import Store
from moot.storage.migrate import upgrade
from moot.storage.postgres import PostgresStore
from moot.storage.sqlite import SqliteStore
from moot.storage.urls import DatabaseURL

POSTGRES_URL_ENV = "MOOT_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = (
    f"{POSTGRES_URL_ENV} is not set; set it to a PostgreSQL server URL "
    "(e.g. postgresql://postgres@127.0.0.1:5432/test) to run the PostgreSQL store tests"
)

requires_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_URL_ENV), reason=POSTGRES_SKIP_REASON),
]


def postgres_base_url() -> str:
    """The server named by ``MOOT_TEST_POSTGRES_URL``; skips the calling test when it is unset."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(POSTGRES_SKIP_REASON)
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(DatabaseURL(url).asyncpg_dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def create_postgres_database(base_url: str, *, migrate: bool = True) -> str:
    """Create a uniquely named database on ``base_url``'s server (migrated to head unless ``migrate`` is
    false) and return its ``postgresql://`` URL."""
    name = f"moot_test_{uuid.uuid4().hex}"
    conn = await asyncpg.connect(DatabaseURL(base_url).asyncpg_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = _with_database(base_url, name)
    if migrate:
        try:
            # upgrade() runs its own event loop for PostgreSQL, so it needs a thread without one.
            await asyncio.to_thread(upgrade, DatabaseURL(url))
        except BaseException:
            await drop_postgres_database(url)
            raise
    return url


async def drop_postgres_database(url: str, *, maintenance_db: str = "postgres") -> None:
    """Drop the database ``url`` names (connections to it are terminated), working from
    ``maintenance_db`` on the same server."""
    name = _database_name(url)
    assert name.startswith("moot_test_"), f"refusing to drop {name!r}: not a test database"
    conn = await asyncpg.connect(_with_database(url, maintenance_db))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run_outside_loop(fn: Any, *args: Any) -> Any:
    """Run ``asyncio.run(fn(*args))`` in a worker thread: safe from sync fixtures while pytest-asyncio
    owns the main thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(fn(*args))).result()


async def truncate_postgres_database(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        await conn.execute("TRUNCATE " + ", ".join(f'"{row[0]}"' for row in rows))
    finally:
        await conn.close()


async def open_test_store(backend: str, tmp_path: Path, postgres_url: str | None) -> Store:
    """An empty, migrated store: a SQLite file in ``tmp_path``, or the (emptied) PostgreSQL database."""
    if backend == "sqlite":
        path = tmp_path / "moot.db"
        await asyncio.to_thread(upgrade, DatabaseURL(f"sqlite:///{path}"))
        return SqliteStore(path)
    assert postgres_url is not None
    await truncate_postgres_database(postgres_url)
    return await PostgresStore.connect(postgres_url)
