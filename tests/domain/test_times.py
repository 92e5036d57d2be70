from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from moot.domain.times import format_zoom, parse_start_time, parse_zoom

NEW_YORK = ZoneInfo("America/New_York")


def test_format_is_utc_whole_seconds_with_z() -> None:
    assert format_zoom(datetime(2030, 3, 10, 7, 30, 15, 999_999, tzinfo=NEW_YORK)) == "2030-03-10T11:30:15Z"


def test_parse_zoom_round_trips() -> None:
    assert parse_zoom("2030-03-10T11:30:15Z") == datetime(2030, 3, 10, 11, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-03-10T12:00:00Z", "2030-03-10T12:00:00Z"),
        ("2030-03-10T12:00:00", "2030-03-10T16:00:00Z"),  # EDT (DST began that morning)
        ("2030-03-09T12:00:00", "2030-03-09T17:00:00Z"),  # EST
        ("2030-03-10T12:00:00-02:00", "2030-03-10T14:00:00Z"),
        ("2030-03-10T12:00:00.123456Z", "2030-03-10T12:00:00Z"),
        ("2030-03-10 12:00", "2030-03-10T16:00:00Z"),
    ],
)
def test_start_time(text: str, expected: str) -> None:
    parsed = parse_start_time(text, NEW_YORK)
    assert parsed is not None and format_zoom(parsed) == expected


@pytest.mark.parametrize(
    "text", ["", "2030-03-10", "tomorrow", "2030-13-01T00:00:00Z", "2030-03-10X12:00:00", "9" * 50]
)
def test_unreadable_start_times(text: str) -> None:
    assert parse_start_time(text, NEW_YORK) is None
