"""Choosing the provider: each one built from its settings, each missing setting named."""

from __future__ import annotations

from pathlib import Path

import pytest

from moot.config import Settings
from moot.video import provider_for
from moot.video.bigbluebutton import BigBlueButtonVideo
from moot.video.jitsi import JitsiVideo
from moot.video.livekit import LiveKitVideo
from moot.video.providers import NoVideo
from tests.support.live_server import StartFailed, serve, server_env
from tests.video.entries import GUEST, wall_clock

COMPLETE: dict[str, dict[str, str]] = {
    "jitsi": {
        "jitsi_url": "https://meet.example.com",
        "jitsi_app_id": "moot-app",
        "jitsi_app_secret": "jitsi-secret",
    },
    "livekit": {
        "livekit_url": "wss://lk.example.com",
        "livekit_api_key": "APIkey",
        "livekit_api_secret": "livekit-secret",
        "livekit_meet_url": "https://meet.livekit.io/custom",
    },
    "bigbluebutton": {"bbb_url": "https://bbb.example.com/bigbluebutton/api", "bbb_secret": "bbb-secret"},
}
KINDS = {"jitsi": JitsiVideo, "livekit": LiveKitVideo, "bigbluebutton": BigBlueButtonVideo}
EACH_SETTING = [(provider, setting) for provider, settings in COMPLETE.items() for setting in settings]


def settings(provider: str, **values: object) -> Settings:
    return Settings(video_provider=provider, **values)  # type: ignore[arg-type]


async def test_none_sends_everyone_to_moots_own_room_page() -> None:
    video = provider_for(Settings())
    assert isinstance(video, NoVideo)
    assert (video.name, await video.entry_url(GUEST, wall_clock())) == ("none", None)
    await video.close()


@pytest.mark.parametrize("provider", sorted(COMPLETE))
async def test_a_complete_configuration_builds_the_provider(provider: str) -> None:
    video = provider_for(settings(provider, **COMPLETE[provider], video_token_ttl=600))
    try:
        assert isinstance(video, KINDS[provider])
        assert video.name == provider
    finally:
        await video.close()


def test_the_configured_options_reach_the_providers() -> None:
    jitsi = provider_for(settings("jitsi", **COMPLETE["jitsi"], jitsi_sub="*", video_token_ttl=600))
    assert isinstance(jitsi, JitsiVideo)
    assert (jitsi.subject, jitsi.token_ttl.total_seconds()) == ("*", 600)
    bbb = provider_for(
        settings("bigbluebutton", **COMPLETE["bigbluebutton"], bbb_checksum="sha256", bbb_password_join=True)
    )
    assert isinstance(bbb, BigBlueButtonVideo)
    assert (bbb.checksum, bbb.password_join) == ("sha256", True)


@pytest.mark.parametrize(("provider", "setting"), EACH_SETTING)
@pytest.mark.parametrize("value", [None, "  "])
def test_each_missing_setting_is_named(provider: str, setting: str, value: str | None) -> None:
    values = {**COMPLETE[provider], setting: value}
    with pytest.raises(ValueError) as raised:
        provider_for(settings(provider, **values))
    assert str(raised.value) == (
        f"MOOT_VIDEO_PROVIDER={provider} needs MOOT_{setting.upper()}: "
        "set them, or choose another provider (none, jitsi, livekit, bigbluebutton)."
    )


@pytest.mark.parametrize("provider", sorted(COMPLETE))
def test_every_missing_setting_is_named_at_once(provider: str) -> None:
    names = ", ".join(f"MOOT_{setting.upper()}" for setting in COMPLETE[provider])
    with pytest.raises(ValueError, match=f"^MOOT_VIDEO_PROVIDER={provider} needs {names}: "):
        provider_for(settings(provider))


def test_moot_serve_with_an_incomplete_provider_stops_with_the_message(tmp_path: Path) -> None:
    env = server_env(MOOT_VIDEO_PROVIDER="bigbluebutton", MOOT_BBB_URL="https://bbb.example.com/b/")
    with pytest.raises(StartFailed) as failed, serve(tmp_path, env=env):
        pass
    output = " ".join(str(failed.value).split())
    assert "exited with status 2" in output  # before migrating or binding: a usage error
    assert (
        "MOOT_VIDEO_PROVIDER=bigbluebutton needs MOOT_BBB_SECRET: set them, or choose another provider "
        "(none, jitsi, livekit, bigbluebutton)." in output
    )
