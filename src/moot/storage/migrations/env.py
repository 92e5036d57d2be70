"""Alembic environment: runs migrations on the URL moot hands it (sync SQLite, or asyncpg)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, create_engine, pool

url: str = context.config.attributes["sqlalchemy_url"]


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


existing: Connection | None = context.config.attributes.get("connection")
if existing is not None:
    _run(existing)
elif url.startswith("sqlite"):
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
else:
    asyncio.run(_run_async())
