"""``moot meetings registrants ...``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from moot.client import Registrant, RegistrantCreate
from moot.client.models import RegistrantAction
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

registrants_app = typer.Typer(no_args_is_help=True, help="Registrants of a meeting with registration on.")

MeetingArg = Annotated[int, typer.Argument(help="Meeting id.")]
RegistrantArg = Annotated[str, typer.Argument(help="Registrant id.")]


def _show(registrant: Registrant, title: str) -> None:
    details(
        title,
        [
            ("id", registrant.get("id")),
            ("email", registrant.get("email")),
            ("name", f"{registrant.get('first_name', '')} {registrant.get('last_name', '')}".strip()),
            ("status", registrant.get("status")),
            ("registered", local_time(registrant.get("create_time"))),
            ("join", registrant.get("join_url")),
        ],
    )


@registrants_app.command("add")
def add(
    meeting_id: MeetingArg,
    email: Annotated[str, typer.Option(help="Email address.")],
    first_name: Annotated[str, typer.Option(help="First name.")],
    last_name: Annotated[str | None, typer.Option(help="Last name.")] = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register someone (POST /meetings/{meetingId}/registrants)."""
    body: RegistrantCreate = {"email": email, "first_name": first_name}
    if last_name:
        body["last_name"] = last_name
    with client(profile, base_url) as zoom:
        created = zoom.meetings.registrants.create(meeting_id, **body)
    if as_json:
        print_json(created)
    else:
        details(
            "Registered", [("registrant", created.get("registrant_id")), ("join", created.get("join_url"))]
        )


@registrants_app.command("list")
def list_(
    meeting_id: MeetingArg,
    status: Annotated[str, typer.Option(help="approved, pending or denied.")] = "approved",
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List registrants, every page (GET /meetings/{meetingId}/registrants)."""
    with client(profile, base_url) as zoom:
        items = list(zoom.meetings.registrants.list(meeting_id, status=status))
    if as_json:
        print_json(items)
        return
    table = Table(
        "id", "email", "name", "status", "registered", title=f"Registrants ({status})", title_justify="left"
    )
    for r in items:
        name = f"{r.get('first_name', '')} {r.get('last_name', '')}".strip()
        table.add_row(
            r.get("id", ""), r.get("email", ""), name, r.get("status", ""), local_time(r.get("create_time"))
        )
    console().print(table)


@registrants_app.command("get")
def get(
    meeting_id: MeetingArg,
    registrant_id: RegistrantArg,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a registrant."""
    with client(profile, base_url) as zoom:
        found = zoom.meetings.registrants.get(meeting_id, registrant_id)
    print_json(found) if as_json else _show(found, f"Registrant {registrant_id}")


@registrants_app.command("delete")
def delete(
    meeting_id: MeetingArg,
    registrant_id: RegistrantArg,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete a registrant."""
    with client(profile, base_url) as zoom:
        zoom.meetings.registrants.delete(meeting_id, registrant_id)
    result = {"id": registrant_id, "status": "deleted"}
    print_json(result) if as_json else console().print(f"Registrant {registrant_id} deleted.")


def _status_command(action: RegistrantAction, past: str) -> None:
    def command(
        meeting_id: MeetingArg,
        registrant_ids: Annotated[list[str], typer.Argument(help="Registrant ids (at most 30).")],
        profile: ProfileOpt = None,
        base_url: BaseUrlOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        with client(profile, base_url) as zoom:
            zoom.meetings.registrants.update_status(meeting_id, action, [{"id": i} for i in registrant_ids])
        result = {"ids": registrant_ids, "status": past}
        print_json(result) if as_json else console().print(f"{len(registrant_ids)} registrant(s) {past}.")

    command.__doc__ = f"{action.capitalize()} registrants (PUT /meetings/{{meetingId}}/registrants/status)."
    registrants_app.command(action)(command)


_status_command("approve", "approved")
_status_command("deny", "denied")
_status_command("cancel", "cancelled")
