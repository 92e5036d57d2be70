"""Lists that follow ``next_page_token`` lazily: iterate for the items, ``pages()`` for whole pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, TypeVar

from moot.client.calls import Call
from moot.client.engine import AsyncEngine, SyncEngine

T = TypeVar("T")


def next_call(call: Call, page: Any, seen: set[str]) -> Call | None:
    """The call for the page after ``page``, or ``None`` at the end. The token carries the query, but the
    original parameters are sent again too (a real Zoom server may want them)."""
    token = page.get("next_page_token") if isinstance(page, dict) else None
    if not token or token in seen:
        return None
    seen.add(token)
    params = {k: v for k, v in call.params.items() if k != "page_number"}
    return Call(call.method, call.path, {**params, "next_page_token": token})


def items(page: Any, key: str) -> list[Any]:
    found = page.get(key) if isinstance(page, dict) else None
    return found if isinstance(found, list) else []


class Pages(Generic[T]):
    """Items of a Zoom list, fetched page by page as the iteration reaches them."""

    def __init__(self, engine: SyncEngine, call: Call, key: str) -> None:
        self._engine, self._call, self._key = engine, call, key

    def pages(self) -> Iterator[dict[str, Any]]:
        call: Call | None = self._call
        seen: set[str] = set()
        while call is not None:
            page = self._engine.execute(call)
            yield page if isinstance(page, dict) else {}
            call = next_call(call, page, seen)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from items(page, self._key)


class AsyncPages(Generic[T]):
    """Items of a Zoom list, for ``async for``."""

    def __init__(self, engine: AsyncEngine, call: Call, key: str) -> None:
        self._engine, self._call, self._key = engine, call, key

    async def pages(self) -> AsyncIterator[dict[str, Any]]:
        call: Call | None = self._call
        seen: set[str] = set()
        while call is not None:
            page = await self._engine.execute(call)
            yield page if isinstance(page, dict) else {}
            call = next_call(call, page, seen)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in items(page, self._key):
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]
