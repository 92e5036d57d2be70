"""``python -m benchmarks.run``: load moot and a raw ASGI baseline, print and save the figures.

Exit status: 0 when every scenario ran, whether or not the targets are met (this is a report);
1 when a scenario's errors (non-2xx responses and socket errors) exceed 1 % of its requests;
2 when a server does not start, or the setup or the load generator fails; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from benchmarks import delivery, emulator, fixtures, meta, report, scale
from benchmarks.load import Generator, LoadError, choose_generator, run_load
from benchmarks.loadspec import LoadResult, LoadSettings
from benchmarks.scenarios import Scenario, scenarios
from benchmarks.servers import (
    Server,
    ServerStartError,
    WebhookTarget,
    launch_baseline,
    launch_moot,
    launch_receiver,
    launch_reference,
    limited_account,
    new_credentials,
    wait_ready,
)

EXIT_OK, EXIT_ERRORS, EXIT_SETUP, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True, slots=True)
class Session:
    workdir: Path
    servers: dict[str, Server]
    token: str
    meeting_id: int
    series_id: int
    limited_token: str
    webhooks_token: str  # moot+webhooks has its own database, so its own token
    reference_id: int  # a meeting on the reference stack, for its GET


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description="Load moot and a raw ASGI baseline."
    )
    parser.add_argument(
        "--duration", type=float, help="seconds of load per scenario (default 10; 3 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="short runs (~3 s each) for a smoke check")
    parser.add_argument(
        "--warmup", type=float, help="seconds of discarded load before each scenario (default 2)"
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "python"], default="auto", help="default: wrk if found"
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: the server needs a core)"
    )
    parser.add_argument("--meetings", type=int, default=100, help="meetings created before the list scenario")
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="keep moot's rate-limit counters in this Redis (e.g. redis://127.0.0.1:6379/0); "
        "the limited create is then held to 0.75 of the create instead of 0.90",
    )
    parser.add_argument(
        "--results-dir", type=Path, default=report.RESULTS_DIR, help="default: benchmarks/results"
    )
    parser.add_argument("--no-save", action="store_true", help="print only, write no result files")
    parser.add_argument(
        "--only",
        choices=["load", "emulator"],
        help="run only the load scenarios, or only the emulator's figures",
    )
    parser.add_argument("--emulator-starts", type=int, default=10, help="emulator starts timed (default 10)")
    parser.add_argument(
        "--resets", type=int, default=50, help="emulator resets and fixtures timed (default 50)"
    )
    scale.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 3.0 if args.quick else 10.0
    if args.warmup is None:
        args.warmup = 0.5 if args.quick else 2.0
    if args.duration <= 0 or args.connections <= 0 or args.warmup < 0 or args.wrk_threads <= 0:
        parser.error("--duration, --connections and --wrk-threads must be positive, --warmup not negative")
    if args.emulator_starts <= 0 or args.resets <= 0:
        parser.error("--emulator-starts and --resets must be positive")
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """First Ctrl-C / SIGTERM: unwind (stopping servers, removing temp files); later ones are ignored so
    that the clean-up itself is not cut short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary files removed", file=sys.stderr)
        return EXIT_INTERRUPTED


def prepare(workdir: Path, cleanup: contextlib.ExitStack, meetings: int, redis_url: str | None) -> Session:
    """Start the servers and the webhook receiver (each stopped by ``cleanup``), get the tokens, create
    the meetings (on moot only) and wait until moot+webhooks' endpoint is validated."""
    credentials = new_credentials()
    secret = secrets.token_urlsafe(16)
    baseline = launch_baseline(workdir)
    cleanup.callback(baseline.process.stop)
    reference = launch_reference(workdir)
    cleanup.callback(reference.process.stop)
    receiver = launch_receiver(workdir, secret)
    cleanup.callback(receiver.process.stop)
    moot = launch_moot(workdir, credentials, redis_url)
    cleanup.callback(moot.process.stop)
    wait_ready(receiver)  # before moot+webhooks, whose first dispatcher cycle sends the challenge
    target = WebhookTarget(receiver.base_url + "/webhook", secret)
    webhooks = launch_moot(workdir, credentials, redis_url, name="moot-webhooks", webhook=target)
    cleanup.callback(webhooks.process.stop)
    wait_ready(baseline)
    wait_ready(reference)
    wait_ready(moot)
    wait_ready(webhooks)
    token = fixtures.access_token(moot.base_url, credentials)
    meeting_ids = fixtures.create_meetings(moot.base_url, token, max(1, meetings))
    series_id = fixtures.create_meetings(moot.base_url, token, 1, fixtures.SERIES_BODY)[0]
    limited_token = fixtures.access_token(moot.base_url, limited_account(workdir))
    webhooks_token = fixtures.access_token(webhooks.base_url, credentials)
    reference_id = fixtures.create_meetings(reference.base_url, token, 1)[0]
    delivery.wait_validated(receiver, webhooks)
    servers = {
        "baseline": baseline,
        "reference": reference,
        "moot": moot,
        "webhooks": webhooks,
        "receiver": receiver,
    }
    return Session(
        workdir, servers, token, meeting_ids[0], series_id, limited_token, webhooks_token, reference_id
    )


def measure(
    session: Session, generator: Generator, scenario: Scenario, args: argparse.Namespace
) -> LoadResult:
    server = session.servers[scenario.server]
    token: str | None = session.limited_token if scenario.rate_limited else session.token
    if scenario.server == "webhooks":
        token = session.webhooks_token
    elif scenario.server == "baseline":
        token = None
    spec = scenario.request(server.base_url, token)
    if args.warmup > 0:
        warmup = LoadSettings(args.connections, args.warmup)
        run_load(generator, spec, warmup, server.process, session.workdir, f"{scenario.key}-warmup")
    settings = LoadSettings(args.connections, args.duration)
    return run_load(generator, spec, settings, server.process, session.workdir, scenario.key)


def run_scenarios(rep: report.Report, generator: Generator, args: argparse.Namespace) -> None:
    with contextlib.ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="moot-bench-")))
        print("starting servers ...", flush=True)
        session = prepare(workdir, cleanup, args.meetings, args.redis)
        loads = scenarios(
            session.meeting_id, session.series_id, reference_id=session.reference_id, redis=bool(args.redis)
        )
        for scenario in loads:
            print(f"  {scenario.title}: {args.duration:g} s ...", end="", flush=True)
            load_started, receiver_cpu = time.time(), session.servers["receiver"].process.cpu_seconds()
            result = measure(session, generator, scenario, args)
            load_ended = time.time()
            rep.outcomes.append(report.Outcome(scenario, result, _ratio(rep, scenario, result)))
            print(f" {result.rps:,.0f} req/s", flush=True)
            if scenario.server == "webhooks":
                rep.delivery = wait_for_events(session, load_started, load_ended, receiver_cpu)
        rep.meta["host_meetings_at_end"] = fixtures.count_meetings(
            session.servers["moot"].base_url, session.token
        )


def wait_for_events(
    session: Session, load_started: float, load_ended: float, receiver_cpu: float | None
) -> delivery.DeliveryResult:
    print("  webhook delivery: waiting for every event ...", end="", flush=True)
    result = delivery.wait_delivered(
        session.servers["receiver"],
        session.servers["webhooks"],
        session.webhooks_token,
        load_started=load_started,
        load_ended=load_ended,
        receiver_cpu_at_start=receiver_cpu,
    )
    missing = "" if result.complete else f", {result.events - result.unique:,} never arrived"
    print(f" {result.unique:,} events, {result.throughput:,.0f} events/s{missing}", flush=True)
    return result


def _ratio(rep: report.Report, scenario: Scenario, result: LoadResult) -> float | None:
    """req/s relative to the baseline's in this run (None for the baseline itself)."""
    baseline = rep.outcome("baseline")
    if scenario.server == "baseline" or baseline is None or baseline.result.rps <= 0:
        return None
    return result.rps / baseline.result.rps


def run_emulator(rep: report.Report, args: argparse.Namespace) -> None:
    """After the load (its servers stopped), so that nothing else runs while start-up is timed."""
    print(
        f"  emulator: {args.emulator_starts} x 2 starts, {args.resets} resets, {args.resets} fixtures ...",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="moot-bench-emulator-") as workdir:
        rep.emulator = emulator.measure(Path(workdir), starts=args.emulator_starts, resets=args.resets)


def run(args: argparse.Namespace) -> int:
    try:
        generator = choose_generator(args.generator, args.wrk_threads)
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_SETUP
    if args.scale:
        try:
            return scale.run(args, generator)
        except (
            ServerStartError,
            fixtures.FixtureError,
            LoadError,
            OSError,
            subprocess.SubprocessError,
        ) as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            return EXIT_SETUP
    info = meta.collect(generator, connections=args.connections, duration=args.duration, warmup=args.warmup)
    rep = report.Report(datetime.now(UTC), info)
    if args.only == "emulator":
        print("moot benchmark: the emulator's figures only")
    else:
        load = f"{generator.label}, {args.connections} connections, {args.duration:g} s per scenario"
        print(f"moot benchmark: {load}")
    try:
        if args.only != "emulator":
            run_scenarios(rep, generator, args)
        if args.only != "load":
            run_emulator(rep, args)
    except (
        ServerStartError,
        fixtures.FixtureError,
        delivery.DeliveryError,
        emulator.EmulatorBenchError,
        LoadError,
        OSError,
        subprocess.SubprocessError,
    ) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return EXIT_SETUP
    print()
    if rep.outcomes:
        print(report.text_table(rep))
        print()
    if report.reference_lines(rep):
        print("reference stack (hand-written Starlette + pydantic + sqlite3):")
        print("\n".join("  " + line for line in report.reference_lines(rep)))
        print()
    if rep.delivery is not None:
        print("webhook delivery (moot+webhooks):")
        print("\n".join("  " + line for line in report.delivery_lines(rep)))
        print()
    if rep.emulator is not None:
        print("emulator (moot emulate):")
        print("\n".join("  " + line for line in report.emulator_lines(rep)))
        print()
    print("\n".join(report.check_lines(rep)))
    if rep.outcomes:
        print(rep.generator_note())
    if not args.no_save:
        paths = report.save(rep, args.results_dir, args.only)
        print("results: " + ", ".join(str(p) for p in paths))
    failed = rep.too_many_errors()
    for o in failed:
        print(f"error: {o.scenario.title}: {o.result.error_rate:.1%} of requests failed", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
