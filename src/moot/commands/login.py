"""``moot login``: check credentials against a server and store them as a profile."""

from __future__ import annotations

import os
from typing import Annotated

import httpx
import typer

from moot.client import Client, ZoomAPIError
from moot.commands import profiles
from moot.commands.common import EXIT_AUTH, JsonOpt, console, err, exit_code, print_json, report


def login(
    profile: Annotated[
        str, typer.Option("--profile", help="Profile name to save.")
    ] = profiles.DEFAULT_PROFILE,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Server root, or https://api.zoom.us/v2 for Zoom.")
    ] = None,
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Account id (MOOT_ACCOUNT_ID).")
    ] = None,
    client_id: Annotated[str | None, typer.Option("--client-id", help="Client id (MOOT_CLIENT_ID).")] = None,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Fetch a token and /users/me first.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Save a profile. The client secret comes from MOOT_CLIENT_SECRET or a hidden prompt, never a flag."""
    known = profiles.load(profile)
    account = account_id or known.account_id or typer.prompt("Account id")
    client = client_id or known.client_id or typer.prompt("Client id")
    secret = os.environ.get("MOOT_CLIENT_SECRET") or known.client_secret
    if not secret:
        secret = typer.prompt("Client secret", hide_input=True)
    found = profiles.Profile(base_url or known.base_url, account, client, secret)
    email = ""
    if verify:
        try:
            with Client(
                account_id=account, client_id=client, client_secret=secret, base_url=found.base_url
            ) as zoom:
                email = str(zoom.users.get("me").get("email", ""))
        except ZoomAPIError as error:
            report(error)
            raise typer.Exit(exit_code(error) or EXIT_AUTH) from None
        except httpx.HTTPError as error:
            err.print(f"[red]Cannot reach {found.base_url}:[/red] {error}")
            raise typer.Exit(1) from None
    path = profiles.save(profile, found)
    result = {"profile": profile, "base_url": found.base_url, "account_id": account, "client_id": client}
    if email:
        result["user"] = email
    if as_json:
        print_json({**result, "config": str(path)})
    else:
        console().print(
            f"Logged in{' as ' + email if email else ''}: profile [bold]{profile}[/bold] saved to {path}."
        )
