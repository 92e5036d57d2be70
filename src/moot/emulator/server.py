"""``moot emulate``: a server for tests and local development, ready in a fraction of a second.

In memory by default (SQLite ``:memory:``, its schema from the cached script, not the migrations), with
the admin API on, a controllable clock, webhook retries compressed, fixed credentials, optionally
deterministic ids and seed data. Everything heavy is imported only once the arguments are known.
"""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moot.config import Settings
    from moot.domain.errors import ValidationFailed
    from moot.services.accounts import Credentials

EMULATOR_ACCOUNT_ID = "moot-emulator"
EMULATOR_CLIENT_ID = "moot-emulator-client"
EMULATOR_CLIENT_SECRET = "moot-emulator-secret"  # noqa: S105 (fixed on purpose, printed)
EMULATOR_USER_EMAIL = "owner@moot.local"

# Settings the emulator chooses unless the environment (MOOT_*) sets them.
EMULATOR_DEFAULTS: dict[str, Any] = {
    "admin_api": True,
    "webhook_retry_scale": 0.001,  # Zoom's 5/20/60-minute retries after 0.3/1.2/3.6 seconds
    "webhook_poll_interval": 0.05,
    "log_level": "warning",
    "metrics": False,  # a test tool; MOOT_METRICS=on turns /metrics on
    "bootstrap_account_id": EMULATOR_ACCOUNT_ID,
    "bootstrap_client_id": EMULATOR_CLIENT_ID,
    "bootstrap_client_secret": EMULATOR_CLIENT_SECRET,
    "bootstrap_user_email": EMULATOR_USER_EMAIL,
}


class EmulatorError(Exception):
    """Arguments, a seed file or a port the emulator cannot start with."""


@dataclass(frozen=True, slots=True)
class Options:
    host: str | None = None
    port: int | None = None
    db: str | None = None  # a SQLite file or a database URL; None: in memory
    data: Path | None = None  # seed file, YAML or JSON
    seed: int | None = None
    frozen: bool = False
    now: str | None = None
    public_url: str | None = None
    as_json: bool = False


def db_url(db: str | None) -> str:
    if db is None:
        return "sqlite:///:memory:"
    return db if "://" in db else f"sqlite:///{db}"


def parse_now(value: str) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise EmulatorError(f"--now {value!r}: expected a time like 2030-01-01T09:00:00Z") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def read_seed_file(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as exc:
        raise EmulatorError(f"--data {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        import yaml  # YAML is a superset of JSON

        return yaml.safe_load(text)
    except ValueError as exc:
        raise EmulatorError(f"--data {path}: {exc}") from None
    except Exception as exc:  # yaml.YAMLError
        raise EmulatorError(f"--data {path}: {exc}") from None


def emulator_settings(options: Options, port: int, from_env: Settings) -> Settings:
    """The settings the emulator runs with: ``from_env`` (MOOT_*), the emulator's defaults where the
    environment sets nothing, and the flags."""
    from moot.config import Settings

    values = {k: v for k, v in EMULATOR_DEFAULTS.items() if k not in from_env.model_fields_set}
    values |= {"host": options.host or from_env.host, "port": port, "db_url": db_url(options.db)}
    if options.public_url:
        values["public_url"] = options.public_url
    return Settings(**values)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EmulatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    return sock


def _prepare_database(url_text: str) -> None:
    """Create or migrate a file or PostgreSQL database (an in-memory one is created when opened)."""
    from moot.storage.urls import DatabaseURL

    url = DatabaseURL(url_text)
    path = url.sqlite_path
    if url.is_sqlite and path is None:
        return
    if path is not None and not path.exists():
        import sqlite3

        from moot.storage.schema import create_schema

        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            create_schema(conn)
        finally:
            conn.close()
        return
    from moot.storage.migrate import upgrade

    upgrade(url)


def run(options: Options) -> None:
    """Start the emulator and serve until interrupted."""
    from moot.domain import ids

    if options.seed is not None:
        ids.use_seed(options.seed)
    start = parse_now(options.now) if options.now else None
    data = read_seed_file(options.data) if options.data is not None else None
    if data is not None:
        from moot.domain.errors import ValidationFailed
        from moot.emulator.seed import parse_seed

        try:
            parse_seed(data)
        except ValidationFailed as exc:
            raise EmulatorError(_seed_errors(options.data, exc)) from None
    from moot.config import Settings

    from_env = Settings()
    sock = bind(options.host or from_env.host, options.port if options.port is not None else from_env.port)
    settings = emulator_settings(options, sock.getsockname()[1], from_env)
    try:
        _prepare_database(settings.db_url)
    except Exception as exc:
        sock.close()
        raise EmulatorError(f"cannot open {settings.db_url}: {exc}") from None
    main = _serve(options, settings, sock, start, data)
    try:
        import uvloop
    except ImportError:  # pragma: no cover (installed with uvicorn[standard])
        asyncio.run(main)
    else:
        uvloop.run(main)


def _seed_errors(path: Path | None, exc: ValidationFailed) -> str:
    lines = [f"{e.field or '(top)'}: {e.message}" for e in exc.errors]
    where = f"--data {path}" if path is not None else "seed"
    return f"{where} is not valid seed data:\n  " + "\n  ".join(lines)


async def _serve(
    options: Options, settings: Settings, sock: socket.socket, start: datetime | None, data: Any
) -> None:
    import uvicorn

    from moot.api.app import build_deps, create_app
    from moot.domain.clock import ControllableClock
    from moot.emulator.control import ClockStart, Emulator
    from moot.services.accounts import BootstrapError, ensure_bootstrap

    frozen = options.frozen or start is not None
    clock = ControllableClock(start, frozen=frozen)
    deps = await build_deps(settings, clock)
    try:
        empty = await deps.store.count_accounts() == 0
        try:
            credentials = await ensure_bootstrap(deps)
        except BootstrapError as exc:
            raise EmulatorError(f"{exc}.") from None
        assert credentials is not None
        if data is not None and empty:
            await _seed(deps, data, options.data)
        at = datetime.fromtimestamp(clock.timestamp(), UTC) if frozen else None
        emulator = Emulator(deps, ClockStart(frozen, at))
        await emulator.take_baseline()
        app = create_app(settings, deps=deps, dispatch=True, emulator=emulator)
        config = uvicorn.Config(
            app,
            log_level=settings.log_level,
            access_log=False,
            lifespan="on",
            ws="none",
            interface="asgi3",
            timeout_graceful_shutdown=5,
        )
        _announce(options, settings, credentials, clock)
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        await deps.store.close()
        sock.close()


async def _seed(deps: Any, data: Any, path: Path | None) -> None:
    from moot.domain.errors import ValidationFailed
    from moot.emulator.seed import apply_seed

    try:
        await apply_seed(deps, data)
    except ValidationFailed as exc:
        raise EmulatorError(_seed_errors(path, exc)) from None


def _announce(options: Options, settings: Settings, credentials: Credentials, clock: Any) -> None:
    base = settings.base_url
    info = {
        "base_url": base,
        "account_id": credentials.account_id,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "user_email": credentials.user_email,
        "token_url": f"{base}/oauth/token",
        "api_url": f"{base}/v2",
        "admin_url": f"{base}/moot/api",
    }
    if options.as_json:
        print(json.dumps(info), flush=True)
        return
    where = "in memory" if options.db is None else settings.db_url
    state = "frozen" if clock.frozen else "running"
    seeded = f", ids seeded with {options.seed}" if options.seed is not None else ""
    lines = [
        f"moot emulator on {base} ({where}; clock {state} at {clock.now():%Y-%m-%dT%H:%M:%SZ}{seeded})",
        *(f"  {name:<14}{value}" for name, value in info.items() if name != "base_url"),
    ]
    print("\n".join(lines), flush=True)
