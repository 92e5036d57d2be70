"""``total_records`` of a meeting list without reading every meeting of the host.

Triggers keep each host's count of listable meetings (not deleted, not instant) in
``host_meeting_counts`` (migration 0008; on PostgreSQL spread over slots, summed here). Then:

- ``scheduled`` (the default) = that count - the expired ones: a range count on ``ix_meetings_host_expiry``
  (``expires_at <= now``), whose cost grows only with the host's expired meetings that are not deleted.
- ``upcoming`` / ``upcoming_meetings`` = ``scheduled`` - the meetings that are over, not in progress and not
  type 3. Those expire at most ``SCHEDULED_LIFETIME`` (30 days) after their end: the start of a type 2
  meeting, or of a series' last occurrence, is before its end, and it expires 30 days after that start.
  So they are counted on the range ``now < expires_at <= now + 30 days`` of the same index: the cost
  grows with the meetings expiring in the next 30 days, not with the host's history or future.

Lists with ``from``/``to``, ``live`` and ``previous_meetings`` count what their filter selects
(``codec.meeting_list_filter``) on the indexes: ``live`` reads only meetings in progress
(``ix_meetings_host_live``), ``previous_meetings`` its six months of ``sort_time``, ``to`` bounds
``sort_time``; ``from`` alone reads the host's entries of ``ix_meetings_host_list`` up to the end.
"""

from __future__ import annotations

from typing import Any

from moot.domain.listing import ListType, MeetingQuery
from moot.domain.meetings import SCHEDULED_LIFETIME
from moot.domain.times import format_zoom

_LISTED = "SELECT COALESCE(SUM(listed), 0) FROM host_meeting_counts WHERE account_id = ? AND host_id = ?"
_HOST = "FROM meetings WHERE host_id = ? AND account_id = ? AND deleted_at IS NULL AND type <> 1"
SCHEDULED_COUNT = f"SELECT ({_LISTED}) - (SELECT COUNT(*) {_HOST} AND expires_at <= ?)"
UPCOMING_COUNT = (
    f"SELECT ({_LISTED}) - (SELECT COUNT(*) {_HOST} AND expires_at <= ?)"
    f" - (SELECT COUNT(*) {_HOST} AND expires_at > ? AND expires_at <= ? AND end_time < ?"
    " AND type <> 3 AND status <> 'started')"
)
# What the triggers keep, counted from the meetings themselves (tests, and checking a database).
LISTED_BY_COUNTING = (
    "SELECT COUNT(*) FROM meetings WHERE account_id = ? AND host_id = ? AND deleted_at IS NULL AND type <> 1"
)
LISTED_BY_COUNTER = _LISTED

_UPCOMING = (ListType.UPCOMING, ListType.UPCOMING_MEETINGS)


def counted_total(query: MeetingQuery) -> tuple[str, list[Any]] | None:
    """The SQL (``?`` placeholders) and params answering ``total_records`` from the host's count, or None
    when the list has to count what its filter selects."""
    if query.from_date is not None or query.to_date is not None:
        return None
    host, account, now = query.host_id, query.account_id, format_zoom(query.now)
    if query.list_type is ListType.SCHEDULED:
        return SCHEDULED_COUNT, [account, host, host, account, now]
    if query.list_type in _UPCOMING:
        horizon = format_zoom(query.now + SCHEDULED_LIFETIME)
        return UPCOMING_COUNT, [account, host, host, account, now, host, account, now, horizon, now]
    return None
