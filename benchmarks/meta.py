"""Where and how a run was made: recorded with its figures."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.load import Generator
from benchmarks.servers import LOG_LEVEL

REPO = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def commit() -> str:
    head = _git("rev-parse", "--short", "HEAD")
    if head is None:
        return "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return f"{head}{' + uncommitted changes in src/' if dirty else ''}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def collect(generator: Generator, *, connections: int, duration: float, warmup: float) -> dict[str, Any]:
    return {
        "commit": commit(),
        "generator": generator.label,
        "generator_kind": generator.kind,
        "generator_threads": generator.wrk_threads if generator.kind == "wrk" else 1,
        "connections": connections,
        "duration": duration,
        "warmup": warmup,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "uvicorn": _version("uvicorn"),
        "moot": _version("moot"),
        "log_level": LOG_LEVEL,
    }
