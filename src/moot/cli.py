"""``moot``: serve the API, and administer accounts, apps and users on the database it uses.

Admin commands act directly on the database named by ``--db-url`` / ``MOOT_DB_URL``, also while a
server is running on it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from moot import cli_webhooks as webhook_cli
from moot.commands import register as register_client_commands
from moot.config import Settings
from moot.domain.accounts import ALL_SCOPES, AppType, Plan, UnknownScopes, parse_scopes
from moot.domain.oauth import InvalidRedirectUri, check_redirect_uri
from moot.domain.ratelimits import InvalidRateLimitMode, scale_of
from moot.services.accounts import (
    AccountNotFound,
    BootstrapError,
    Credentials,
    create_account,
    create_app,
    create_user_in_account,
    ensure_bootstrap,
    ensure_demo,
    read_credentials,
    update_account,
)
from moot.services.context import Deps
from moot.storage.urls import DatabaseURL, UnsupportedDatabase
from moot.webhooks import endpoints as webhook_endpoints

T = TypeVar("T")

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="moot: a self-hostable server that speaks Zoom's REST API v2 for meetings.",
)
accounts_app = typer.Typer(no_args_is_help=True, help="Accounts.")
apps_app = typer.Typer(no_args_is_help=True, help="OAuth apps.")
users_app = typer.Typer(no_args_is_help=True, help="Users.")
db_app = typer.Typer(no_args_is_help=True, help="The database schema.")
app.add_typer(accounts_app, name="accounts")
app.add_typer(apps_app, name="apps")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
register_client_commands(app, users_app)  # moot login, moot meetings ..., moot users get|list (over HTTP)

console = Console()
err = Console(stderr=True)

DbUrl = Annotated[
    str | None, typer.Option("--db-url", help="Database URL (default: MOOT_DB_URL or sqlite:///moot.db).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
WebhookUrl = Annotated[
    str | None, typer.Option("--webhook-url", help="Event-notification endpoint URL (http or https).")
]
WebhookSecret = Annotated[
    str | None,
    typer.Option(
        "--webhook-secret", help="Secret token that signs deliveries (default: a new one, printed)."
    ),
]
WebhookEvents = Annotated[
    str | None, typer.Option("--events", help="Comma-separated events to subscribe to, or 'all' (default).")
]


def _settings(db_url: str | None = None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db_url is not None:
        values["db_url"] = db_url
    settings = Settings(**values)
    try:
        DatabaseURL(settings.db_url)
    except UnsupportedDatabase as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    return settings


def _migrate(settings: Settings) -> None:
    from moot.storage.migrate import upgrade

    upgrade(DatabaseURL(settings.db_url))


def _run(settings: Settings, action: Callable[[Deps], Awaitable[T]]) -> T:
    """Migrate, then run ``action`` with a store open on the settings' database."""
    from moot.api.app import build_deps

    _migrate(settings)

    async def main() -> T:
        deps = await build_deps(settings)
        try:
            return await action(deps)
        finally:
            await deps.store.close()

    return asyncio.run(main())


def _print_credentials(credentials: Credentials, settings: Settings, title: str) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_row("account_id", credentials.account_id)
    table.add_row("client_id", credentials.client_id)
    table.add_row("client_secret", credentials.client_secret)
    table.add_row("user", credentials.user_email)
    table.add_row("token URL", f"{settings.base_url}/oauth/token")
    table.add_row("API base URL", f"{settings.base_url}/v2")
    console.print(table)


def _worker_env(settings: Settings) -> dict[str, str]:
    """What ``moot serve``'s flags decided, for worker processes that read only the environment."""
    env = {"MOOT_HOST": settings.host, "MOOT_PORT": str(settings.port), "MOOT_DB_URL": settings.db_url}
    if settings.public_url:
        env["MOOT_PUBLIC_URL"] = settings.public_url
    return env


def _metrics_dir() -> str | None:
    """A fresh directory for the workers' metric files (prometheus-client's multiprocess mode): a given
    ``PROMETHEUS_MULTIPROC_DIR`` is emptied, else a temporary one is made (returned, to remove at exit)."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.remove(os.path.join(given, name))
        return None
    made = tempfile.mkdtemp(prefix="moot-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (MOOT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MOOT_PORT).")] = None,
    db_url: DbUrl = None,
    public_url: Annotated[
        str | None, typer.Option(help="Base URL clients reach moot at (MOOT_PUBLIC_URL).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Server processes (MOOT_WORKERS); use PostgreSQL for more than one."),
    ] = None,
) -> None:
    """Start the API server (migrating the database first)."""
    settings = _settings(db_url, host=host, port=port, public_url=public_url, workers=workers)
    database = DatabaseURL(settings.db_url)
    if settings.workers > 1 and database.is_sqlite and database.sqlite_path is None:
        err.print("Several workers cannot share an in-memory database: use a file or PostgreSQL.")
        raise typer.Exit(2)
    _check_video_settings(settings)

    async def prepare(deps: Deps) -> tuple[Credentials | None, Credentials | None]:
        return await ensure_bootstrap(deps), await ensure_demo(deps)

    try:
        bootstrap, demo = _run(settings, prepare)
    except BootstrapError as exc:
        err.print(f"{exc}.")
        raise typer.Exit(2) from None
    if demo is not None:
        _print_credentials(demo, settings, f"Demo account created (saved to {settings.credentials_path})")
    elif bootstrap is not None:
        _print_credentials(bootstrap, settings, "Bootstrap account")
    else:
        console.print(f"Credentials: [bold]moot credentials --db-url {settings.db_url}[/bold]")
    console.print(f"moot is serving Zoom's API at [bold]{settings.base_url}/v2[/bold]")
    _run_server(settings)


def _check_video_settings(settings: Settings) -> None:
    """Refuse to start, before touching the database, when the video provider lacks its settings."""
    from moot.video import provider_for

    try:
        provider_for(settings)
    except ValueError as exc:
        err.print(f"{exc}", soft_wrap=True)
        raise typer.Exit(2) from None


def _run_server(settings: Settings) -> None:
    """uvicorn, in this process or in ``settings.workers`` worker processes. On SIGTERM it stops
    accepting connections, lets requests in flight finish (``shutdown_timeout`` at most), then the app
    stops its webhook dispatcher (deliveries in flight finish, 3 seconds at most; it leases none it has
    not started)."""
    import uvicorn

    from moot.api.asgi import settle_garbage_collector
    from moot.logs import uvicorn_log_config

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "log_config": uvicorn_log_config(settings.log_format, settings.log_level),
        "access_log": False,
        "proxy_headers": True,
        "timeout_graceful_shutdown": settings.shutdown_timeout,
    }
    if settings.workers == 1:
        from moot.api.app import create_app

        settle_garbage_collector()
        uvicorn.run(create_app(settings), **options)
        return
    if DatabaseURL(settings.db_url).is_sqlite:
        err.print(
            f"Warning: {settings.workers} workers on SQLite take turns to write (one writer at a time); "
            "PostgreSQL is recommended for several workers.",
            soft_wrap=True,
        )
    os.environ.update(_worker_env(settings))
    made = _metrics_dir() if settings.metrics else None
    try:
        uvicorn.run("moot.api.asgi:create", factory=True, workers=settings.workers, **options)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


@app.command(
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def emulate(ctx: typer.Context) -> None:
    """Start an emulator for tests: in memory, admin API on, controllable clock, fixed credentials
    (moot emulate --help for its options)."""
    from moot.emulator.command import main as emulate_main

    emulate_main(ctx.args)


@app.command()
def credentials(db_url: DbUrl = None, as_json: AsJson = False) -> None:
    """Print the demo (or bootstrap) credentials again."""
    settings = _settings(db_url)
    found = read_credentials(settings.credentials_path)
    if found is None and settings.bootstrap_client_id and settings.bootstrap_account_id:
        found = Credentials(
            settings.bootstrap_account_id,
            settings.bootstrap_client_id,
            settings.bootstrap_client_secret or "",
            settings.bootstrap_user_email or "owner@moot.local",
        )
    if found is None:
        err.print(
            f"No credentials file at {settings.credentials_path}: start `moot serve` once to create one."
        )
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(asdict(found)))
    else:
        _print_credentials(found, settings, f"Credentials ({settings.credentials_path})")


def _rate_limit_mode(value: str | None) -> str | None:
    """Refuse a --rate-limits that is not zoom, off or xN before touching the database."""
    if value is not None:
        try:
            scale_of(value)
        except InvalidRateLimitMode as exc:
            err.print(str(exc))
            raise typer.Exit(2) from None
    return value


@accounts_app.command("create")
def accounts_create(
    owner_email: Annotated[str, typer.Option(help="Email of the account's owner user.")] = "owner@moot.local",
    name: Annotated[str, typer.Option(help="Account name.")] = "",
    plan: Annotated[Plan, typer.Option(help="Plan (sets rate limits).")] = Plan.BUSINESS,
    rate_limits: Annotated[
        str,
        typer.Option(
            "--rate-limits",
            help="zoom (Zoom's limits for the plan), off, or xN (times N).",
            callback=_rate_limit_mode,
        ),
    ] = "zoom",
    db_url: DbUrl = None,
    as_json: AsJson = False,
) -> None:
    """Create an account with its owner user."""
    settings = _settings(db_url)
    account, owner = _run(
        settings,
        lambda deps: create_account(
            deps, owner_email=owner_email, name=name, plan=plan, rate_limits=rate_limits
        ),
    )
    data = {
        "account_id": account.id,
        "owner_id": owner.id,
        "owner_email": owner.email,
        "plan": account.plan.value,
        "rate_limits": account.rate_limits,
    }
    print(json.dumps(data)) if as_json else console.print(data)


@accounts_app.command("update")
def accounts_update(
    account: Annotated[str, typer.Option("--account", help="Account id.")],
    plan: Annotated[Plan | None, typer.Option(help="Plan (sets rate limits).")] = None,
    rate_limits: Annotated[
        str | None,
        typer.Option(
            "--rate-limits",
            help="zoom (Zoom's limits for the plan), off, or xN (times N).",
            callback=_rate_limit_mode,
        ),
    ] = None,
    db_url: DbUrl = None,
    as_json: AsJson = False,
) -> None:
    """Change an account's plan or rate limits (a running server applies it within 5 seconds)."""
    settings = _settings(db_url)
    try:
        updated = _run(
            settings, lambda deps: update_account(deps, account, plan=plan, rate_limits=rate_limits)
        )
    except AccountNotFound:
        err.print(f"No account {account!r}.")
        raise typer.Exit(1) from None
    data = {"account_id": updated.id, "plan": updated.plan.value, "rate_limits": updated.rate_limits}
    print(json.dumps(data)) if as_json else console.print(data)


@apps_app.command("create")
def apps_create(
    account: Annotated[str, typer.Option("--account", help="Account id.")],
    name: Annotated[str, typer.Option(help="App name.")] = "moot app",
    scopes: Annotated[
        str, typer.Option(help="Comma-separated scopes the app may use (classic or granular), or 'all'.")
    ] = "all",
    app_type: Annotated[
        AppType,
        typer.Option("--type", help="s2s (Server-to-Server OAuth) or oauth (users authorize it)."),
    ] = AppType.SERVER_TO_SERVER,
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option("--redirect-uri", help="OAuth apps: a redirect URI (repeat for several)."),
    ] = None,
    webhook_url: WebhookUrl = None,
    webhook_secret: WebhookSecret = None,
    events: WebhookEvents = None,
    db_url: DbUrl = None,
    as_json: AsJson = False,
) -> None:
    """Create an OAuth app on an account (the secret is shown only now), optionally with an
    event-notification endpoint (validated now, as Zoom does)."""
    try:
        granted = parse_scopes(scopes)
    except UnknownScopes as exc:
        err.print(f"{exc}. Known scopes: {', '.join(ALL_SCOPES)}")
        raise typer.Exit(2) from None
    webhook = webhook_cli.requested(webhook_url, webhook_secret, events, current=None)
    uris = tuple(redirect_uri or ())
    if app_type is AppType.SERVER_TO_SERVER and uris:
        err.print("--redirect-uri is for --type oauth apps.")
        raise typer.Exit(2)
    try:
        if app_type is AppType.OAUTH and not uris:
            raise InvalidRedirectUri("an OAuth app needs at least one --redirect-uri")
        for uri in uris:
            check_redirect_uri(uri)
    except InvalidRedirectUri as exc:
        err.print(f"{exc}.")
        raise typer.Exit(2) from None
    settings = _settings(db_url)
    try:
        created, secret = _run(
            settings,
            lambda deps: create_app(
                deps, account_id=account, name=name, scopes=granted, app_type=app_type, redirect_uris=uris
            ),
        )
    except AccountNotFound:
        err.print(f"No account {account!r}.")
        raise typer.Exit(1) from None
    endpoint = webhook_cli.store(settings, created.client_id, webhook, run=_run) if webhook else None
    found = Credentials(created.account_id, created.client_id, secret, "")
    if as_json:
        data: dict[str, Any] = {
            "account_id": found.account_id,
            "client_id": found.client_id,
            "client_secret": secret,
        }
        if app_type is AppType.OAUTH:
            data |= {"type": app_type.value, "redirect_uris": list(uris)}
        if endpoint is not None and webhook is not None:
            data["webhook"] = webhook_cli.report(endpoint, webhook)
        print(json.dumps(data))
    elif app_type is AppType.OAUTH:
        _print_credentials(found, settings, "OAuth app created")
        console.print(f"authorize URL: {settings.base_url}/oauth/authorize")
        console.print(f"redirect URIs: {', '.join(uris)}")
    else:
        _print_credentials(found, settings, "Server-to-Server OAuth app created")
    if endpoint is not None and webhook is not None:
        webhook_cli.say(endpoint, webhook, as_json=as_json)


@apps_app.command("update")
def apps_update(
    client_id: Annotated[str, typer.Option("--client-id", help="The app's client id.")],
    webhook_url: WebhookUrl = None,
    webhook_secret: WebhookSecret = None,
    events: WebhookEvents = None,
    remove_webhook: Annotated[
        bool, typer.Option("--remove-webhook", help="Remove the app's event-notification endpoint.")
    ] = False,
    validate: Annotated[
        bool, typer.Option("--validate", help="Send the URL-validation challenge again now.")
    ] = False,
    db_url: DbUrl = None,
    as_json: AsJson = False,
) -> None:
    """Change an app's event-notification endpoint (a new URL or secret is validated first)."""
    settings = _settings(db_url)
    found = _run(settings, lambda deps: deps.store.get_app(client_id))
    if found is None:
        err.print(f"No app {client_id!r}.")
        raise typer.Exit(1)
    if remove_webhook:
        _run(settings, lambda deps: webhook_endpoints.save_endpoint(deps, client_id, None))
        print(json.dumps({"client_id": client_id, "webhook": None})) if as_json else console.print(
            "Event-notification endpoint removed."
        )
        return
    webhook = webhook_cli.requested(
        webhook_url, webhook_secret, events, current=found.webhook, revalidate=validate
    )
    if webhook is None:
        err.print(
            "Nothing to change: give --webhook-url, --webhook-secret, --events, --validate or "
            "--remove-webhook."
        )
        raise typer.Exit(2)
    webhook_cli.apply(settings, client_id, webhook, run=_run, as_json=as_json)


@users_app.command("create")
def users_create(
    account: Annotated[str, typer.Option("--account", help="Account id.")],
    email: Annotated[str, typer.Option(help="Email address.")],
    first_name: Annotated[str, typer.Option(help="First name.")] = "",
    last_name: Annotated[str, typer.Option(help="Last name.")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Password for signing in on the OAuth consent page (/oauth/authorize)."),
    ] = None,
    db_url: DbUrl = None,
    as_json: AsJson = False,
) -> None:
    """Create an active, licensed user in an account."""
    from moot.domain.errors import EmailAlreadyUsed

    settings = _settings(db_url)
    try:
        user = _run(
            settings,
            lambda deps: create_user_in_account(
                deps,
                account_id=account,
                email=email,
                first_name=first_name,
                last_name=last_name,
                password=password,
            ),
        )
    except AccountNotFound:
        err.print(f"No account {account!r}.")
        raise typer.Exit(1) from None
    except EmailAlreadyUsed as exc:
        err.print(exc.message)
        raise typer.Exit(1) from None
    data = {"id": user.id, "email": user.email, "account_id": user.account_id}
    print(json.dumps(data)) if as_json else console.print(data)


@db_app.command("upgrade")
def db_upgrade(db_url: DbUrl = None) -> None:
    """Apply pending schema migrations."""
    settings = _settings(db_url)
    _migrate(settings)
    console.print(f"Database at {settings.db_url} is up to date.")


def main() -> None:
    app()
