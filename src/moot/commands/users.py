"""``moot users get`` and ``moot users list``: users through the API (``moot users create`` is the
database admin command)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from moot.commands.common import (
    BaseUrlOpt,
    JsonOpt,
    ProfileOpt,
    client,
    console,
    details,
    local_time,
    print_json,
)

_TYPES = {1: "Basic", 2: "Licensed", 99: "None"}


def get(
    user_id: Annotated[str, typer.Argument(help="'me', a user id or an email.")] = "me",
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a user through the API (GET /users/{userId})."""
    with client(profile, base_url) as zoom:
        user = zoom.users.get(user_id)
    if as_json:
        print_json(user)
        return
    details(
        f"User {user_id}",
        [
            ("id", user.get("id")),
            ("email", user.get("email")),
            ("name", user.get("display_name")),
            ("type", _TYPES.get(user.get("type", 0), user.get("type"))),
            ("status", user.get("status")),
            ("timezone", user.get("timezone")),
            ("pmi", user.get("pmi")),
            ("created", local_time(user.get("created_at"))),
        ],
    )


def list_(
    status: Annotated[str, typer.Option(help="active, inactive or pending.")] = "active",
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the account's users through the API, every page (GET /users)."""
    with client(profile, base_url) as zoom:
        items = list(zoom.users.list(status=status))  # type: ignore[arg-type]
    if as_json:
        print_json(items)
        return
    table = Table("id", "email", "name", "type", "status", title=f"Users ({status})", title_justify="left")
    for u in items:
        name = f"{u.get('first_name', '')} {u.get('last_name', '')}".strip()
        kind = _TYPES.get(u.get("type", 0), str(u.get("type")))
        table.add_row(u.get("id", ""), u.get("email", ""), name, kind, u.get("status", ""))
    console().print(table)
