"""One event loop in a daemon thread, shared by every in-process moot of this process.

moot's store and webhook dispatcher hold asyncio objects bound to the loop they first ran on, so an
in-process moot lives on this loop alone; callers reach it from any thread (blocking) or any async
framework (awaiting), never by running its app on their own loop. Started on first use.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def private_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="moot-testing-loop", daemon=True).start()
            _loop = loop
        return _loop


def on_private_loop() -> bool:
    """Whether the caller runs on the private loop (where blocking on it would deadlock)."""
    try:
        return asyncio.get_running_loop() is _loop
    except RuntimeError:
        return False


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    return asyncio.run_coroutine_threadsafe(coro, private_loop())


def run(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the private loop and wait for it (from any thread but the loop's own)."""
    if on_private_loop():
        coro.close()
        raise RuntimeError("cannot wait for the private loop from the private loop")
    future = submit(coro)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise


async def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` run on the private loop, from asyncio or any other async framework."""
    if on_private_loop():
        return await coro
    future = submit(coro)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio, through anyio: wait in a worker thread
        import anyio.to_thread

        return await anyio.to_thread.run_sync(future.result)
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        future.cancel()
        raise
