"""Zoom's rate limits (contract.md §7): per account and rate label, per second and per day by plan, plus
100 meeting creates and updates per host user a day, reset at 00:00 UTC.

Pure rules: which label an operation has, what a plan allows, how an account's mode scales it, and what
a 429 says. Counting lives in services.ratelimits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from moot.domain.accounts import Plan


class RateLabel(StrEnum):
    LIGHT = "Light"
    MEDIUM = "Medium"
    HEAVY = "Heavy"
    RESOURCE_INTENSIVE = "Resource-intensive"


OPERATION_LABELS: dict[str, RateLabel] = {
    "meetingCreate": RateLabel.MEDIUM,
    "meeting": RateLabel.LIGHT,
    "meetings": RateLabel.MEDIUM,
    "meetingUpdate": RateLabel.LIGHT,
    "meetingDelete": RateLabel.LIGHT,
    "meetingStatus": RateLabel.LIGHT,
    "meetingRegistrantCreate": RateLabel.LIGHT,
    "meetingRegistrants": RateLabel.MEDIUM,
    "meetingRegistrantStatus": RateLabel.MEDIUM,
    "meetingRegistrantGet": RateLabel.LIGHT,
    "meetingregistrantdelete": RateLabel.LIGHT,
    "meetingInvitation": RateLabel.LIGHT,
    "meetingIcs": RateLabel.LIGHT,
    "pastMeetingDetails": RateLabel.LIGHT,
    "pastMeetings": RateLabel.MEDIUM,
    "pastMeetingParticipants": RateLabel.MEDIUM,
    "user": RateLabel.LIGHT,
    "users": RateLabel.MEDIUM,
    "userCreate": RateLabel.LIGHT,
}

# Operations counted against the host's 100 a day.
HOST_QUOTA_OPERATIONS = frozenset({"meetingCreate", "meetingUpdate"})
HOST_DAILY_QUOTA = 100


@dataclass(frozen=True, slots=True)
class LabelLimit:
    per_window: int  # requests per window
    window: int  # seconds: 1, or 60 for Resource-intensive
    per_day: int | None  # None: no daily cap for this label on this plan
    day_pool: str  # labels sharing one daily pool count into the same key


def _limits(
    light: int, medium: int, heavy: int, ri_per_minute: int, daily: dict[RateLabel, int], shared: bool
) -> dict[RateLabel, LabelLimit]:
    pool = "heavy+ri" if shared else ""
    return {
        RateLabel.LIGHT: LabelLimit(light, 1, daily.get(RateLabel.LIGHT), "light"),
        RateLabel.MEDIUM: LabelLimit(medium, 1, daily.get(RateLabel.MEDIUM), "medium"),
        RateLabel.HEAVY: LabelLimit(heavy, 1, daily.get(RateLabel.HEAVY), pool or "heavy"),
        RateLabel.RESOURCE_INTENSIVE: LabelLimit(
            ri_per_minute, 60, daily.get(RateLabel.RESOURCE_INTENSIVE), pool or "resource-intensive"
        ),
    }


PLAN_LIMITS: dict[Plan, dict[RateLabel, LabelLimit]] = {
    Plan.FREE: _limits(
        4,
        2,
        1,
        10,
        {
            RateLabel.LIGHT: 6_000,
            RateLabel.MEDIUM: 2_000,
            RateLabel.HEAVY: 1_000,
            RateLabel.RESOURCE_INTENSIVE: 30_000,
        },
        shared=False,
    ),
    Plan.PRO: _limits(
        30, 20, 10, 10, {RateLabel.HEAVY: 30_000, RateLabel.RESOURCE_INTENSIVE: 30_000}, shared=True
    ),
    Plan.BUSINESS: _limits(
        80, 60, 40, 20, {RateLabel.HEAVY: 60_000, RateLabel.RESOURCE_INTENSIVE: 60_000}, shared=True
    ),
}

_SCALE = re.compile(r"^x(\d+(?:\.\d+)?)$")


class InvalidRateLimitMode(ValueError):
    pass


def scale_of(mode: str) -> float | None:
    """How an account's mode scales Zoom's limits: 1 for ``zoom``, N for ``xN``, None for ``off``."""
    if mode == "off":
        return None
    if mode == "zoom":
        return 1.0
    match = _SCALE.match(mode)
    if match is None or float(match.group(1)) <= 0:
        raise InvalidRateLimitMode(f"rate limits must be 'zoom', 'off' or 'xN' (N > 0), not {mode!r}")
    return float(match.group(1))


def scaled(limit: int, scale: float) -> int:
    return max(1, int(limit * scale))


def next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)


PER_SECOND_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. "
    "Refer to the response header for details on when you can make another request."
)
HOST_QUOTA_MESSAGE = (
    "You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests permitted "
    "for this particular user. You may resume these requests at GMT 00:00:00."
)
