"""Zoom's timezone ids: IANA names (Zoom's list is a subset of them) and ``GMT+8`` style offsets.

A timezone is echoed exactly as given; only its meaning is resolved here.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_OFFSET = re.compile(r"^(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_BARE_UTC = {"GMT", "UTC", "Z", "ETC/GMT", "ETC/UTC", "ETC/GREENWICH"}


@lru_cache(maxsize=1024)
def resolve(name: str) -> tzinfo | None:
    """The tzinfo for a Zoom timezone id, or None when it names no known zone."""
    name = name.strip()
    if not name or len(name) > 64:
        return None
    if name.upper() in _BARE_UTC:
        return UTC
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14) or int(minutes or 0) >= 60:
            return None
        return timezone(-delta if sign == "-" else delta)
    if name not in _iana_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    """Only real zone names are looked up (never an arbitrary file under the zone database)."""
    return frozenset(available_timezones())


def is_valid(name: str) -> bool:
    return resolve(name) is not None
