"""The local days a Zoom recurrence falls on, computed directly from its three kinds of rule.

Days are proleptic Gregorian ordinals (``date.toordinal()``). The rules read as RFC 5545 does with weeks
beginning on Monday, exactly as ``dateutil.rrule`` computes them (the test suite holds the two equal):

- daily (type 1): every ``repeat_interval`` days from the first day;
- weekly (type 2): the ``weekly_days`` (1 = Sunday ... 7 = Saturday) of every ``repeat_interval``-th
  Monday-to-Sunday week from the first day's week, none before the first day;
- monthly (type 3): every ``repeat_interval``-th month from the first day's month, on ``monthly_day`` (a
  month without that day is skipped) or on the ``monthly_week``-th ``monthly_week_day`` (-1: the last).
"""

from __future__ import annotations

from calendar import isleap
from datetime import MAXYEAR, date
from typing import Any

# Zoom numbers days 1 = Sunday ... 7 = Saturday; Python 0 = Monday ... 6 = Sunday.
_ZOOM_WEEKDAYS = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}
LAST_DAY = date.max.toordinal()
_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def local_days(recurrence: dict[str, Any], first: date, last: int, limit: int) -> list[int]:
    """The first ``limit`` days, from ``first`` to the day ``last`` (both included), that the
    recurrence falls on."""
    kind = int(recurrence["type"])
    interval = int(recurrence.get("repeat_interval") or 1)
    if kind == 1:
        return list(range(first.toordinal(), last + 1, interval)[: max(limit, 0)])
    if kind == 2:
        weekdays = sorted(
            {_ZOOM_WEEKDAYS[int(day)] for day in str(recurrence.get("weekly_days") or "1").split(",")}
        )
        return _weekly(first, last, limit, interval, weekdays)
    if kind == 3:
        return _monthly(recurrence, first, last, limit, interval)
    raise ValueError(f"unknown recurrence type {kind}")


def _weekly(first: date, last: int, limit: int, interval: int, weekdays: list[int]) -> list[int]:
    start = first.toordinal()
    days: list[int] = []
    monday = start - first.weekday()
    while len(days) < limit:
        for weekday in weekdays:
            day = monday + weekday
            if day > last:
                return days
            if day >= start:
                days.append(day)
                if len(days) == limit:
                    return days
        monday += 7 * interval
    return days


def _monthly(recurrence: dict[str, Any], first: date, last: int, limit: int, interval: int) -> list[int]:
    month_day, week, weekday = 0, 0, 0
    if recurrence.get("monthly_week") is not None:
        week = int(recurrence["monthly_week"])
        weekday = _ZOOM_WEEKDAYS[int(recurrence["monthly_week_day"])]
        if week == 0:
            raise ValueError("monthly_week cannot be 0")
    else:
        month_day = int(recurrence.get("monthly_day") or 1)
    start = first.toordinal()
    days: list[int] = []
    year, month = first.year, first.month
    while len(days) < limit and year <= MAXYEAR:
        month_start = date(year, month, 1).toordinal()
        if month_start > last:
            break
        length = _MONTH_LENGTHS[month - 1] + (month == 2 and isleap(year))
        if week > 0:
            offset = (weekday - month_start + 1) % 7 + 7 * (week - 1)
        elif week < 0:
            offset = length - 1 - (month_start + length - 2 - weekday) % 7 + 7 * (week + 1)
        else:
            offset = month_day - 1 if month_day > 0 else length + month_day
        if 0 <= offset < length:
            day = month_start + offset
            if day > last:
                break
            if day >= start:
                days.append(day)
        year, month = year + (month - 1 + interval) // 12, (month - 1 + interval) % 12 + 1
    return days
