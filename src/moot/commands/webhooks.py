"""``moot webhooks tail``: follow a moot server's webhook delivery attempts as they happen.

It reads moot's admin API (``/moot/api/webhooks/attempts``), so it needs the server's admin token
(``--admin-token`` or ``MOOT_ADMIN_TOKEN``); it works against moot, not against Zoom.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import httpx
import typer

from moot.commands import profiles
from moot.commands.common import (
    EXIT_AUTH,
    EXIT_ERROR,
    BaseUrlOpt,
    JsonOpt,
    ProfileOpt,
    console,
    err,
    local_time,
)

webhooks_app = typer.Typer(no_args_is_help=True, help="Webhook deliveries of a moot server.")


def _server_root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root.removesuffix("/v2")


def _line(attempt: dict[str, Any]) -> str:
    status = attempt["status_code"]
    ok = status in (200, 204)
    outcome = f"[green]{status}[/green]" if ok else f"[red]{status if status is not None else 'failed'}[/red]"
    reason = "" if ok or not attempt["error"] else f"  [red]{attempt['error']}[/red]"
    which = f"#{attempt['delivery_id']} try {attempt['number']}"
    return (
        f"{local_time(attempt['at'])}  {attempt['event']:<40} {which}"
        f"  {outcome} {attempt['latency_ms']:.0f} ms  {attempt['url']}{reason}"
    )


@webhooks_app.command("tail")
def tail(
    admin_token: Annotated[
        str | None,
        typer.Option("--admin-token", envvar="MOOT_ADMIN_TOKEN", help="The server's MOOT_ADMIN_TOKEN."),
    ] = None,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Show every attempt logged so far first.")
    ] = False,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="Stop after this many attempts (default: follow).")
    ] = None,
    interval: Annotated[float, typer.Option("--interval", min=0.05, help="Seconds between looks.")] = 1.0,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print each delivery attempt as moot makes it (one JSON object per line with --json)."""
    root = _server_root(base_url or profiles.load(profile).base_url)
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    out = console()
    shown = 0
    with httpx.Client(base_url=root, headers=headers, timeout=10) as http:
        after: int | None = 0 if from_start else None
        while count is None or shown < count:
            params = {"after_id": after} if after is not None else {}
            try:
                response = http.get("/moot/api/webhooks/attempts", params=params)
            except httpx.HTTPError as error:
                err.print(f"[red]Cannot reach {root}:[/red] {error}")
                raise typer.Exit(EXIT_ERROR) from None
            if response.status_code in (401, 404):
                what = "admin token refused" if response.status_code == 401 else "admin API is off"
                err.print(
                    f"[red]{what}[/red]: start moot with MOOT_ADMIN_TOKEN and pass it with --admin-token."
                )
                raise typer.Exit(EXIT_AUTH)
            response.raise_for_status()
            page = response.json()
            for attempt in page["attempts"][: None if count is None else count - shown]:
                if as_json:
                    typer.echo(json.dumps(attempt, ensure_ascii=False))
                else:
                    out.print(_line(attempt))
                shown += 1
            after = int(page["last_id"])
            if not page["attempts"]:
                time.sleep(interval)
