"""Figures, targets and the result files: a plain-text table, ``<timestamp>.json`` / ``.md`` and
``latest.json`` / ``latest.md`` in benchmarks/results/."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import emulator
from benchmarks.delivery import DeliveryResult
from benchmarks.emulator import TARGET_RESET_P99_MS, TARGET_STARTUP_S, EmulatorResult
from benchmarks.loadspec import LoadResult
from benchmarks.scenarios import Scenario

MAX_ERROR_RATE = 0.01
MAX_CREATE_TAIL = 4.0  # create p99 <= 4 x create p50
MIN_DELIVERY_RATE = 1000.0  # webhook events/s, first arrival to last, one moot process on SQLite
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, slots=True)
class Outcome:
    scenario: Scenario
    result: LoadResult
    ratio: float | None  # req/s / the baseline's req/s in the same run; None for the baseline


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    measured: float
    target: str
    passed: bool
    void: bool = False  # the scenario had too many errors for its figures to mean anything

    @property
    def verdict(self) -> str:
        return "VOID" if self.void else "PASS" if self.passed else "FAIL"


@dataclass(slots=True)
class Report:
    started: datetime
    meta: dict[str, Any]
    outcomes: list[Outcome] = field(default_factory=list)
    delivery: DeliveryResult | None = None  # the events of the create_webhooks scenario
    emulator: EmulatorResult | None = None  # moot emulate: start-up, reset, per-test fixture

    def outcome(self, key: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.scenario.key == key), None)

    def checks(self) -> list[Check]:
        found = []
        for o in self.outcomes:
            if o.scenario.min_ratio is not None and o.ratio is not None:
                target = f">= {o.scenario.min_ratio:.2f} x baseline req/s"
                passed = o.ratio >= o.scenario.min_ratio
                found.append(Check(f"{o.scenario.key} req/s ratio", o.ratio, target, passed, self._void(o)))
            reference = self.outcome(o.scenario.relative_to) if o.scenario.relative_to else None
            if reference is not None and o.scenario.min_relative is not None and reference.result.rps > 0:
                share = o.result.rps / reference.result.rps
                target = f">= {o.scenario.min_relative:.2f} x {reference.scenario.key} req/s"
                passed = share >= o.scenario.min_relative
                void = self._void(o) or self._void(reference)
                found.append(
                    Check(f"{o.scenario.key} / {reference.scenario.key}", share, target, passed, void)
                )
        create = self.outcome("create")
        if create is not None:
            tail = tail_ratio(create.result)
            target = f"<= {MAX_CREATE_TAIL:g}"
            found.append(Check("create p99/p50", tail, target, tail <= MAX_CREATE_TAIL, self._void(create)))
        d, load = self.delivery, self.outcome("create_webhooks")
        if d is not None:
            target = f">= {MIN_DELIVERY_RATE:,.0f} events/s, every event delivered"
            passed = d.complete and d.throughput >= MIN_DELIVERY_RATE
            void = load is not None and self._void(load)
            found.append(Check("webhook delivery events/s", d.throughput, target, passed, void))
        if self.emulator is not None:
            start, reset = self.emulator.startup_cached.median, self.emulator.reset.p99
            found.append(
                Check(
                    "emulator start-up s (median)",
                    start,
                    f"< {TARGET_STARTUP_S:g} s",
                    start < TARGET_STARTUP_S,
                )
            )
            target = f"< {TARGET_RESET_P99_MS:g} ms"
            found.append(Check("emulator reset ms (p99)", reset, target, reset < TARGET_RESET_P99_MS))
        return found

    def _void(self, outcome: Outcome) -> bool:
        baseline = self.outcome("baseline")
        return any(o.result.error_rate > MAX_ERROR_RATE for o in (outcome, baseline) if o is not None)

    def too_many_errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result.error_rate > MAX_ERROR_RATE]

    def generator_ceiling(self) -> float | None:
        """Req/s the generator could drive with its cores to itself: the baseline's req/s divided by the
        share of its cores it needed for them (an estimate; its cost per request is close to constant)."""
        baseline = self.outcome("baseline")
        if baseline is None or not baseline.result.generator_cpu:
            return None
        cores = int(self.meta.get("generator_threads", 1))
        return baseline.result.rps * cores / baseline.result.generator_cpu

    def generator_note(self) -> str:
        baseline, ceiling = self.outcome("baseline"), self.generator_ceiling()
        if baseline is None or ceiling is None:
            return "generator ceiling: not measured"
        r = baseline.result
        cores = int(self.meta.get("generator_threads", 1))
        saturated = (r.generator_cpu or 0.0) >= 0.9 * cores
        verdict = (
            "WARNING: the generator saturated its CPU and may be what limits the baseline"
            if saturated
            else "the generator is not what limits the figures"
        )
        return (
            f"generator ceiling: against the baseline ({r.rps:,.0f} req/s) the generator used "
            f"{r.generator_cpu:.0%} of a core and the server {_cpu(r.server_cpu)}; with {cores} core(s) "
            f"to itself it would drive about {ceiling:,.0f} req/s ({ceiling / r.rps:.1f}x the baseline): "
            f"{verdict}"
        )


def tail_ratio(result: LoadResult) -> float:
    p50 = result.latency_ms.get("p50", 0.0)
    return result.latency_ms.get("p99", 0.0) / p50 if p50 > 0 else float("inf")


def _cpu(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "n/a"


COLUMNS = [
    "scenario",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p99/p50",
    "vs baseline",
    "non-2xx",
    "sock err",
    "srv CPU",
    "gen CPU",
]


def rows(report: Report) -> list[list[str]]:
    out = []
    for o in report.outcomes:
        r = o.result
        out.append(
            [
                o.scenario.title,
                f"{r.rps:,.0f}",
                f"{r.latency_ms['p50']:.2f}",
                f"{r.latency_ms['p99']:.2f}",
                f"{tail_ratio(r):.2f}",
                f"{o.ratio:.3f}" if o.ratio is not None else "1 (ref)",
                f"{r.non_2xx} / {r.requests}",
                str(r.socket_errors),
                _cpu(r.server_cpu),
                _cpu(r.generator_cpu),
            ]
        )
    return out


def delivery_lines(report: Report) -> list[str]:
    """What the webhook delivery figures are, each with the thing it measures."""
    d = report.delivery
    if d is None:
        return []
    lat = d.latency_ms
    missing = "" if d.complete else f"; {d.events - d.unique:,} NEVER ARRIVED (the wait gave up)"
    dupes = f", {d.delivered - d.unique:,} duplicate deliveries" if d.delivered > d.unique else ""
    return [
        f"events: {d.events:,} meeting.created (warm-up and load of create_webhooks), "
        f"{d.unique:,} delivered{dupes}{missing}",
        f"throughput: {d.throughput:,.0f} events/s = events delivered / first-to-last arrival "
        f"({d.span_seconds:.2f} s)",
        f"during the load: {d.delivered_by_load_end:,} delivered in {d.load_seconds:.2f} s "
        f"({d.rate_during_load:,.0f} events/s) while moot created them",
        f"after the load: backlog {d.backlog_at_load_end:,} events drained in {d.drain_seconds:.2f} s"
        + (f" ({d.drain_rate:,.0f} events/s, nothing else to serve)" if d.backlog_at_load_end else ""),
        f"latency (arrival - event_ts, all events): p50 {lat['p50']:,.1f} ms, p90 {lat['p90']:,.1f} ms, "
        f"p99 {lat['p99']:,.1f} ms, max {lat['max']:,.1f} ms",
        f"CPU: moot+webhooks {_cpu(d.server_cpu_after_load)} after the load; the receiver "
        f"{_cpu(d.receiver_cpu)} from the warm-up to the last event",
    ]


def reference_lines(report: Report) -> list[str]:
    """The reference stack beside moot: what the ratio targets mean on this machine."""
    lines = []
    for key, moot_key in (("reference_get", "get"), ("reference_create", "create")):
        ref, moot = report.outcome(key), report.outcome(moot_key)
        if ref is None or ref.ratio is None:
            continue
        line = f"{key}: {ref.result.rps:,.0f} req/s = {ref.ratio:.3f} x baseline"
        if moot is not None and moot.ratio is not None and ref.result.rps > 0:
            line += f"; moot {moot_key} = {moot.result.rps / ref.result.rps:.2f} x the reference"
            target = moot.scenario.min_ratio
            if target is not None:
                line += f" (its target, {target:.2f} x baseline, is {target / ref.ratio:.2f} x the reference)"
        lines.append(line)
    return lines


def check_lines(report: Report) -> list[str]:
    return [f"{c.verdict}  {c.name}: {c.measured:.3f} (target {c.target})" for c in report.checks()]


def emulator_lines(report: Report) -> list[str]:
    return emulator.lines(report.emulator) if report.emulator is not None else []


def text_table(report: Report) -> str:
    body = rows(report)
    widths = [max(len(line[i]) for line in [COLUMNS, *body]) for i in range(len(COLUMNS))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(COLUMNS), rule, *(line(r) for r in body)])


def markdown(report: Report) -> str:
    meta = report.meta
    load = [
        f"- load generator: {meta.get('generator')}",
        f"- {meta.get('connections')} connections, {meta.get('duration')} s per scenario "
        f"(after {meta.get('warmup')} s of warm-up)",
        f"- the host had {meta.get('host_meetings_at_end', '?')} meetings when the last list scenario ended",
        f"- servers: one uvicorn {meta.get('uvicorn')} process each, log level {meta.get('log_level')}, "
        "access log off; moot and moot+webhooks on SQLite, a file each; the webhook receiver alike",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(COLUMNS))) + "|",
        *("| " + " | ".join(r) + " |" for r in rows(report)),
    ]
    out = [
        f"# moot benchmark, {report.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- commit: `{meta.get('commit', 'unknown')}`",
        f"- machine: {meta.get('cpu_count')} CPUs, {meta.get('platform')}, Python {meta.get('python')}",
        *(load if report.outcomes else []),
        "",
        *(
            [
                "## Reference stack (benchmarks/reference_app.py: Starlette + pydantic + sqlite3)",
                "",
                *(f"- {x}" for x in reference_lines(report)),
                "",
            ]
            if reference_lines(report)
            else []
        ),
        *(
            ["## Webhook delivery (moot+webhooks)", "", *(f"- {x}" for x in delivery_lines(report)), ""]
            if report.delivery is not None
            else []
        ),
        *(
            ["## Emulator (moot emulate)", "", *(f"- {x}" for x in emulator_lines(report)), ""]
            if report.emulator is not None
            else []
        ),
        "## Targets",
        "",
        *(f"- {line}" for line in check_lines(report)),
        "",
        *([report.generator_note(), ""] if report.outcomes else []),
    ]
    return "\n".join(out)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def to_json(report: Report) -> dict[str, Any]:
    return {
        "started": report.started.isoformat(),
        "meta": report.meta,
        "scenarios": [
            {
                "key": o.scenario.key,
                "title": o.scenario.title,
                "method": o.scenario.method,
                "path": o.scenario.path,
                "ratio_to_baseline": o.ratio,
                "p99_over_p50": _finite(tail_ratio(o.result)),
                **o.result.to_dict(),
            }
            for o in report.outcomes
        ],
        "checks": [
            {"name": c.name, "measured": c.measured, "target": c.target, "verdict": c.verdict}
            for c in report.checks()
        ],
        "webhook_delivery": report.delivery.to_dict() if report.delivery is not None else None,
        "emulator": report.emulator.to_dict() if report.emulator is not None else None,
        "generator_ceiling_rps": report.generator_ceiling(),
        "generator_note": report.generator_note(),
    }


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save(report: Report, directory: Path = RESULTS_DIR, part: str | None = None) -> list[Path]:
    """``<stamp>.json`` / ``.md`` and ``latest.*``; a run of one ``part`` only (``--only emulator``)
    writes ``<stamp>-<part>.*`` and ``latest-<part>.*``, leaving a full run's ``latest`` alone."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = f"-{part}" if part else ""
    stamp = f"{report.started:%Y-%m-%dT%H%MZ}{suffix}"
    if (directory / f"{stamp}.json").exists():
        stamp = f"{report.started:%Y-%m-%dT%H%M%SZ}{suffix}"
    data = json.dumps(to_json(report), indent=2) + "\n"
    text = markdown(report)
    paths = [
        directory / f"{stamp}.json",
        directory / f"{stamp}.md",
        directory / f"latest{suffix}.json",
        directory / f"latest{suffix}.md",
    ]
    for path in paths:
        _write(path, data if path.suffix == ".json" else text)
    return paths
