"""Fixtures for page tests: one headless Chromium per session, a fresh context (cookies) per use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.pages.browser import CHROMIUM, launch, requires_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if requires_chromium.args[0]:
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    yield from launch()
