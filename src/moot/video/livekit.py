"""``livekit``: a LiveKit access token for the meeting's room, opened in a LiveKit Meet style page.

``livekit-api`` (aiohttp, protobuf) is imported only when this provider is built.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt

from moot.video.base import NOT_BEFORE_SKEW, RoomEntry, room_name


class LiveKitVideo:
    """Sends each person to ``{meet_url}?liveKitUrl={url}&token={token}`` (LiveKit Meet's custom
    connection page)."""

    name = "livekit"

    def __init__(self, url: str, api_key: str, api_secret: str, meet_url: str, *, token_ttl: int) -> None:
        if urlsplit(url).scheme not in ("ws", "wss", "http", "https"):
            raise ValueError(f"MOOT_LIVEKIT_URL must be a ws(s):// or http(s):// URL, not {url!r}")
        if urlsplit(meet_url).scheme not in ("http", "https"):
            raise ValueError(f"MOOT_LIVEKIT_MEET_URL must be an http(s) URL, not {meet_url!r}")
        from livekit import api  # here, not at module level: only a configured server pays for it

        self._api = api
        self.url = url
        self.api_key = api_key
        self.api_secret = api_secret
        self.meet_url = meet_url
        self.token_ttl = timedelta(seconds=token_ttl)

    def claims(self, entry: RoomEntry, now: datetime) -> dict[str, Any]:
        """livekit-api's own claim layout (camelCase grants, no empty values), timed by moot's clock
        (``AccessToken.to_jwt`` reads the wall clock)."""
        grants = self._api.VideoGrants(
            room_join=True,
            room=room_name(entry.meeting_id),
            can_publish=True,
            can_subscribe=True,
            room_admin=True if entry.moderator else None,
        )
        token = (
            self._api.AccessToken(self.api_key, self.api_secret)
            .with_identity(entry.participant_id)
            .with_name(entry.display_name)
            .with_grants(grants)
        )
        claims: dict[str, Any] = token.claims.asdict()
        claims.update(
            {
                "sub": entry.participant_id,
                "iss": self.api_key,
                "nbf": int((now - NOT_BEFORE_SKEW).timestamp()),
                "exp": int((now + self.token_ttl).timestamp()),
            }
        )
        return claims

    def token(self, entry: RoomEntry, now: datetime) -> str:
        return jwt.encode(self.claims(entry, now), self.api_secret, algorithm="HS256")

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        query = urlencode({"liveKitUrl": self.url, "token": self.token(entry, now)})
        return f"{self.meet_url}{'&' if '?' in self.meet_url else '?'}{query}"

    async def close(self) -> None:
        return None
