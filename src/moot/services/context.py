"""What every use case needs: the store, the clock, the settings and the server's keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from moot.config import Settings
from moot.domain.clock import Clock
from moot.storage.base import Store


@dataclass(frozen=True, slots=True)
class Keys:
    """Server secrets, shared through the database by every moot process on it."""

    token: bytes  # signs access tokens, ZAKs and page tokens

    @classmethod
    async def load(cls, store: Store) -> Keys:
        return cls(token=await store.server_secret("token-signing-key", secrets.token_bytes(32)))


@dataclass(frozen=True, slots=True)
class Deps:
    store: Store
    clock: Clock
    settings: Settings
    keys: Keys


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from a verified access token."""

    account_id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
