"""The admin API's errors for what only the emulator can do, in Zoom's ``{"code", "message"}`` shape."""

from __future__ import annotations

from moot.domain.errors import ZoomError


class ClockNotControllable(ZoomError):
    code = 300
    template = (
        "This server runs on the system clock, which cannot be frozen or moved: "
        "start it with `moot emulate` for a controllable clock."
    )


class NothingToReset(ZoomError):
    code = 300
    template = "This server has no seed to reset to: start it with `moot emulate` to reset it."


class StateImportFailed(ZoomError):
    code = 300
    template = "The state could not be imported: {reason}."
