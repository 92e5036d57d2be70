"""``moot login``: check credentials against a server and store them as a profile.

Server-to-Server credentials by default; with ``--oauth``, a user signs in through the browser (see
:mod:`moot.commands.oauth_login`) and the profile keeps their token pair, renewed as it is used.
"""

from __future__ import annotations

import os
from typing import Annotated

import httpx
import typer

from moot.client import Client, MissingScopes, ZoomAPIError
from moot.commands import oauth_login, profiles
from moot.commands.common import EXIT_AUTH, JsonOpt, console, err, exit_code, print_json, report, sdk_client


def _secret(known: profiles.Profile, client_id: str) -> str:
    """MOOT_CLIENT_SECRET, the profile's secret when it is for the same client id, or a hidden prompt."""
    secret = os.environ.get("MOOT_CLIENT_SECRET") or (
        known.client_secret if known.client_id == client_id else ""
    )
    return secret or str(typer.prompt("Client secret", hide_input=True))


def login(
    profile: Annotated[
        str, typer.Option("--profile", help="Profile name to save.")
    ] = profiles.DEFAULT_PROFILE,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Server root, or https://api.zoom.us/v2 for Zoom.")
    ] = None,
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Account id (MOOT_ACCOUNT_ID); not for --oauth.")
    ] = None,
    client_id: Annotated[str | None, typer.Option("--client-id", help="Client id (MOOT_CLIENT_ID).")] = None,
    oauth: Annotated[
        bool,
        typer.Option("--oauth", help="Sign a user in through the browser (a user OAuth app), not S2S."),
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            "--port",
            help="--oauth: listen on 127.0.0.1:PORT; http://127.0.0.1:PORT/callback must be registered.",
        ),
    ] = oauth_login.DEFAULT_PORT,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="--oauth: open the authorize URL in a browser.")
    ] = True,
    timeout: Annotated[
        float, typer.Option("--timeout", help="--oauth: seconds to wait for the sign-in.")
    ] = oauth_login.DEFAULT_TIMEOUT,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Fetch a token and /users/me first.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Save a profile. The client secret comes from MOOT_CLIENT_SECRET or a hidden prompt, never a flag."""
    known = profiles.load(profile)
    if oauth:
        _oauth(profile, known, base_url, client_id, port, browser, timeout, verify, as_json)
        return
    account = account_id or known.account_id or typer.prompt("Account id")
    client = client_id or known.client_id or typer.prompt("Client id")
    secret = _secret(known, client)
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
    _done(result, email, path, as_json)


def _oauth(
    profile: str,
    known: profiles.Profile,
    base_url: str | None,
    client_id: str | None,
    port: int,
    browser: bool,
    timeout: float,
    verify: bool,
    as_json: bool,
) -> None:
    client = client_id or (known.client_id if known.oauth else "") or typer.prompt("Client id")
    secret = _secret(known, client)
    url = base_url or known.base_url
    try:
        token = oauth_login.sign_in(
            base_url=url,
            client_id=client,
            client_secret=secret,
            port=port,
            open_browser=browser,
            timeout=timeout,
        )
    except ZoomAPIError as error:
        report(error)
        raise typer.Exit(exit_code(error) or EXIT_AUTH) from None
    except httpx.HTTPError as error:
        err.print(f"[red]Cannot reach {url}:[/red] {error}")
        raise typer.Exit(1) from None
    found = profiles.Profile(
        base_url=url,
        client_id=client,
        client_secret=secret,
        auth=profiles.OAUTH,
        access_token=token.access_token,
        refresh_token=token.refresh_token or "",
        token_expires_at=token.expires_at,
    )
    path = profiles.save(profile, found)
    email = ""
    if verify:
        try:
            with sdk_client(profile, found, None) as zoom:
                email = str(zoom.users.get("me").get("email", ""))
        except MissingScopes:
            pass  # an app without user:read: signed in all the same
        except ZoomAPIError as error:
            report(error)
            err.print(f"The profile {profile!r} was saved in {path} all the same.")
            raise typer.Exit(exit_code(error) or EXIT_AUTH) from None
    result = {"profile": profile, "base_url": url, "auth": profiles.OAUTH, "client_id": client}
    if token.scope:
        result["scope"] = token.scope
    _done(result, email, path, as_json)


def _done(result: dict[str, str], email: str, path: object, as_json: bool) -> None:
    if email:
        result["user"] = email
    if as_json:
        print_json({**result, "config": str(path)})
    else:
        profile = result["profile"]
        console().print(
            f"Logged in{' as ' + email if email else ''}: profile [bold]{profile}[/bold] saved to {path}."
        )
