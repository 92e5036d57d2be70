"""Drive a scenario with wrk: a generated Lua script sets method, body and headers and counts non-2xx
responses; p50..p99 come from wrk's ``--latency`` distribution."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from benchmarks.loadspec import LoadResult, LoadSettings, RequestSpec

RESULT_MARK = "BENCH_RESULT "
_DISTRIBUTION = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

_SCRIPT_TAIL = """
non2xx = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"non_2xx":%d,"connect":%d,"read":%d,"write":%d,'
      .. '"timeout":%d,"mean_us":%.1f,"max_us":%d}\\n',
    "RESULT_MARK", summary.requests, summary.duration, total, e.connect, e.read, e.write,
    e.timeout, latency.mean, latency.max))
end
""".replace("RESULT_MARK", RESULT_MARK)


def find_wrk() -> str | None:
    return shutil.which("wrk")


def lua_string(text: str) -> str:
    """A double-quoted Lua literal for any text (bytes outside printable ASCII as decimal escapes)."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in '\\"':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte}")
    return '"' + "".join(out) + '"'


def script(spec: RequestSpec) -> str:
    lines = [f"wrk.method = {lua_string(spec.method)}"]
    if spec.body:
        lines.append(f"wrk.body = {lua_string(spec.body.decode())}")
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in spec.headers.items()]
    return "\n".join(lines) + "\n" + _SCRIPT_TAIL


def whole_seconds(seconds: float) -> int:
    """wrk takes whole seconds only."""
    return max(1, round(seconds))


def argv(wrk: str, spec: RequestSpec, settings: LoadSettings, script_path: Path, threads: int) -> list[str]:
    script_path.write_text(script(spec))
    return [
        wrk,
        f"-t{threads}",
        f"-c{settings.connections}",
        f"-d{whole_seconds(settings.duration)}s",
        "--timeout",
        f"{whole_seconds(settings.timeout)}s",
        "--latency",
        "-s",
        str(script_path),
        spec.url,
    ]


def parse(output: str) -> LoadResult:
    marked = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not marked:
        raise ValueError(f"no result line in wrk's output:\n{output[-2000:]}")
    data = json.loads(marked[-1].removeprefix(RESULT_MARK))
    latency = {f"p{pct}": float(value) * _UNIT_MS[unit] for pct, value, unit in _DISTRIBUTION.findall(output)}
    if "p50" not in latency or "p99" not in latency:
        raise ValueError(f"no latency distribution in wrk's output:\n{output[-2000:]}")
    latency["mean"] = float(data["mean_us"]) / 1000
    latency["max"] = float(data["max_us"]) / 1000
    return LoadResult(
        requests=int(data["requests"]),
        duration=int(data["duration_us"]) / 1e6,
        non_2xx=int(data["non_2xx"]),
        socket_errors=sum(int(data[k]) for k in ("connect", "read", "write", "timeout")),
        latency_ms=latency,
    )
