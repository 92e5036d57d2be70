"""The direct computation of a series' starts equals dateutil's rrule expansion (what moot used before,
kept here as the reference) for every recurrence, zone and start, DST changes included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday
from hypothesis import example, given, settings
from hypothesis import strategies as st

from moot.domain.recurrence import MAX_OCCURRENCES, scheduled_starts
from moot.domain.timezones import resolve

_FREQUENCIES: dict[int, Any] = {1: DAILY, 2: WEEKLY, 3: MONTHLY}
_WEEKDAYS = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def _reference_rule(recurrence: dict[str, Any], local_start: datetime, zone: tzinfo) -> rrule:
    kind = int(recurrence["type"])
    options: dict[str, Any] = {
        "dtstart": local_start,
        "interval": int(recurrence.get("repeat_interval") or 1),
    }
    if kind == 2:
        days = str(recurrence.get("weekly_days") or "1").split(",")
        options["byweekday"] = sorted({_WEEKDAYS[int(day)] for day in days})
    elif kind == 3:
        if recurrence.get("monthly_week") is not None:
            day = _WEEKDAYS[int(recurrence["monthly_week_day"])]
            options["byweekday"] = weekday(day, int(recurrence["monthly_week"]))
        else:
            options["bymonthday"] = int(recurrence.get("monthly_day") or 1)
    if recurrence.get("end_date_time"):
        until = datetime.fromisoformat(str(recurrence["end_date_time"]))
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        options["until"] = until.astimezone(zone).replace(tzinfo=None)
    else:
        options["count"] = min(int(recurrence.get("end_times") or 1), MAX_OCCURRENCES)
    return rrule(_FREQUENCIES[kind], **options)


def reference_scheduled_starts(recurrence: dict[str, Any], start: datetime, zone: tzinfo) -> list[int]:
    """moot's expansion until the direct computation replaced it, verbatim: rrule over local wall
    times, each mapped to UTC by the zone's offset at that (fold=0) wall time."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    rule = _reference_rule(recurrence, local_start, zone)
    return [
        (local - _EPOCH) // _SECOND - (zone.utcoffset(local) or timedelta()) // _SECOND
        for local in islice(rule, MAX_OCCURRENCES)
    ]


# DST both ways, southern hemisphere (Sydney, Santiago, Sao Paulo until 2019, Auckland), a 30-minute DST
# (Lord Howe), a 45-minute offset (Chatham), negative DST (Dublin), DST suspended yearly for Ramadan
# (Casablanca), DST that ended (Tehran 2022), and fixed offsets as ``GMT+5:30`` resolves.
ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Europe/London"),
    ZoneInfo("Europe/Dublin"),
    ZoneInfo("Australia/Sydney"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Pacific/Auckland"),
    ZoneInfo("Pacific/Chatham"),
    ZoneInfo("America/Santiago"),
    ZoneInfo("America/Sao_Paulo"),
    ZoneInfo("America/St_Johns"),
    ZoneInfo("Africa/Casablanca"),
    ZoneInfo("Asia/Tehran"),
    ZoneInfo("Asia/Kolkata"),
    timezone(timedelta(hours=-3)),
    resolve("GMT+5:30") or UTC,
]


@st.composite
def starts(draw: st.DrawFn, zone: tzinfo) -> datetime:
    """An instant, often a local wall time near a DST change's hour (skipped or repeated ones too, with
    either fold), sometimes with seconds and a fraction."""
    wall = draw(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 12, 31)))
    if draw(st.booleans()):
        wall = wall.replace(hour=draw(st.integers(0, 3)), minute=draw(st.sampled_from([0, 15, 30, 45, 59])))
    if draw(st.integers(0, 9)) == 0:
        wall = wall.replace(year=draw(st.integers(2101, 2998)), day=min(wall.day, 28))
    if draw(st.booleans()):
        wall = wall.replace(second=0, microsecond=0)
    return wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1))).astimezone(UTC)


@st.composite
def recurrences(draw: st.DrawFn) -> dict[str, Any]:
    """Recurrence objects as moot stores them, intervals a little past Zoom's limits (90 days, 12 weeks,
    3 months) now and then."""
    kind = draw(st.sampled_from([1, 2, 3]))
    recurrence: dict[str, Any] = {"type": kind}
    limit = {1: 120, 2: 16, 3: 13}[kind]
    interval = draw(st.one_of(st.none(), st.integers(1, limit)))
    if interval is not None:
        recurrence["repeat_interval"] = interval
    if kind == 2:
        days = draw(st.lists(st.integers(1, 7), min_size=1, max_size=9))
        recurrence["weekly_days"] = ",".join(map(str, days))
    if kind == 3:
        if draw(st.booleans()):
            recurrence["monthly_week"] = draw(st.sampled_from([-1, 1, 2, 3, 4]))
            recurrence["monthly_week_day"] = draw(st.integers(1, 7))
        else:
            recurrence["monthly_day"] = draw(st.integers(1, 31))
    return recurrence


@st.composite
def series(draw: st.DrawFn) -> tuple[dict[str, Any], datetime, tzinfo]:
    zone = draw(st.sampled_from(ZONES))
    start = draw(starts(zone))
    recurrence = draw(recurrences())
    if draw(st.booleans()):
        recurrence["end_times"] = draw(st.integers(1, 70))
    else:
        # Up to ten years on, often a whole number of days or hours on (an end at an occurrence's start).
        step = draw(st.sampled_from([timedelta(seconds=1), timedelta(hours=1), timedelta(days=1)]))
        until = start + step * draw(st.integers(-2, int(timedelta(days=3660) / step)))
        text = until.strftime("%Y-%m-%dT%H:%M:%S")
        recurrence["end_date_time"] = text if draw(st.integers(0, 4)) == 0 else text + "Z"
    return recurrence, start, zone


@settings(max_examples=2000, deadline=None)
@given(series())
@example(({"type": 1, "end_times": 10}, datetime(2030, 3, 10, 7, 30, tzinfo=UTC), ZONES[1]))  # 02:30 skipped
@example(({"type": 1, "end_times": 10}, datetime(2030, 11, 3, 6, 30, tzinfo=UTC), ZONES[1]))  # 01:30 twice
@example(
    ({"type": 2, "weekly_days": "1", "end_times": 60}, datetime(2030, 4, 6, 15, 30, tzinfo=UTC), ZONES[6])
)
@example(
    (
        {"type": 3, "monthly_day": 31, "repeat_interval": 12, "end_times": 5},
        datetime(2030, 4, 1, tzinfo=UTC),
        UTC,
    )
)
@example(
    (
        {"type": 3, "monthly_day": 29, "repeat_interval": 12, "end_times": 3},
        datetime(2030, 2, 1, tzinfo=UTC),
        UTC,
    )
)
@example(
    (
        {"type": 3, "monthly_day": 29, "repeat_interval": 12, "end_times": 2},
        datetime(2100, 2, 1, tzinfo=UTC),
        UTC,
    )
)
@example(
    ({"type": 1, "end_date_time": "2030-01-03T09:00:00Z"}, datetime(2030, 1, 1, 9, 0, 0, 5, tzinfo=UTC), UTC)
)
def test_direct_starts_equal_the_rrule_expansion(case: tuple[dict[str, Any], datetime, tzinfo]) -> None:
    recurrence, start, zone = case
    assert scheduled_starts(recurrence, start, zone) == reference_scheduled_starts(recurrence, start, zone)
