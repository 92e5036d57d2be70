"""Fixtures shared by every test directory: the clock, and a store on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from moot.domain.clock import ControllableClock
from moot.storage.base import Store
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    open_test_store,
    postgres_base_url,
    requires_postgres,
    run_outside_loop,
)

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgres", marks=requires_postgres)]


@pytest.fixture
def clock() -> ControllableClock:
    """Frozen at ``NOW``: tests move it explicitly."""
    return ControllableClock(NOW, frozen=True)


@pytest.fixture
async def fresh_postgres_url() -> AsyncIterator[str]:
    """A new, migrated PostgreSQL database for one test, dropped afterwards (skips without
    ``MOOT_TEST_POSTGRES_URL``)."""
    url = await create_postgres_database(postgres_base_url())
    try:
        yield url
    finally:
        await drop_postgres_database(url)


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """One migrated PostgreSQL database per test module, dropped afterwards (emptied before each test
    by the ``store`` fixture)."""
    url: str = run_outside_loop(create_postgres_database, postgres_base_url())
    try:
        yield url
    finally:
        run_outside_loop(drop_postgres_database, url)


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An empty, migrated store on each backend."""
    url = request.getfixturevalue("module_postgres_url") if request.param == "postgres" else None
    opened = await open_test_store(request.param, tmp_path, url)
    try:
        yield opened
    finally:
        await opened.close()
