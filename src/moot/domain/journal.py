"""The request journal (moot's admin API, ``/moot/api/requests``): the last N calls to ``/v2`` and
``/oauth`` with their bodies, searched by method, path glob, status and account, and counted by
``verify`` as WireMock's request verification does."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_LIST_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    at: str  # the Clock's time when the request arrived
    method: str
    path: str
    query: str
    account_id: str | None  # from the bearer token (or the token request's account_id), when known
    status: int | None  # None: no answer (the connection was dropped)
    duration_ms: float
    tracking_id: str | None
    request_body: str
    request_body_truncated: bool
    response_body: str
    response_body_truncated: bool
    faults: tuple[int, ...]  # fault rules that fired on it

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "account_id": self.account_id,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "tracking_id": self.tracking_id,
            "request_body": self.request_body,
            "request_body_truncated": self.request_body_truncated,
            "response_body": self.response_body,
            "response_body_truncated": self.response_body_truncated,
            "faults": list(self.faults),
        }


class RequestPattern(BaseModel):
    """Which journal entries a search or a verification means; every criterion given must hold."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    method: str | None = None
    path: str | None = None  # a glob: "*" matches across "/" too
    status: int | None = Field(default=None, ge=0, le=999)
    account_id: str | None = None

    @field_validator("method")
    @classmethod
    def _upper(cls, method: str | None) -> str | None:
        return method.upper() if method else None

    def matches(self, entry: JournalEntry) -> bool:
        if self.method is not None and entry.method != self.method:
            return False
        if self.path is not None and not fnmatchcase(entry.path, self.path):
            return False
        if self.status is not None and entry.status != self.status:
            return False
        return self.account_id is None or entry.account_id == self.account_id


class RequestQuery(RequestPattern):
    """``GET /moot/api/requests``: a pattern and how many entries, newest first."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    limit: int = Field(default=100, ge=1, le=MAX_LIST_LIMIT)


class Verification(RequestPattern):
    """``POST /moot/api/requests/verify``: a pattern and the count expected (at least one by default)."""

    count: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=0)
    at_most: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_expectation(self) -> Verification:
        if self.count is not None and (self.at_least is not None or self.at_most is not None):
            raise ValueError("Give count, or at_least and/or at_most, not both.")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError("at_least must not be greater than at_most.")
        return self

    def expected(self) -> dict[str, int]:
        if self.count is not None:
            return {"count": self.count}
        if self.at_least is None and self.at_most is None:
            return {"at_least": 1}
        bounds = {"at_least": self.at_least, "at_most": self.at_most}
        return {name: value for name, value in bounds.items() if value is not None}

    def holds(self, matched: int) -> bool:
        expected = self.expected()
        if "count" in expected:
            return matched == expected["count"]
        return expected.get("at_least", 0) <= matched <= expected.get("at_most", matched)


class Journal:
    """A bounded ring of entries, oldest out; ids keep counting across ``clear``."""

    def __init__(self, capacity: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._next_id = 1

    def next_id(self) -> int:
        entry_id = self._next_id
        self._next_id += 1
        return entry_id

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, pattern: RequestPattern, limit: int) -> list[JournalEntry]:
        found: list[JournalEntry] = []
        for entry in reversed(self._entries):
            if pattern.matches(entry):
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    def count(self, pattern: RequestPattern) -> int:
        return sum(1 for entry in self._entries if pattern.matches(entry))

    def clear(self) -> None:
        self._entries.clear()
