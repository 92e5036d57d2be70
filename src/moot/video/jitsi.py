"""``jitsi``: Jitsi Meet with token authentication (prosody ``mod_auth_token``), HS256 JWTs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import jwt

from moot.video.base import NOT_BEFORE_SKEW, RoomEntry, room_name

AUDIENCE = "jitsi"


def jitsi_subject(jitsi_url: str) -> str:
    """Token ``sub``: the tenant for ``https://host/tenant`` deployments, else the (lowercase) domain."""
    parts = urlsplit(jitsi_url)
    tenant = parts.path.strip("/")
    return (tenant.rsplit("/", 1)[-1] if tenant else parts.hostname or "*").lower()


class JitsiVideo:
    """Sends each person to ``{jitsi_url}/{room}?jwt=...``; Jitsi lets in only holders of a valid token."""

    name = "jitsi"

    def __init__(
        self, url: str, app_id: str, app_secret: str, *, token_ttl: int, subject: str | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"MOOT_JITSI_URL must be an http(s) URL, not {url!r}")
        self.url = url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.token_ttl = timedelta(seconds=token_ttl)
        self.subject = subject or jitsi_subject(url)

    def claims(self, entry: RoomEntry, now: datetime) -> dict[str, Any]:
        # context.user values are strings: lib-jitsi-meet's token docs say other types raise, and
        # "true"/"false" is the moderator form Jitsi's JWT docs show (token_affiliation reads both).
        return {
            "aud": AUDIENCE,
            "iss": self.app_id,
            "sub": self.subject,
            "room": room_name(entry.meeting_id),
            "iat": int(now.timestamp()),
            "nbf": int((now - NOT_BEFORE_SKEW).timestamp()),
            "exp": int((now + self.token_ttl).timestamp()),
            "context": {
                "user": {
                    "id": entry.participant_id,
                    "name": entry.display_name,
                    "email": entry.email,
                    "moderator": "true" if entry.moderator else "false",
                    "affiliation": "owner" if entry.moderator else "member",
                }
            },
        }

    def token(self, entry: RoomEntry, now: datetime) -> str:
        return jwt.encode(self.claims(entry, now), self.app_secret, algorithm="HS256")

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        room = quote(room_name(entry.meeting_id), safe="")
        return f"{self.url}/{room}?jwt={self.token(entry, now)}"

    async def close(self) -> None:
        return None
