"""What every use case needs: the store, the clock, the settings and the server's keys."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from moot.config import Settings
from moot.domain.clock import Clock
from moot.domain.errors import MissingScopes
from moot.services.ratelimits import Limiter, RateUsage
from moot.storage.base import Store


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from a verified access token."""

    account_id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    # Empty when the token's scopes reach every user of the account; otherwise it reaches only its own
    # user, and these are the admin scopes a 4711 names when it reaches for another.
    admin_scopes_missing: tuple[str, ...] = ()
    # This call's standing against the rate limits (None where no limiter runs).
    usage: RateUsage | None = None
    # User-OAuth tokens: the grant they were issued under (refused once it is revoked); "" for S2S.
    grant_id: str = ""

    def check_reach(self, user_id: str) -> None:
        """Refuse another user's resources to a token with user-level scopes only."""
        if self.admin_scopes_missing and user_id != self.user_id:
            raise MissingScopes(scopes=", ".join(self.admin_scopes_missing))


class VerifiedTokens:
    """Access tokens this process has verified, with their principal and expiry (bounded, oldest out)."""

    def __init__(self, capacity: int = 16_384) -> None:
        self._capacity = capacity
        self._items: dict[str, tuple[Principal, int]] = {}

    def get(self, token: str) -> tuple[Principal, int] | None:
        return self._items.get(token)

    def put(self, token: str, principal: Principal, expires: int) -> None:
        if len(self._items) >= self._capacity:
            del self._items[next(iter(self._items))]
        self._items[token] = (principal, expires)

    def clear(self) -> None:
        self._items.clear()


class GrantCache:
    """Whether user-OAuth grants are live, as this process last read them from the store.

    A revoked grant stays revoked, so that answer is kept (bounded, oldest out). A live answer is
    trusted for ``live_seconds`` of process time (monotonic, not the domain Clock: a frozen emulator
    clock must not freeze the cache): a grant revoked by another process is refused by this one at
    most that long afterwards; one revoked by this process is refused at once."""

    def __init__(self, live_seconds: float = 5.0, capacity: int = 16_384) -> None:
        self.live_seconds = live_seconds
        self._capacity = capacity
        self._items: dict[str, tuple[bool, float]] = {}

    def get(self, grant_id: str) -> bool | None:
        """True (live), False (revoked) or None (ask the store)."""
        known = self._items.get(grant_id)
        if known is None:
            return None
        live, checked = known
        if live and time.monotonic() - checked >= self.live_seconds:
            return None
        return live

    def put(self, grant_id: str, live: bool) -> None:
        if grant_id not in self._items and len(self._items) >= self._capacity:
            del self._items[next(iter(self._items))]
        self._items[grant_id] = (live, time.monotonic())

    def clear(self) -> None:
        self._items.clear()


@dataclass(frozen=True, slots=True)
class Keys:
    """Server secrets, shared through the database by every moot process on it."""

    token: bytes  # signs access tokens, ZAKs and page tokens
    verified: VerifiedTokens = field(default_factory=VerifiedTokens, compare=False, repr=False)
    grants: GrantCache = field(default_factory=GrantCache, compare=False, repr=False)
    _keyed: hmac.HMAC = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keyed", hmac.new(self.token, digestmod=hashlib.sha256))

    def sign(self, data: bytes) -> bytes:
        """HMAC-SHA256 of ``data`` under the token key (the key schedule is computed once)."""
        mac = self._keyed.copy()
        mac.update(data)
        return mac.digest()

    @classmethod
    async def load(cls, store: Store) -> Keys:
        return cls(token=await store.server_secret("token-signing-key", secrets.token_bytes(32)))


class Wakeup:
    """Tells this process's webhook dispatcher that events were committed (nothing without one)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def attach(self) -> asyncio.Event:
        self._event = asyncio.Event()
        return self._event

    def __call__(self) -> None:
        if self._event is not None:
            self._event.set()


@dataclass(frozen=True, slots=True)
class Deps:
    store: Store
    clock: Clock
    settings: Settings
    keys: Keys
    limiter: Limiter | None = None  # None: no rate limits (tests that are not about them)
    wakeup: Wakeup = field(default_factory=Wakeup, compare=False)

    async def charge_host(self, principal: Principal, host_id: str) -> None:
        """Count a meeting create or update against its host's daily quota."""
        if self.limiter is not None and principal.usage is not None:
            await self.limiter.charge_host(principal.usage, host_id)
