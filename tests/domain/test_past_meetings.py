"""Past meetings' rules: participant numbering, minutes rounded up, Zoom's key order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moot.domain.past_meetings import (
    MeetingInstance,
    Participant,
    ParticipantStatus,
    parse_meeting_number,
    participant_user_id,
    participant_uuid,
    past_meeting_to_wire,
    past_participant_to_wire,
)

START = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_participants_are_numbered_as_zoom_numbers_them() -> None:
    assert [participant_user_id(n) for n in (1, 2, 3)] == ["16778240", "16779264", "16780288"]


def test_participant_uuids_are_upper_case_uuids() -> None:
    value = participant_uuid()
    assert len(value) == 36 and value == value.upper() and value.count("-") == 4


@pytest.mark.parametrize(
    ("raw", "number"),
    [("85746065432", 85746065432), ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None)],
)
def test_meeting_numbers_are_int64(raw: str, number: int | None) -> None:
    assert parse_meeting_number(raw) == number


@pytest.mark.parametrize("raw", ["", "abc", "-1", "1.5", "ZT8AXBgtSeSrHz34lcWs2g==", "١٢٣"])
def test_anything_else_is_not_a_meeting_number(raw: str) -> None:
    assert parse_meeting_number(raw) is None


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (60, 1), (61, 2), (330, 6)])
def test_durations_round_up_to_whole_minutes(seconds: int, minutes: int) -> None:
    instance = MeetingInstance(
        uuid="u",
        meeting_id=1,
        account_id="a",
        host_id="h",
        host_email="h@example.com",
        host_name="H",
        topic="T",
        type=2,
        start_time=START,
        end_time=START + timedelta(seconds=seconds),
        participants_count=1,
        total_seconds=seconds,
    )
    wire = past_meeting_to_wire(instance)
    assert (wire["duration"], wire["total_minutes"]) == (minutes, minutes)
    assert list(wire) == [
        "uuid",
        "id",
        "host_id",
        "type",
        "topic",
        "user_name",
        "user_email",
        "start_time",
        "end_time",
        "duration",
        "total_minutes",
        "participants_count",
    ]


def test_a_participant_lists_in_the_specs_order_with_seconds() -> None:
    participant = Participant(
        instance_uuid="u",
        user_id="16778240",
        participant_uuid="P",
        name="Jill",
        email="jill@example.com",
        status=ParticipantStatus.IN_MEETING,
        join_time=START,
        leave_time=START + timedelta(seconds=259),
        registrant_id="r1",
    )
    assert past_participant_to_wire(participant) == {
        "id": "",
        "name": "Jill",
        "user_id": "16778240",
        "user_email": "jill@example.com",
        "join_time": "2026-01-15T12:00:00Z",
        "leave_time": "2026-01-15T12:04:19Z",
        "duration": 259,
        "failover": False,
        "status": "in_meeting",
    }
    assert list(past_participant_to_wire(participant, registrant_id=True))[:5] == [
        "id",
        "name",
        "user_id",
        "registrant_id",
        "user_email",
    ]
