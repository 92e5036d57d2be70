"""The video engine behind join and start pages: where an admitted visitor or the host is sent.

``provider_for(settings)`` builds the configured provider once (at app start-up); pages call
``entry_url(entry, now)`` for each person entering. ``None`` means moot's own meeting-room page.
"""

from __future__ import annotations

from moot.video.base import RoomEntry, VideoProvider, VideoUnavailable, room_name
from moot.video.providers import provider_for

__all__ = ["RoomEntry", "VideoProvider", "VideoUnavailable", "provider_for", "room_name"]
