"""The plugin as pytest loads it: registered by moot's installation, cheap to import, inert until used."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from tests.testing.conftest import outcomes, ran


def test_moot_installs_the_plugin_under_the_pytest11_entry_point() -> None:
    (found,) = [point for point in entry_points(group="pytest11") if point.name == "moot"]
    assert found.value == "moot.testing.plugin"


def test_importing_the_plugin_imports_nothing_else() -> None:
    # In a fresh interpreter that has pytest loaded, as it is when pytest loads its plugins.
    script = (
        "import json, sys, pytest\n"
        "before = set(sys.modules)\n"
        "import moot.testing.plugin\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == ["moot", "moot.testing", "moot.testing.plugin"]


def test_a_suite_that_uses_no_moot_fixture_starts_nothing(user_suite: pytest.Pytester) -> None:
    user_suite.makeconftest(
        """
        import json, os, sys, threading

        def pytest_sessionfinish(session):
            report = {
                "modules": sorted(name for name in sys.modules if name.startswith("moot")),
                "threads": sorted(thread.name for thread in threading.enumerate()),
                "children": sorted(
                    pid for pid in os.listdir("/proc") if pid.isdigit() and _parent(pid) == os.getpid()
                ),
            }
            with open("report.json", "w") as out:
                json.dump(report, out)

        def _parent(pid):
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    return int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                return None
        """
    )
    user_suite.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = user_suite.runpytest_subprocess()
    assert outcomes(result) == {"passed": 1}, ran(result)
    report = json.loads((user_suite.path / "report.json").read_text())
    assert report == {
        "modules": ["moot", "moot.testing", "moot.testing.plugin"],
        "threads": ["MainThread"],
        "children": [],
    }


def test_the_fixtures_and_options_are_documented(user_suite: pytest.Pytester) -> None:
    fixtures = user_suite.runpytest_subprocess("--fixtures")
    fixtures.stdout.fnmatch_lines(
        [
            "*fixtures defined from moot.testing.plugin*",
            "moot_server -- *plugin.py:*",
            "moot_app -- *plugin.py:*",
            "moot_credentials -- *plugin.py:*",
            "moot_emulate_args [[]session scope[]] -- *plugin.py:*",
            "moot_session_server [[]session scope[]] -- *plugin.py:*",
        ]
    )
    helped = user_suite.runpytest_subprocess("--help").stdout.str()
    assert "--moot-isolation={reset,account}" in helped
    assert "--moot-url=URL" in helped
    markers = user_suite.runpytest_subprocess("--markers").stdout.str()
    assert "@pytest.mark.moot(isolation=None, now=None, frozen=False, data=None)" in markers


def test_a_wrong_marker_option_fails_the_test_with_a_reason(user_suite: pytest.Pytester) -> None:
    user_suite.makepyfile(
        """
        import pytest

        @pytest.mark.moot(speed="fast")
        def test_marked(moot_app):
            pass
        """
    )
    result = user_suite.runpytest_subprocess()
    assert outcomes(result) == {"errors": 1}, ran(result)
    result.stdout.fnmatch_lines(["*@pytest.mark.moot takes data, frozen, isolation, now: not speed*"])


def test_moot_s_own_test_run_has_the_plugin_loaded(request: pytest.FixtureRequest) -> None:
    # moot's own fixtures and the plugin's live side by side in this very run.
    plugin = request.config.pluginmanager.get_plugin("moot")
    assert plugin is not None
    assert plugin.__name__ == "moot.testing.plugin"
