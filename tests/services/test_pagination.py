from __future__ import annotations

import pytest

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.domain.errors import ValidationFailed
from moot.services import pagination
from moot.services.context import Deps, Keys


def deps_with(clock: ControllableClock, key: bytes) -> Deps:
    return Deps(store=None, clock=clock, settings=Settings(), keys=Keys(key))  # type: ignore[arg-type]


def test_a_token_round_trips_its_state(clock: ControllableClock) -> None:
    deps = deps_with(clock, b"k" * 32)
    token = pagination.encode(deps, "meetings", {"t": "upcoming", "n": 30})
    assert pagination.decode(deps, "meetings", token) == {
        "k": "meetings",
        "x": clock.timestamp() + 900,
        "t": "upcoming",
        "n": 30,
    }


def test_tokens_are_bound_to_kind_key_and_time(clock: ControllableClock) -> None:
    deps = deps_with(clock, b"k" * 32)
    token = pagination.encode(deps, "meetings", {"n": 30})
    with pytest.raises(ValidationFailed):
        pagination.decode(deps, "users", token)
    with pytest.raises(ValidationFailed):
        pagination.decode(deps_with(clock, b"j" * 32), "meetings", token)
    clock.advance(901)
    with pytest.raises(ValidationFailed):
        pagination.decode(deps, "meetings", token)
