"""Run one load in a separate process (wrk, or the Python generator) and account for the CPU that the
generator and the server under load used meanwhile."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import load_wrk, pyload
from benchmarks.loadspec import LoadResult, LoadSettings, RequestSpec
from benchmarks.processes import ManagedProcess

GRACE = 30.0  # seconds a generator may overrun its duration before it is stopped


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Generator:
    kind: str  # "wrk" or "python"
    wrk_path: str | None = None
    wrk_threads: int = 1

    @property
    def label(self) -> str:
        if self.kind == "wrk":
            return f"wrk -t{self.wrk_threads} ({self.wrk_path})"
        return "Python (asyncio + httptools, benchmarks/pyload.py)"

    def argv(self, spec: RequestSpec, settings: LoadSettings, workdir: Path, name: str) -> list[str]:
        if self.kind == "wrk":
            assert self.wrk_path is not None
            return load_wrk.argv(self.wrk_path, spec, settings, workdir / f"{name}.lua", self.wrk_threads)
        spec_path = workdir / f"{name}.load.json"
        pyload.write_spec(spec_path, spec, settings)
        return [sys.executable, "-m", "benchmarks.pyload", str(spec_path)]

    def parse(self, output: str) -> LoadResult:
        return load_wrk.parse(output) if self.kind == "wrk" else pyload.parse(output)


def choose_generator(requested: str, wrk_threads: int) -> Generator:
    wrk = load_wrk.find_wrk()
    if requested == "wrk" and wrk is None:
        raise LoadError("--generator wrk: wrk is not on PATH")
    if requested in ("auto", "wrk") and wrk is not None:
        return Generator("wrk", wrk, wrk_threads)
    return Generator("python")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_load(
    generator: Generator,
    spec: RequestSpec,
    settings: LoadSettings,
    server: ManagedProcess,
    workdir: Path,
    name: str,
) -> LoadResult:
    argv = generator.argv(spec, settings, workdir, name)
    log_path = workdir / f"{name}.out"
    children_before = _children_cpu()
    server_before = server.cpu_seconds()
    started = time.monotonic()
    process = ManagedProcess(f"load {name}", argv, log_path)
    try:
        code = process.popen.wait(timeout=settings.duration + GRACE)
    except subprocess.TimeoutExpired:
        raise LoadError(f"load generator for {name} did not finish in time") from None
    finally:
        server_after = server.cpu_seconds()
        wall = time.monotonic() - started
        process.stop()
    output = log_path.read_text(errors="replace")
    if code != 0:
        raise LoadError(f"load generator for {name} exited with {code}:\n{output[-2000:]}")
    if not server.running():
        raise LoadError(f"the server died during {name}:\n{server.log_tail()}")
    try:
        result = generator.parse(output)
    except ValueError as exc:
        raise LoadError(str(exc)) from None
    result.generator_cpu = (_children_cpu() - children_before) / wall
    if server_before is not None and server_after is not None:
        result.server_cpu = (server_after - server_before) / wall
    return result
