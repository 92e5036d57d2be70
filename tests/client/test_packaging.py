"""``moot.client`` needs nothing but httpx, and a program using it type-checks under ``mypy --strict``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "moot"


def test_client_imports_in_a_venv_with_only_httpx(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "httpx"], capture_output=True, text=True, timeout=300
    )
    if install.returncode != 0:
        pytest.skip(f"pip could not install httpx here: {install.stderr[-500:]}")
    # Only the client package, the webhook signing it re-exports (moot.client.webhooks) and moot's empty
    # __init__ on the path: nothing else of moot exists.
    package = tmp_path / "site" / "moot"
    shutil.copytree(SRC / "client", package / "client", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SRC / "webhooks", package / "webhooks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SRC / "__init__.py", package / "__init__.py")
    script = (
        "import sys, moot.client as c\n"
        "client = c.Client(account_id='a', client_id='b', client_secret='s', base_url='http://127.0.0.1:1')\n"
        "assert client.base_url == 'http://127.0.0.1:1/v2'\n"
        "from moot.client.webhooks import url_validation_response\n"
        "assert url_validation_response('t', 's')['plainToken'] == 't'\n"
        "for name in ('pydantic', 'starlette', 'typer', 'rich', 'sqlalchemy'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "    else:\n"
        "        sys.exit(name + ' is installed: the venv is not clean')\n"
        "print(sorted(m for m in sys.modules if m.startswith('moot')))\n"
    )
    result = subprocess.run(
        [str(python), "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r})\n{script}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "moot.client" in result.stdout


def test_a_user_program_passes_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(Path(__file__).parent / "sample_program.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
