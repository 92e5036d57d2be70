"""What every SDK command shares: connection options, the client, output and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from moot.client import (
    AuthError,
    BadRequest,
    Client,
    NotFound,
    OAuthError,
    RateLimited,
    Token,
    ValidationFailed,
    ZoomAPIError,
    parse_time,
)
from moot.commands import profiles

EXIT_OK, EXIT_ERROR, EXIT_AUTH, EXIT_NOT_FOUND, EXIT_VALIDATION, EXIT_RATE_LIMITED = 0, 1, 2, 3, 4, 5

ProfileOpt = Annotated[
    str | None,
    typer.Option("--profile", help="Profile from the config file (default: MOOT_PROFILE or current)."),
]
BaseUrlOpt = Annotated[
    str | None, typer.Option("--base-url", help="Server root or API base: moot's or https://api.zoom.us/v2.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

err = Console(stderr=True, highlight=False)


def console() -> Console:
    """Standard output: colours on a terminal; piped, no colours and wide lines (tables do not wrap)."""
    terminal = Console(highlight=False)
    return terminal if terminal.is_terminal else Console(highlight=False, width=max(terminal.width, 240))


def exit_code(error: Exception) -> int:
    if isinstance(error, AuthError):
        return EXIT_AUTH
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, ValidationFailed | BadRequest):
        return EXIT_VALIDATION
    if isinstance(error, RateLimited):
        return EXIT_RATE_LIMITED
    return EXIT_ERROR


@contextmanager
def client(profile: str | None, base_url: str | None) -> Iterator[Client]:
    """An SDK client for the profile; API errors become a message on stderr and the exit code."""
    found = profiles.load(profile)
    if not found.complete():
        err.print(
            "[red]No credentials.[/red] Run `moot login` (or `moot login --oauth`), or set MOOT_ACCOUNT_ID, "
            "MOOT_CLIENT_ID and MOOT_CLIENT_SECRET."
        )
        raise typer.Exit(EXIT_AUTH)
    try:
        with sdk_client(profile, found, base_url) as sdk:
            yield sdk
    except ZoomAPIError as error:
        report(error)
        if isinstance(error, OAuthError) and found.oauth:
            name = profile or profiles.current_name()
            err.print(f"The saved sign-in no longer works: run `moot login --oauth --profile {name}` again.")
        raise typer.Exit(exit_code(error)) from None
    except httpx.HTTPError as error:
        err.print(f"[red]Cannot reach {base_url or found.base_url}:[/red] {error}")
        raise typer.Exit(EXIT_ERROR) from None


def sdk_client(name: str | None, found: profiles.Profile, base_url: str | None) -> Client:
    """Server-to-Server credentials, or a user OAuth profile's tokens: each refresh (single-use refresh
    tokens) is written back to the profile before the call that needed it goes on."""
    if not found.oauth:
        return Client(
            account_id=found.account_id,
            client_id=found.client_id,
            client_secret=found.client_secret,
            base_url=base_url or found.base_url,
        )

    def store(token: Token) -> None:
        profiles.save_tokens(name, token.access_token, token.refresh_token, token.expires_at)

    return Client(
        access_token=found.access_token,
        refresh_token=found.refresh_token or None,
        token_expires_at=found.token_expires_at,
        client_id=found.client_id,
        client_secret=found.client_secret,
        on_token_refresh=store,
        base_url=base_url or found.base_url,
    )


def report(error: ZoomAPIError) -> None:
    code = f"/{error.code}" if error.code is not None else ""
    err.print(f"[red]Error {error.status_code}{code}:[/red] {error.message}")
    for field in error.errors:
        err.print(f"  {field['field']}: {field['message']}")
    if isinstance(error, RateLimited) and error.retry_after is not None:
        err.print(f"  retry after {error.retry_after:.0f} s")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def local_time(value: str | None) -> str:
    """A Zoom UTC time shown in this machine's time zone."""
    if not value:
        return ""
    return parse_time(value).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def parse_start(value: str, timezone: str | None) -> datetime | str:
    """``--start``: with a zone or ``Z`` as given; without one, local time in ``--timezone`` if given (Zoom
    reads it so), else this machine's local time."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        err.print(f"[red]--start {value!r} is not an ISO 8601 date-time[/red] (e.g. 2030-06-09T17:00:00Z).")
        raise typer.Exit(EXIT_VALIDATION) from None
    if parsed.tzinfo is not None or timezone:
        return parsed
    return parsed.astimezone()


def details(title: str, rows: list[tuple[str, Any]]) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows:
        if value is not None and value != "":
            table.add_row(key, str(value))
    console().print(table)
