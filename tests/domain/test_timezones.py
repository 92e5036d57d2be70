from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from moot.domain.timezones import resolve


@pytest.mark.parametrize(
    ("name", "offset_hours"),
    [
        ("GMT+8", 8),
        ("GMT-05:00", -5),
        ("UTC+8", 8),
        ("UTC-0930", -9.5),
        ("GMT+5:30", 5.5),
        ("gmt+1", 1),
        ("UTC", 0),
        ("GMT", 0),
        ("Etc/Greenwich", 0),
    ],
)
def test_offsets_and_utc_aliases(name: str, offset_hours: float) -> None:
    zone = resolve(name)
    assert zone is not None
    assert zone.utcoffset(datetime(2030, 1, 1, tzinfo=UTC)) == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    "name", ["America/Los_Angeles", "Asia/Calcutta", "Asia/Kolkata", "Asia/Saigon", "CET", "Pacific/Midway"]
)
def test_zoom_ids_are_iana_zones(name: str) -> None:
    assert resolve(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Base",
        "GMT+15",
        "GMT+5:75",
        "../../etc/passwd",
        "/etc/localtime",
        "x" * 100,
        "Asia/",
        "America",
        "zone.tab",
        "a\x00b",
    ],
)
def test_unknown_zones(name: str) -> None:
    assert resolve(name) is None


def test_offset_zone_is_fixed() -> None:
    assert resolve("GMT-3") == timezone(timedelta(hours=-3))
