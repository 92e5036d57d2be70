"""Accounts and the OAuth apps that act on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

ALL_SCOPES: tuple[str, ...] = (
    "meeting:read",
    "meeting:read:admin",
    "meeting:write",
    "meeting:write:admin",
    "user:read",
    "user:read:admin",
    "user:write",
    "user:write:admin",
    "meeting:write:meeting",
    "meeting:write:meeting:admin",
    "meeting:read:meeting",
    "meeting:read:meeting:admin",
    "meeting:update:meeting",
    "meeting:update:meeting:admin",
    "meeting:delete:meeting",
    "meeting:delete:meeting:admin",
    "meeting:update:status",
    "meeting:update:status:admin",
    "meeting:read:list_meetings",
    "meeting:read:list_meetings:admin",
    "meeting:write:registrant",
    "meeting:write:registrant:admin",
    "meeting:read:list_registrants",
    "meeting:read:list_registrants:admin",
    "meeting:update:registrant_status",
    "meeting:update:registrant_status:admin",
    "meeting:read:registrant",
    "meeting:read:registrant:admin",
    "meeting:delete:registrant",
    "meeting:delete:registrant:admin",
    "meeting:read:invitation",
    "meeting:read:invitation:admin",
    "meeting:read:past_meeting",
    "meeting:read:past_meeting:admin",
    "meeting:read:list_past_instances",
    "meeting:read:list_past_instances:admin",
    "meeting:read:list_past_participants",
    "meeting:read:list_past_participants:admin",
    "user:read:user",
    "user:read:user:admin",
    "user:read:list_users:admin",
    "user:write:user:admin",
    "user_info:read",
)


class UnknownScopes(ValueError):
    pass


def parse_scopes(text: str) -> tuple[str, ...]:
    """A comma- or space-separated scope list (``all`` for every scope), in ALL_SCOPES order."""
    wanted = {part for part in text.replace(",", " ").split() if part}
    if wanted == {"all"}:
        return ALL_SCOPES
    unknown = sorted(wanted - set(ALL_SCOPES))
    if unknown or not wanted:
        raise UnknownScopes(f"unknown scopes: {', '.join(unknown)}" if unknown else "no scopes given")
    return tuple(scope for scope in ALL_SCOPES if scope in wanted)


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"


class AppType(StrEnum):
    SERVER_TO_SERVER = "s2s"
    OAUTH = "oauth"  # user-authorized: authorization code (+PKCE) and refresh tokens


@dataclass(slots=True)
class Account:
    id: str
    name: str
    plan: Plan
    created_at: datetime
    rate_limits: str = "zoom"  # "zoom", "off", or "xN": Zoom's limits times N (see domain.ratelimits)


@dataclass(slots=True)
class WebhookEndpoint:
    """An app's event-notification endpoint: where its subscribed events go, signed with the secret."""

    url: str
    secret_token: str
    events: tuple[str, ...]
    # Answered the URL-validation challenge (on setting the URL, and again every 72 hours).
    active: bool = False
    validated_at: datetime | None = None
    last_error: str = ""

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


@dataclass(slots=True)
class App:
    client_id: str
    account_id: str
    user_id: str
    name: str
    type: AppType
    secret_hash: str
    created_at: datetime
    scopes: tuple[str, ...] = field(default=ALL_SCOPES)
    redirect_uris: tuple[str, ...] = ()  # OAuth apps: where /oauth/authorize may send codes
    webhook: WebhookEndpoint | None = None


def account_number(account_id: str) -> int:
    """A stable 8-digit account number derived from the account id (Zoom shows both)."""
    import hashlib

    return 10_000_000 + int.from_bytes(hashlib.sha256(account_id.encode()).digest()[:4]) % 90_000_000
