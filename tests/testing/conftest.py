"""The plugin is tested as its users meet it: with pytest's own ``pytester``, a user's test suite in a
temporary directory run by a separate pytest process, where the plugin is loaded through its entry
point like any installed plugin."""

from __future__ import annotations

import pytest

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = -p no:cacheprovider
"""


def pytest_configure(config: pytest.Config) -> None:
    # pytester is a plugin of pytest's own, off by default; a conftest below the root may not name it in
    # pytest_plugins, so it is registered here.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def user_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A directory for a user's test suite, with asyncio tests on (pytest-asyncio, auto mode)."""
    pytester.makeini(INI)
    return pytester


def outcomes(result: pytest.RunResult) -> dict[str, int]:
    """The run's counts (passed, failed, ...), without warnings."""
    return {name: count for name, count in result.parseoutcomes().items() if not name.startswith("warning")}


def ran(result: pytest.RunResult) -> str:
    return "\n".join(result.outlines + result.errlines)
