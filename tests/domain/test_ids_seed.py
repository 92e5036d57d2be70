"""``ids.use_seed``: the same ids in the same order on every run, and back to the OS afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moot.domain import ids
from moot.domain.registrants import participant_pin_code, registrant_token


@pytest.fixture(autouse=True)
def unseeded() -> Iterator[None]:
    yield
    ids.use_seed(None)


def _draw() -> list[object]:
    return [
        ids.meeting_number(),
        ids.meeting_uuid(),
        ids.user_id(),
        ids.client_id(),
        ids.client_secret(),
        ids.passcode(),
        ids.numeric_passcode(),
        ids.encrypted_passcode(),
        ids.personal_meeting_id(),
        registrant_token(),
        participant_pin_code(),
    ]


def test_a_seed_repeats_every_id() -> None:
    ids.use_seed(42)
    first = _draw()
    ids.use_seed(42)
    assert _draw() == first
    ids.use_seed(43)
    assert _draw() != first


def test_tracking_ids_do_not_move_the_seeded_sequence() -> None:
    ids.use_seed(7)
    expected = ids.meeting_number()
    ids.use_seed(7)
    ids.tracking_id(), ids.webhook_tracking_id()
    assert ids.meeting_number() == expected


def test_the_state_can_be_put_back() -> None:
    ids.use_seed(1)
    ids.user_id()
    state = ids.seed_state()
    after = _draw()
    ids.restore_seed_state(state)
    assert _draw() == after


def test_without_a_seed_ids_come_from_the_os() -> None:
    ids.use_seed(5)
    ids.use_seed(None)
    assert ids.seed_state() is None
    assert len({ids.meeting_number() for _ in range(50)}) == 50
