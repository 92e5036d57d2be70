"""Testing code that calls Zoom, with moot: the pytest plugin's fixtures (``moot_server``, ``moot_app``,
``moot_credentials``; see ``moot.testing.plugin``) and ``mock_zoom()``, which answers Zoom's own URLs
from an in-process moot.

    from moot.testing import mock_zoom

    @mock_zoom
    def test_sync_creates_a_meeting():
        sync_calendar()  # calls https://api.zoom.us/v2/... with requests or httpx, unchanged

The names below are imported on first use: pytest imports this package for the plugin in every run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moot.testing.admin import Admin, AdminError, ClockControl, Faults
    from moot.testing.credentials import Credentials
    from moot.testing.inprocess import InProcessMoot
    from moot.testing.mock import MockZoom, active_mock, mock_zoom
    from moot.testing.server import EmulatorProcess, MootServer, StartFailed, start_emulator

_WHERE = {
    "Admin": "admin",
    "AdminError": "admin",
    "ClockControl": "admin",
    "Faults": "admin",
    "Credentials": "credentials",
    "InProcessMoot": "inprocess",
    "MockZoom": "mock",
    "active_mock": "mock",
    "mock_zoom": "mock",
    "EmulatorProcess": "server",
    "MootServer": "server",
    "StartFailed": "server",
    "start_emulator": "server",
}

__all__ = [
    "Admin",
    "AdminError",
    "ClockControl",
    "Credentials",
    "EmulatorProcess",
    "Faults",
    "InProcessMoot",
    "MockZoom",
    "MootServer",
    "StartFailed",
    "active_mock",
    "mock_zoom",
    "start_emulator",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"moot.testing.{module}"), name)
