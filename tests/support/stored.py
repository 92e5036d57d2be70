"""What a moot database holds, read from outside the process that wrote it (CLI and live-server tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from moot.config import Settings
from moot.domain.accounts import App
from moot.storage.open import open_store

T = TypeVar("T")


def stored_app(db_url: str, client_id: str) -> App | None:
    """The app as stored now (call from synchronous code: it runs its own event loop)."""

    async def read() -> App | None:
        store = await open_store(Settings(db_url=db_url))
        try:
            return await store.get_app(client_id)
        finally:
            await store.close()

    return asyncio.run(read())


def stored_apps(db_url: str, account_id: str) -> list[App]:
    """The account's apps as stored now (from synchronous code)."""

    async def read() -> list[App]:
        store = await open_store(Settings(db_url=db_url))
        try:
            return await store.list_apps(account_id)
        finally:
            await store.close()

    return asyncio.run(read())


def wait_until(probe: Callable[[], T | None], *, timeout: float, what: str, every: float = 0.05) -> T:
    """The first truthy value ``probe`` returns; AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout} s: {what} (last seen: {value!r})")
        time.sleep(every)
