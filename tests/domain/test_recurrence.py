"""Occurrences obey their rule: count, spacing, weekdays, local time across DST, and the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from moot.domain.recurrence import MAX_OCCURRENCES, Occurrence, OccurrenceStatus, expand

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"]
# Zoom: 1 = Sunday ... 7 = Saturday; Python: Monday = 0 ... Sunday = 6.
PYTHON_WEEKDAY = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}

starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2032, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
# Local wall-clock times that exist on every day in every zone above (no DST gap starts before 03:00).
local_hours = st.integers(min_value=4, max_value=22)


def local_times(occurrences: list[Occurrence], zone: ZoneInfo) -> set[tuple[int, int]]:
    return {(o.start_time.astimezone(zone).hour, o.start_time.astimezone(zone).minute) for o in occurrences}


@settings(max_examples=200, deadline=None)
@given(
    start=starts,
    hour=local_hours,
    zone_name=st.sampled_from(ZONES),
    interval=st.integers(min_value=1, max_value=90),
    count=st.integers(min_value=1, max_value=60),
)
def test_daily(start: datetime, hour: int, zone_name: str, interval: int, count: int) -> None:
    zone = ZoneInfo(zone_name)
    first = start.replace(hour=hour, tzinfo=zone)
    result = expand(
        {"type": 1, "repeat_interval": interval, "end_times": count}, first.astimezone(UTC), zone, 30
    )
    assert len(result) == count
    local_days = [o.start_time.astimezone(zone).date() for o in result]
    assert all((b - a).days == interval for a, b in pairwise(local_days))
    assert local_times(result, zone) == {(hour, first.minute)}
    assert all(o.occurrence_id == str(o.start * 1000) and o.duration == 30 for o in result)
    assert all(o.status is OccurrenceStatus.AVAILABLE for o in result)


@settings(max_examples=200, deadline=None)
@given(
    start=starts,
    hour=local_hours,
    zone_name=st.sampled_from(ZONES),
    interval=st.integers(min_value=1, max_value=12),
    days=st.sets(st.integers(min_value=1, max_value=7), min_size=1),
    count=st.integers(min_value=1, max_value=60),
)
def test_weekly(
    start: datetime, hour: int, zone_name: str, interval: int, days: set[int], count: int
) -> None:
    zone = ZoneInfo(zone_name)
    first = start.replace(hour=hour, tzinfo=zone)
    recurrence = {
        "type": 2,
        "repeat_interval": interval,
        "weekly_days": ",".join(map(str, sorted(days))),
        "end_times": count,
    }
    result = expand(recurrence, first.astimezone(UTC), zone, 45)
    assert len(result) == count
    local = [o.start_time.astimezone(zone) for o in result]
    assert {d.weekday() for d in local} <= {PYTHON_WEEKDAY[d] for d in days}
    assert local == sorted(local) and local[0] >= first
    assert local_times(result, zone) == {(hour, first.minute)}
    week_of = [
        (d.date() - timedelta(days=d.weekday()) - (first.date() - timedelta(days=first.weekday()))).days // 7
        for d in local
    ]
    assert all(week % interval == 0 for week in week_of)


@settings(max_examples=200, deadline=None)
@given(
    start=starts,
    zone_name=st.sampled_from(ZONES),
    interval=st.integers(min_value=1, max_value=3),
    monthly=st.one_of(
        st.integers(min_value=1, max_value=31).map(lambda d: {"monthly_day": d}),
        st.tuples(st.sampled_from([-1, 1, 2, 3, 4]), st.integers(min_value=1, max_value=7)).map(
            lambda w: {"monthly_week": w[0], "monthly_week_day": w[1]}
        ),
    ),
    count=st.integers(min_value=1, max_value=60),
)
def test_monthly(start: datetime, zone_name: str, interval: int, monthly: dict[str, int], count: int) -> None:
    zone = ZoneInfo(zone_name)
    first = start.replace(hour=10, tzinfo=zone)
    result = expand(
        {"type": 3, "repeat_interval": interval, "end_times": count, **monthly},
        first.astimezone(UTC),
        zone,
        60,
    )
    assert len(result) == count
    for o in result:
        local = o.start_time.astimezone(zone)
        months = (local.year - first.year) * 12 + local.month - first.month
        assert months % interval == 0 and (local.hour, local.minute) == (10, first.minute)
        if "monthly_day" in monthly:
            assert local.day == monthly["monthly_day"]
        else:
            assert local.weekday() == PYTHON_WEEKDAY[monthly["monthly_week_day"]]
            if monthly["monthly_week"] == -1:
                assert (local + timedelta(days=7)).month != local.month
            else:
                assert (local.day - 1) // 7 + 1 == monthly["monthly_week"]


@settings(max_examples=100, deadline=None)
@given(start=starts, zone_name=st.sampled_from(ZONES), until_days=st.integers(min_value=0, max_value=400))
def test_end_date_time_bounds_the_series_and_the_cap_holds(
    start: datetime, zone_name: str, until_days: int
) -> None:
    zone = ZoneInfo(zone_name)
    first = start.replace(hour=9, tzinfo=zone).astimezone(UTC)
    until = first + timedelta(days=until_days)
    result = expand({"type": 1, "end_date_time": until.strftime("%Y-%m-%dT%H:%M:%SZ")}, first, zone, 30)
    assert (
        len(result) == min(until_days + 1, MAX_OCCURRENCES) or abs(len(result) - min(until_days + 1, 60)) <= 1
    )
    assert len(result) <= MAX_OCCURRENCES
    assert all(o.start_time <= until + timedelta(hours=1) for o in result)


def test_a_weekly_meeting_keeps_its_local_time_across_dst() -> None:
    zone = ZoneInfo("Europe/Berlin")
    first = datetime(2030, 3, 18, 9, 0, tzinfo=zone)  # CET; DST starts 2030-03-31
    result = expand({"type": 2, "weekly_days": "2", "end_times": 4}, first.astimezone(UTC), zone, 30)
    assert [o.start_time.strftime("%Y-%m-%dT%H:%M") for o in result] == [
        "2030-03-18T08:00",
        "2030-03-25T08:00",
        "2030-04-01T07:00",
        "2030-04-08T07:00",
    ]


def test_recomputing_keeps_edits_and_deletions_that_still_apply() -> None:
    first = datetime(2030, 1, 1, 9, tzinfo=UTC)
    series = expand({"type": 1, "end_times": 5}, first, UTC, 30)
    moved = Occurrence(series[1].occurrence_id, series[1].start + 7200, 30)
    deleted = Occurrence(series[2].occurrence_id, series[2].start, 30, OccurrenceStatus.DELETED)
    dropped = Occurrence(series[4].occurrence_id, series[4].start, 90)
    edited = [series[0], moved, deleted, series[3], dropped]
    shorter = expand({"type": 1, "end_times": 4}, first, UTC, 30, edited)
    assert shorter == [series[0], moved, deleted, series[3]]
    assert moved.is_edited and not series[0].is_edited
    assert moved.start_time == datetime(2030, 1, 2, 11, tzinfo=UTC)


def test_recurrence_any_unknown_keys_are_ignored() -> None:
    recurrence: dict[str, Any] = {"type": 1, "end_times": 2, "weekly_days": "1", "monthly_day": 5}
    assert len(expand(recurrence, datetime(2030, 1, 1, tzinfo=UTC), UTC, 30)) == 2
