"""``moot`` commands that talk to a server over HTTP through the SDK (``moot.client``): ``moot login``,
``moot meetings ...`` and ``moot users get|list``. They take ``--profile`` / ``--base-url``, never
``--db-url``. Exit codes: 0 ok, 1 other error, 2 authentication, 3 not found, 4 validation, 5 rate limited.
"""

from __future__ import annotations

import typer

from moot.commands.login import login
from moot.commands.meetings import meetings_app
from moot.commands.users import get as users_get
from moot.commands.users import list_ as users_list


def register(app: typer.Typer, users_app: typer.Typer) -> None:
    """Add the SDK commands to the ``moot`` app; user commands join the existing ``users`` group."""
    app.command("login")(login)
    app.add_typer(meetings_app, name="meetings")
    users_app.command("get")(users_get)
    users_app.command("list")(users_list)
