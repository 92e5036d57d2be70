"""Choosing the provider from settings."""

from __future__ import annotations

from datetime import datetime

from moot.config import Settings
from moot.video.base import RoomEntry, VideoProvider

REQUIRED: dict[str, tuple[str, ...]] = {
    "none": (),
    "jitsi": ("jitsi_url", "jitsi_app_id", "jitsi_app_secret"),
    "livekit": ("livekit_url", "livekit_api_key", "livekit_api_secret", "livekit_meet_url"),
    "bigbluebutton": ("bbb_url", "bbb_secret"),
}


class NoVideo:
    """``none``: moot's own meeting-room page (the participant list), enough for the emulator and demos."""

    name = "none"

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        return None

    async def close(self) -> None:
        return None


def missing_settings(settings: Settings) -> list[str]:
    """The MOOT_* variables the configured provider needs and does not have."""
    return [
        f"MOOT_{field.upper()}"
        for field in REQUIRED[settings.video_provider]
        if not (getattr(settings, field) or "").strip()
    ]


def provider_for(settings: Settings) -> VideoProvider:
    """The provider ``settings.video_provider`` names (ValueError when its settings are incomplete)."""
    missing = missing_settings(settings)
    if missing:
        raise ValueError(
            f"MOOT_VIDEO_PROVIDER={settings.video_provider} needs {', '.join(missing)}: "
            "set them, or choose another provider (none, jitsi, livekit, bigbluebutton)."
        )
    ttl = settings.video_token_ttl
    if settings.video_provider == "jitsi":
        from moot.video.jitsi import JitsiVideo

        assert settings.jitsi_url and settings.jitsi_app_id and settings.jitsi_app_secret
        return JitsiVideo(
            settings.jitsi_url,
            settings.jitsi_app_id,
            settings.jitsi_app_secret,
            token_ttl=ttl,
            subject=settings.jitsi_sub,
        )
    if settings.video_provider == "livekit":
        from moot.video.livekit import LiveKitVideo

        assert settings.livekit_url and settings.livekit_meet_url
        assert settings.livekit_api_key and settings.livekit_api_secret
        return LiveKitVideo(
            settings.livekit_url,
            settings.livekit_api_key,
            settings.livekit_api_secret,
            settings.livekit_meet_url,
            token_ttl=ttl,
        )
    if settings.video_provider == "bigbluebutton":
        from moot.video.bigbluebutton import BigBlueButtonVideo

        assert settings.bbb_url and settings.bbb_secret
        return BigBlueButtonVideo(
            settings.bbb_url,
            settings.bbb_secret,
            checksum=settings.bbb_checksum,
            password_join=settings.bbb_password_join,
        )
    return NoVideo()
