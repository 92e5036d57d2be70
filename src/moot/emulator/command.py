"""The ``moot emulate`` command line: argparse, so that starting the emulator imports no CLI framework.

``moot.launcher`` sends ``moot emulate ...`` here directly; ``moot.cli`` lists the command and hands its
arguments over unchanged, so this parser is the only one.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Sequence
from pathlib import Path

DESCRIPTION = (
    "Start an emulator for tests and local development: in memory, admin API on (/moot/api: reset, "
    "seed, state, clock), a controllable clock, compressed webhook retries and fixed credentials."
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="moot emulate", description=DESCRIPTION)
    p.add_argument("--host", help="interface to listen on (MOOT_HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (MOOT_PORT; default 8000); 0 picks a free one")
    p.add_argument("--db", metavar="FILE|URL", help="SQLite file or database URL (default: in memory)")
    p.add_argument("--data", type=Path, metavar="FILE", help="seed file, YAML or JSON (docs/emulator.md)")
    p.add_argument("--seed", type=int, metavar="N", help="generate the same ids on every run")
    p.add_argument("--frozen", action="store_true", help="start with the clock frozen")
    p.add_argument("--now", metavar="TIME", help="start the clock frozen at TIME (2030-01-01T09:00:00Z)")
    p.add_argument("--public-url", metavar="URL", help="base URL clients reach moot at (MOOT_PUBLIC_URL)")
    p.add_argument("--json", dest="as_json", action="store_true", help="print credentials as one JSON line")
    return p


def _defer_httpx_cli() -> None:
    """Importing httpx imports its own command line, ``httpx._main`` (Click, Rich, Pygments: some 60 ms
    of the emulator's start), which moot never runs: stand in for it with a module that imports the
    real one should its ``main`` ever be called."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def httpx_main() -> None:
        del sys.modules["httpx._main"]
        from httpx._main import main as real_main

        real_main()

    stand_in.main = httpx_main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


def main(argv: Sequence[str]) -> None:
    args = parser().parse_args(list(argv))
    _defer_httpx_cli()
    from moot.emulator.server import EmulatorError, Options, run

    options = Options(
        host=args.host,
        port=args.port,
        db=args.db,
        data=args.data,
        seed=args.seed,
        frozen=args.frozen,
        now=args.now,
        public_url=args.public_url,
        as_json=args.as_json,
    )
    try:
        run(options)
    except EmulatorError as exc:
        print(f"moot emulate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
