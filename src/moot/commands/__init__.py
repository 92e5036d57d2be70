"""``moot`` commands that talk to a server over HTTP through the SDK (``moot.client``): ``moot login``
(Server-to-Server, or ``--oauth`` for a user signing in through the browser), ``moot meetings ...``
(``import`` / ``export`` included), ``moot users get|list`` and ``moot webhooks tail``. They take
``--profile`` / ``--base-url``, never ``--db-url``. Exit codes: 0 ok, 1 other error, 2 authentication,
3 not found, 4 validation, 5 rate limited.
"""

from __future__ import annotations

import typer

from moot.commands.login import login
from moot.commands.meetings import meetings_app
from moot.commands.users import get as users_get
from moot.commands.users import list_ as users_list
from moot.commands.webhooks import webhooks_app


def register(app: typer.Typer, users_app: typer.Typer) -> None:
    """Add the SDK commands to the ``moot`` app; user commands join the existing ``users`` group."""
    app.command("login")(login)
    app.add_typer(meetings_app, name="meetings")
    app.add_typer(webhooks_app, name="webhooks")
    users_app.command("get")(users_get)
    users_app.command("list")(users_list)
