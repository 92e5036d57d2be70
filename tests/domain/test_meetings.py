from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moot.domain.meetings import (
    DEFAULT_SETTINGS,
    Meeting,
    MeetingStatus,
    MeetingType,
    Passcodes,
    meeting_list_item,
    merged_settings,
)
from moot.domain.recurrence import Occurrence

CREATED = datetime(2026, 1, 15, 12, tzinfo=UTC)


def meeting(meeting_type: MeetingType, start: datetime | None = None, **changes: object) -> Meeting:
    values: dict[str, object] = {
        "id": 81234567890,
        "uuid": "AipegThUNJK9+ZEJAJhRjA==",
        "account_id": "acc",
        "host_id": "host",
        "host_email": "h@example.com",
        "topic": "t",
        "type": meeting_type,
        "status": MeetingStatus.WAITING,
        "start_time": start,
        "duration": 30,
        "timezone": "UTC",
        "agenda": "",
        "created_at": CREATED,
        "passcodes": Passcodes("abc123", "111111", "111111", "x" * 30 + ".1"),
        "settings": dict(DEFAULT_SETTINGS),
    }
    values.update(changes)
    return Meeting(**values)  # type: ignore[arg-type]


def test_expiry_by_type() -> None:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    assert meeting(MeetingType.SCHEDULED, start).expires_at == start + timedelta(days=30)
    assert meeting(MeetingType.INSTANT).expires_at == CREATED + timedelta(days=30)
    assert meeting(MeetingType.RECURRING_NO_FIXED_TIME).expires_at == CREATED + timedelta(days=365)
    series = meeting(
        MeetingType.RECURRING_FIXED_TIME,
        start,
        occurrences=[Occurrence.at(start, 30), Occurrence.at(start + timedelta(days=7), 45)],
    )
    assert series.expires_at == start + timedelta(days=37)


def test_sort_time_falls_back_to_creation() -> None:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    assert meeting(MeetingType.SCHEDULED, start).sort_time == start
    assert meeting(MeetingType.RECURRING_NO_FIXED_TIME, start).sort_time == CREATED
    assert meeting(MeetingType.SCHEDULED, start).end_time == start + timedelta(minutes=30)


def test_recovery_window_is_seven_days() -> None:
    deleted = meeting(MeetingType.SCHEDULED, CREATED, deleted_at=CREATED)
    assert deleted.is_recoverable(CREATED + timedelta(days=7))
    assert not deleted.is_recoverable(CREATED + timedelta(days=7, seconds=1))
    assert not meeting(MeetingType.SCHEDULED, CREATED).is_recoverable(CREATED)


def test_passcodes_from_a_numeric_password_reuse_it() -> None:
    codes = Passcodes.from_password("246810")
    assert (codes.h323_password, codes.pstn_password) == ("246810", "246810")
    assert Passcodes.from_password("") == Passcodes("", "", "", "")


def test_waiting_room_turns_join_before_host_off_unless_both_are_sent() -> None:
    on = {**DEFAULT_SETTINGS, "join_before_host": True}
    assert merged_settings(on, {"waiting_room": True})["join_before_host"] is False
    assert merged_settings(on, {"waiting_room": True, "join_before_host": True})["join_before_host"] is True


def test_list_items_cut_the_agenda_and_drop_an_empty_one() -> None:
    long = meeting(MeetingType.SCHEDULED, CREATED, agenda="a" * 300)
    assert meeting_list_item(long, join_url="u", now=CREATED)["agenda"] == "a" * 250
    assert "agenda" not in meeting_list_item(
        meeting(MeetingType.SCHEDULED, CREATED), join_url="u", now=CREATED
    )
    assert "start_time" not in meeting_list_item(
        meeting(MeetingType.RECURRING_NO_FIXED_TIME), join_url="u", now=CREATED
    )
