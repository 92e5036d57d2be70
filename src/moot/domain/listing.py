"""What ``GET /users/{userId}/meetings`` lists for each ``type``, as a query on stored meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum


class ListType(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    UPCOMING = "upcoming"
    UPCOMING_MEETINGS = "upcoming_meetings"
    PREVIOUS_MEETINGS = "previous_meetings"


# Since 2024-11 the upcoming and previous lists return at most six months of data.
HISTORY_WINDOW = timedelta(days=183)
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300
# Far beyond any real list; keeps offsets within 64-bit integers.
MAX_PAGE_NUMBER = 10_000_000


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last meeting of the previous page, in list order."""

    sort_time: str
    meeting_id: int


@dataclass(frozen=True, slots=True)
class MeetingQuery:
    account_id: str
    host_id: str
    list_type: ListType
    now: datetime
    page_size: int = DEFAULT_PAGE_SIZE
    from_date: date | None = None
    to_date: date | None = None
    dates_zone: tzinfo = UTC  # the zone whose days from_date and to_date name
    after: Cursor | None = None
    offset: int = 0
    # Counted on the first page and carried by the page token, so later pages skip the COUNT.
    known_total: int | None = None
