"""A running ``moot emulate`` per test module and backend (in memory; PostgreSQL with
``MOOT_TEST_POSTGRES_URL``), reset to its seed before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulator.running import Running, emulate
from tests.support.databases import requires_postgres

BACKENDS = ["sqlite", pytest.param("postgres", marks=requires_postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    args = ["--db", request.getfixturevalue("module_postgres_url")] if request.param == "postgres" else []
    with emulate(tmp_path_factory.mktemp("emulator"), *args) as started:
        yield started


@pytest.fixture
def emulator(running: Running) -> Running:
    """The module's emulator, just reset."""
    with running.client() as client:
        assert client.post("/moot/api/reset").status_code == 204
    return running


@pytest.fixture
def admin(emulator: Running) -> Iterator[httpx.Client]:
    with emulator.client() as client:
        yield client
