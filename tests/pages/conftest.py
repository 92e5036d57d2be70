"""Fixtures for page tests: one headless Chromium per test module, a fresh context (cookies) per use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.pages.browser import CHROMIUM, launch, requires_chromium


# Per module, not per session: while sync Playwright runs, its event loop is the running one, and every
# asyncio test collected after a page module (tests/pages/test_*_http.py, tests/services, ...) would fail
# with "Runner.run() cannot be called from a running event loop".
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if requires_chromium.args[0]:
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    yield from launch()
