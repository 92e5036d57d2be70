"""``python -m benchmarks.run --scale``: how moot's reads hold up as one account grows, what one process
holds in memory, and how creates scale with worker processes on PostgreSQL.

1. For each size (1,000 and 1,000,000 meetings by default): a fresh SQLite file, ``moot serve`` started
   once to create the bootstrap account (and stopped), the host seeded through the store
   (``benchmarks.scale_seed``), ``moot serve`` started again on it; then ``GET /v2/meetings/{id}``, the
   list's first page (``page_size=30``) and a deep page (``page_size=300``, the middle of the list,
   reached through ``next_page_token``) under wrk; then the server's resident memory (VmRSS, VmHWM).
2. For 1, 2 and 4 workers: ``moot serve --workers N`` on a fresh PostgreSQL database, the create load,
   and the CPU the server's processes, PostgreSQL's and the load generator used meanwhile.
3. The outbox drain is cited from the latest full run (``make bench``), which measures it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks import fixtures, meta
from benchmarks.load import Generator, run_load
from benchmarks.loadspec import LoadResult, LoadSettings, RequestSpec
from benchmarks.processes import ManagedProcess, free_port
from benchmarks.scale_seed import Host, SeedResult, seed
from benchmarks.servers import Credentials, Server, launch_moot, new_credentials, wait_ready

LIST_RATIO_TARGET = 1.5  # list first page p50 at the largest size <= 1.5 x at the smallest
DEFAULT_SIZES = (1_000, 1_000_000)
DEFAULT_WORKERS = (1, 2, 4)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(slots=True)
class SizeResult:
    size: int
    seed: SeedResult
    db_bytes: int
    listed: int  # total_records of the first page
    loads: dict[str, LoadResult] = field(default_factory=dict)
    rss_kb: int = 0
    hwm_kb: int = 0
    deep_page: int = 0


@dataclass(slots=True)
class CreateResult:
    workers: int
    load: LoadResult
    server_cpu: float  # cores, all of moot's processes
    postgres_cpu: float  # cores, every postgres process on the machine


@dataclass(slots=True)
class ScaleReport:
    started: datetime
    meta: dict[str, Any]
    sizes: list[SizeResult] = field(default_factory=list)
    creates: list[CreateResult] = field(default_factory=list)
    create_note: str = ""
    drain: dict[str, Any] | None = None
    drain_source: str = ""


# --- processes and CPU ----------------------------------------------------------------------------------


def _proc_stat(pid: str) -> tuple[str, int, float] | None:
    """(command, process group, CPU seconds) of a process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw.rsplit(")", 1)[1].split()
    return name, int(fields[2]), (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _cpu_where(match: Any) -> float:
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(entry)
            if stat is not None and match(stat):
                total += stat[2]
    return total


def group_cpu(pgid: int) -> float:
    return _cpu_where(lambda s: s[1] == pgid)


def postgres_cpu() -> float:
    return _cpu_where(lambda s: s[0] == "postgres")


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB."""
    values = {"VmRSS": 0, "VmHWM": 0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in values:
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


# --- the HTTP side ------------------------------------------------------------------------------------


def _client(server: Server, token: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=60.0, trust_env=False)


def whoami(server: Server, token: str) -> Host:
    with _client(server, token) as client:
        body = client.get("/v2/users/me").raise_for_status().json()
    return Host(str(body["account_id"]), str(body["id"]), str(body["email"]))


def first_page_total(server: Server, token: str) -> int:
    with _client(server, token) as client:
        return int(
            client.get("/v2/users/me/meetings?page_size=30").raise_for_status().json()["total_records"]
        )


def deep_token(server: Server, token: str, size: int = 300) -> tuple[str, int]:
    """A ``next_page_token`` for the page in the middle of the list (and its page number), walking
    there page by page as a client would."""
    with _client(server, token) as client:
        page = client.get(f"/v2/users/me/meetings?page_size={size}").raise_for_status().json()
        middle = max(2, (int(page["page_count"]) + 1) // 2)
        while int(page["page_number"]) + 1 < middle and page["next_page_token"]:
            page = client.get(f"/v2/users/me/meetings?next_page_token={page['next_page_token']}").json()
        return str(page["next_page_token"]), int(page["page_number"]) + 1


def _spec(server: Server, token: str, path: str, body: bytes = b"") -> RequestSpec:
    headers = {"Authorization": f"Bearer {token}"}
    if body:
        headers["Content-Type"] = "application/json"
    return RequestSpec("POST" if body else "GET", server.base_url + path, headers, body)


def _load(
    generator: Generator,
    spec: RequestSpec,
    args: argparse.Namespace,
    process: ManagedProcess,
    work: Path,
    key: str,
) -> LoadResult:
    if args.warmup > 0:
        run_load(generator, spec, LoadSettings(args.connections, args.warmup), process, work, f"{key}-warmup")
    return run_load(generator, spec, LoadSettings(args.connections, args.duration), process, work, key)


# --- 1. reads at each size ----------------------------------------------------------------------------


async def _seed_file(path: Path, host: Host, size: int) -> SeedResult:
    from moot.storage.sqlite import SqliteStore

    # Durability is no concern while seeding a benchmark's database: no fsync (synchronous=off).
    store = SqliteStore(path, synchronous="off")
    store.connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: the indexes' pages stay in memory

    def checkpoint() -> None:
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    try:
        return await seed(store, host, size, now=datetime.now(UTC), after_batch=checkpoint)
    finally:
        await store.close()


def measure_size(generator: Generator, args: argparse.Namespace, root: Path, size: int) -> SizeResult:
    work = root / f"size-{size}"
    work.mkdir()
    credentials = new_credentials()
    with contextlib.ExitStack() as cleanup:
        server = launch_moot(work, credentials)
        cleanup.callback(server.process.stop)
        wait_ready(server)
        host = whoami(server, fixtures.access_token(server.base_url, credentials))
        server.process.stop()
    print(f"  seeding {size:,} meetings ...", end="", flush=True)
    seeded = asyncio.run(_seed_file(work / "bench.db", host, size))
    db_bytes = sum(p.stat().st_size for p in work.glob("bench.db*"))
    print(f" {seeded.seconds:.1f} s ({seeded.series:,} series, {db_bytes / 2**20:,.0f} MiB)", flush=True)
    with contextlib.ExitStack() as cleanup:
        server = launch_moot(work, credentials, name="moot")
        cleanup.callback(server.process.stop)
        wait_ready(server)
        token = fixtures.access_token(server.base_url, credentials)
        result = SizeResult(size, seeded, db_bytes, first_page_total(server, token))
        page_token, result.deep_page = deep_token(server, token)
        loads = {
            "get": _spec(server, token, f"/v2/meetings/{seeded.sample_ids[0]}"),
            "list": _spec(server, token, "/v2/users/me/meetings?page_size=30"),
            "deep": _spec(server, token, f"/v2/users/me/meetings?next_page_token={page_token}"),
        }
        for key, spec in loads.items():
            print(f"  {size:,}: {key} {args.duration:g} s ...", end="", flush=True)
            result.loads[key] = _load(generator, spec, args, server.process, work, f"{key}-{size}")
            print(f" {result.loads[key].rps:,.0f} req/s", flush=True)
        result.rss_kb, result.hwm_kb = memory_kb(server.process.pid)
    return result


# --- 2. creates with N workers on PostgreSQL ------------------------------------------------------------


async def _admin(base_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(base_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _database_url(base_url: str, name: str) -> str:
    head, _, _ = base_url.rpartition("/")
    return f"{head}/{name}"


def launch_workers(work: Path, credentials: Credentials, db_url: str, workers: int) -> Server:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOOT_")} | {
        "MOOT_LOG_LEVEL": "warning",
        "MOOT_BOOTSTRAP_ACCOUNT_ID": credentials.account_id,
        "MOOT_BOOTSTRAP_CLIENT_ID": credentials.client_id,
        "MOOT_BOOTSTRAP_CLIENT_SECRET": credentials.client_secret,
        "MOOT_BOOTSTRAP_RATE_LIMITS": "off",
    }
    argv = [
        str(Path(sys.executable).with_name("moot")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db-url",
        db_url,
        "--public-url",
        base_url,
        "--workers",
        str(workers),
    ]
    name = f"moot-w{workers}"
    return Server(name, base_url, ManagedProcess(name, argv, work / f"{name}.log", env), "/healthz")


def measure_creates(
    generator: Generator, args: argparse.Namespace, root: Path, postgres_url: str, workers: int
) -> CreateResult:
    name = f"moot_scale_w{workers}_{secrets.token_hex(4)}"
    asyncio.run(_admin(postgres_url, f"CREATE DATABASE {name}"))
    try:
        credentials = new_credentials()
        with contextlib.ExitStack() as cleanup:
            server = launch_workers(root, credentials, _database_url(postgres_url, name), workers)
            cleanup.callback(server.process.stop)
            wait_ready(server)
            token = fixtures.access_token(server.base_url, credentials)
            fixtures.create_meetings(server.base_url, token, 1)
            spec = _spec(server, token, "/v2/users/me/meetings", orjson.dumps(fixtures.MEETING_BODY))
            if args.warmup > 0:
                warmup = LoadSettings(args.connections, args.warmup)
                run_load(generator, spec, warmup, server.process, root, f"create-w{workers}-warmup")
            server_before, pg_before, started = (
                group_cpu(server.process.pid),
                postgres_cpu(),
                time.monotonic(),
            )
            settings = LoadSettings(args.connections, args.duration)
            load = run_load(generator, spec, settings, server.process, root, f"create-w{workers}")
            wall = time.monotonic() - started
            server_cpu = (group_cpu(server.process.pid) - server_before) / wall
            pg_cpu = (postgres_cpu() - pg_before) / wall
        return CreateResult(workers, load, server_cpu, pg_cpu)
    finally:
        asyncio.run(_admin(postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


# --- 3. the outbox drain, cited -------------------------------------------------------------------------


def cited_drain(results_dir: Path) -> tuple[dict[str, Any] | None, str]:
    path = results_dir / "latest.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None, ""
    delivery = data.get("webhook_delivery")
    return (delivery, f"{path.name} ({data.get('started', '?')})") if delivery else (None, "")


# --- report -----------------------------------------------------------------------------------------------


def _row(label: str, r: LoadResult) -> str:
    lat = r.latency_ms
    cpu = f"{r.server_cpu:.0%}" if r.server_cpu is not None else "-"
    errors = r.non_2xx + r.socket_errors
    return f"| {label} | {r.rps:,.0f} | {lat['p50']:.2f} | {lat['p99']:.2f} | {errors} | {cpu} |"


def list_ratio(rep: ScaleReport) -> float | None:
    if len(rep.sizes) < 2:
        return None
    small, large = rep.sizes[0].loads["list"], rep.sizes[-1].loads["list"]
    return large.latency_ms["p50"] / small.latency_ms["p50"] if small.latency_ms["p50"] > 0 else None


def markdown(rep: ScaleReport) -> str:
    m = rep.meta
    lines = [
        f"# moot scale benchmark, {rep.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- commit: `{m.get('commit')}`",
        f"- machine: {m.get('cpu_count')} CPUs, {m.get('platform')}, Python {m.get('python')}",
        f"- load generator: {m.get('generator')}; {m.get('connections')} connections, "
        f"{m.get('duration')} s per load after {m.get('warmup')} s of warm-up",
        f"- load average when it began: {m.get('loadavg')}",
        "",
        "## Reads as one host's meetings grow (SQLite, one process)",
        "",
        "| meetings | request | req/s | p50 ms | p99 ms | errors | srv CPU |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    titles = {
        "get": "GET /v2/meetings/{id}",
        "list": "list, first page (page_size=30)",
        "deep": "list, deep page (page_size=300)",
    }
    for s in rep.sizes:
        for key, title in titles.items():
            if key in s.loads:
                detail = f" (page {s.deep_page})" if key == "deep" else ""
                lines.append(f"| {s.size:,} " + _row(f"{title}{detail}", s.loads[key]))
    lines += [
        "",
        "| meetings | seed | series | listed (total_records) | database | server RSS after load | peak RSS |",
    ]
    lines.append("|---:|---:|---:|---:|---:|---:|---:|")
    for s in rep.sizes:
        lines.append(
            f"| {s.size:,} | {s.seed.seconds:.1f} s | {s.seed.series:,} | {s.listed:,} | "
            f"{s.db_bytes / 2**20:,.0f} MiB | {s.rss_kb / 1024:,.0f} MiB | {s.hwm_kb / 1024:,.0f} MiB |"
        )
    ratio = list_ratio(rep)
    if ratio is not None:
        verdict = "PASS" if ratio <= LIST_RATIO_TARGET else "FAIL"
        lines += [
            "",
            f"- {verdict}  list first page p50, {rep.sizes[-1].size:,} / {rep.sizes[0].size:,} meetings: "
            f"{ratio:.2f} (target <= {LIST_RATIO_TARGET})",
        ]
    lines += ["", "## Creates with N worker processes (PostgreSQL, a fresh database each)", ""]
    if rep.creates:
        lines += [
            "| workers | req/s | vs 1 worker | p50 ms | p99 ms | errors | moot CPU | PostgreSQL CPU "
            "| generator CPU |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        one = rep.creates[0].load.rps or 1.0
        for c in rep.creates:
            r = c.load
            gen = f"{r.generator_cpu:.0%}" if r.generator_cpu is not None else "-"
            lines.append(
                f"| {c.workers} | {r.rps:,.0f} | {r.rps / one:.2f} | {r.latency_ms['p50']:.2f} | "
                f"{r.latency_ms['p99']:.2f} | {r.non_2xx + r.socket_errors} | {c.server_cpu:.0%} | "
                f"{c.postgres_cpu:.0%} | {gen} |"
            )
        busy = max(rep.creates, key=lambda c: c.workers)
        total = busy.server_cpu + busy.postgres_cpu + (busy.load.generator_cpu or 0.0)
        lines += [
            "",
            f"- at {busy.workers} workers moot used {busy.server_cpu:.2f} cores, "
            f"PostgreSQL {busy.postgres_cpu:.2f}, "
            f"the generator {busy.load.generator_cpu or 0.0:.2f}: {total:.2f} of the machine's "
            f"{m.get('cpu_count')} cores. CPU figures are shares of one core; PostgreSQL's counts every "
            "postgres process on the machine.",
        ]
    if rep.create_note:
        lines.append(f"- {rep.create_note}")
    lines += ["", "## Outbox backlog drain", ""]
    if rep.drain:
        d = rep.drain
        lines.append(
            f"- cited from {rep.drain_source}: a backlog of {d['backlog_at_load_end']:,} events drained in "
            f"{d['drain_seconds']:.2f} s ({d['drain_rate']:,.0f} events/s) by one moot process on SQLite "
            f"(64 concurrent deliveries); {d['throughput']:,.0f} events/s overall, during the load "
            f"{d['rate_during_load']:,.0f} events/s"
        )
    else:
        lines.append("- not available: run `make bench` first (its webhook delivery measures the drain)")
    return "\n".join(lines) + "\n"


def to_json(rep: ScaleReport) -> dict[str, Any]:
    return {
        "started": rep.started.isoformat(),
        "meta": rep.meta,
        "sizes": [
            {
                "meetings": s.size,
                "seed_seconds": s.seed.seconds,
                "series": s.seed.series,
                "listed": s.listed,
                "db_bytes": s.db_bytes,
                "rss_kb": s.rss_kb,
                "hwm_kb": s.hwm_kb,
                "deep_page": s.deep_page,
                "loads": {k: v.to_dict() for k, v in s.loads.items()},
            }
            for s in rep.sizes
        ],
        "list_p50_ratio": list_ratio(rep),
        "creates": [
            {
                "workers": c.workers,
                "server_cpu": c.server_cpu,
                "postgres_cpu": c.postgres_cpu,
                **c.load.to_dict(),
            }
            for c in rep.creates
        ],
        "create_note": rep.create_note,
        "drain": rep.drain,
        "drain_source": rep.drain_source,
    }


def save(rep: ScaleReport, results_dir: Path) -> list[Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{rep.started:%Y-%m-%dT%H%MZ}-scale"
    paths = []
    for name in (stem, "latest-scale"):
        md, js = results_dir / f"{name}.md", results_dir / f"{name}.json"
        md.write_text(markdown(rep))
        js.write_text(json.dumps(to_json(rep), indent=2) + "\n")
        paths += [md, js]
    return paths


def run(args: argparse.Namespace, generator: Generator) -> int:
    info = meta.collect(generator, connections=args.connections, duration=args.duration, warmup=args.warmup)
    info["loadavg"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rep = ScaleReport(datetime.now(UTC), info)
    sizes = sorted(args.scale_sizes)
    print(f"moot scale benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; {generator.label}")
    with tempfile.TemporaryDirectory(prefix="moot-scale-") as tmp:
        root = Path(tmp)
        for size in sizes:
            rep.sizes.append(measure_size(generator, args, root, size))
        postgres_url = args.postgres_url or os.environ.get("MOOT_TEST_POSTGRES_URL")
        if postgres_url and args.scale_workers:
            import asyncpg

            for workers in args.scale_workers:
                print(
                    f"  create, {workers} worker(s) on PostgreSQL: {args.duration:g} s ...",
                    end="",
                    flush=True,
                )
                try:
                    rep.creates.append(measure_creates(generator, args, root, postgres_url, workers))
                except asyncpg.PostgresError as exc:
                    rep.create_note = f"stopped: PostgreSQL answered {exc!r}"
                    print(f" {rep.create_note}", flush=True)
                    break
                print(f" {rep.creates[-1].load.rps:,.0f} req/s", flush=True)
        else:
            rep.create_note = "skipped: no worker counts, or no --postgres-url (or MOOT_TEST_POSTGRES_URL)"
    rep.drain, rep.drain_source = cited_drain(args.results_dir)
    text = markdown(rep)
    print()
    print(text)
    if not args.no_save:
        print("results: " + ", ".join(str(p) for p in save(rep, args.results_dir)))
    failed = [r for s in rep.sizes for r in s.loads.values() if r.error_rate > 0.01]
    failed += [c.load for c in rep.creates if c.load.error_rate > 0.01]
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    def counts(text: str) -> list[int]:
        return [int(x.replace("_", "")) for x in text.split(",") if x]

    parser.add_argument(
        "--scale", action="store_true", help="the scale benchmark instead (see README: Scale)"
    )
    parser.add_argument(
        "--scale-sizes",
        type=counts,
        default=list(DEFAULT_SIZES),
        metavar="N,N",
        help="meetings seeded into one host, one run each (default 1000,1000000)",
    )
    parser.add_argument(
        "--scale-workers",
        type=counts,
        default=list(DEFAULT_WORKERS),
        metavar="N,N",
        help="worker counts for the PostgreSQL create load (default 1,2,4; empty to skip)",
    )
    parser.add_argument(
        "--postgres-url",
        help="a PostgreSQL database to create the create load's databases from "
        "(default: $MOOT_TEST_POSTGRES_URL)",
    )
