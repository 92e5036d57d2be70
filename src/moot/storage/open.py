"""Open the Store a database URL names."""

from __future__ import annotations

from moot.config import Settings
from moot.storage.base import Store
from moot.storage.urls import DatabaseURL


async def open_store(settings: Settings) -> Store:
    """Open (and, for an in-memory SQLite database, create: see ``storage.schema``) the store; file and
    PostgreSQL databases are migrated beforehand by ``moot serve`` / ``moot db upgrade``."""
    url = DatabaseURL(settings.db_url)
    if url.is_postgres:
        from moot.storage.postgres import PostgresStore

        return await PostgresStore.connect(url.asyncpg_dsn)
    from moot.storage.sqlite import SqliteStore

    store = SqliteStore(url.sqlite_path, synchronous=settings.sqlite_synchronous)
    if url.sqlite_path is None:
        from moot.storage.schema import create_schema

        create_schema(store.connection)
    return store
