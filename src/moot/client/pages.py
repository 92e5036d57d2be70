"""Lists that follow ``next_page_token`` lazily: iterate for the items, ``pages()`` for whole pages.

A list may start at a later page with Zoom's legacy ``page_number`` parameter: the first call sends it,
and the pages after that one follow ``next_page_token`` as usual.
"""

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


def _count(page: dict[str, Any], key: str) -> int | None:
    value = page.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Totals:
    """``total_records``, ``page_count`` and ``page_number`` of the last page fetched (``None`` before
    the first page, or when the server does not send them)."""

    total_records: int | None = None
    page_count: int | None = None
    page_number: int | None = None

    def _saw(self, page: Any) -> dict[str, Any]:
        found: dict[str, Any] = page if isinstance(page, dict) else {}
        self.total_records = _count(found, "total_records")
        self.page_count = _count(found, "page_count")
        self.page_number = _count(found, "page_number")
        return found


def items(page: Any, key: str) -> list[Any]:
    found = page.get(key) if isinstance(page, dict) else None
    return found if isinstance(found, list) else []


class Pages(_Totals, Generic[T]):
    """Items of a Zoom list, fetched page by page as the iteration reaches them. ``pages()`` yields the
    raw pages (``page_count``, ``page_number``, ``page_size``, ``total_records``, ``next_page_token`` and
    the items); ``total_records``, ``page_count`` and ``page_number`` hold those of the last page fetched."""

    def __init__(self, engine: SyncEngine, call: Call, key: str) -> None:
        self._engine, self._call, self._key = engine, call, key

    def pages(self) -> Iterator[dict[str, Any]]:
        call: Call | None = self._call
        seen: set[str] = set()
        while call is not None:
            page = self._saw(self._engine.execute(call))
            yield page
            call = next_call(call, page, seen)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from items(page, self._key)


class AsyncPages(_Totals, Generic[T]):
    """Items of a Zoom list, for ``async for``; see :class:`Pages`."""

    def __init__(self, engine: AsyncEngine, call: Call, key: str) -> None:
        self._engine, self._call, self._key = engine, call, key

    async def pages(self) -> AsyncIterator[dict[str, Any]]:
        call: Call | None = self._call
        seen: set[str] = set()
        while call is not None:
            page = self._saw(await self._engine.execute(call))
            yield page
            call = next_call(call, page, seen)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in items(page, self._key):
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]
