"""``moot meetings ...``: meetings through the API of any server (moot or Zoom), via the SDK."""

from __future__ import annotations

from itertools import islice
from typing import Annotated, Any

import typer
from rich.table import Table

from moot.client import Meeting, MeetingCreate, MeetingSettings
from moot.commands.common import (
    BaseUrlOpt,
    JsonOpt,
    ProfileOpt,
    client,
    console,
    details,
    local_time,
    parse_start,
    print_json,
)
from moot.commands.meetings_io import export_meetings, import_meetings
from moot.commands.registrants import registrants_app

meetings_app = typer.Typer(no_args_is_help=True, help="Meetings, through the API (--base-url / --profile).")
meetings_app.add_typer(registrants_app, name="registrants")
meetings_app.command("import")(import_meetings)
meetings_app.command("export")(export_meetings)

MeetingArg = Annotated[int, typer.Argument(help="Meeting id.")]
UserOpt = Annotated[str, typer.Option("--user", help="Host: 'me', a user id or an email.")]
Topic = Annotated[str | None, typer.Option(help="Topic (at most 200 characters).")]
Start = Annotated[
    str | None,
    typer.Option(help="Start, ISO 8601 ('2030-06-09T17:00Z'; without a zone: local, or in --timezone)."),
]
Duration = Annotated[int | None, typer.Option(help="Minutes.")]
Timezone = Annotated[str | None, typer.Option("--timezone", help="Zoom timezone id, e.g. Europe/Berlin.")]
Agenda = Annotated[str | None, typer.Option(help="Agenda.")]
Password = Annotated[str | None, typer.Option(help="Passcode (at most 10 of [a-zA-Z0-9@-_*]).")]
Approval = Annotated[
    int | None, typer.Option("--approval-type", help="Registration: 0 automatic, 1 manual, 2 none.")
]
WaitingRoom = Annotated[bool | None, typer.Option("--waiting-room/--no-waiting-room", help="Waiting room.")]
Occurrence = Annotated[str | None, typer.Option("--occurrence-id", help="One occurrence of a series.")]


def _body(
    topic: str | None,
    start: str | None,
    duration: int | None,
    timezone: str | None,
    agenda: str | None,
    password: str | None,
    approval_type: int | None,
    waiting_room: bool | None,
) -> MeetingCreate:
    body: MeetingCreate = {}
    if topic is not None:
        body["topic"] = topic
    if start is not None:
        body["start_time"] = parse_start(start, timezone)
    if duration is not None:
        body["duration"] = duration
    if timezone is not None:
        body["timezone"] = timezone
    if agenda is not None:
        body["agenda"] = agenda
    if password is not None:
        body["password"] = password
    settings: MeetingSettings = {}
    if approval_type is not None:
        settings["approval_type"] = approval_type  # type: ignore[typeddict-item]
    if waiting_room is not None:
        settings["waiting_room"] = waiting_room
    if settings:
        body["settings"] = settings
    return body


def show(meeting: Meeting, title: str) -> None:
    """A meeting for people: local times, no start_url (it carries the host's ZAK)."""
    details(
        title,
        [
            ("id", meeting.get("id")),
            ("topic", meeting.get("topic")),
            ("type", meeting.get("type")),
            ("status", meeting.get("status")),
            ("start", local_time(meeting.get("start_time"))),
            ("duration", f"{meeting['duration']} min" if "duration" in meeting else None),
            ("timezone", meeting.get("timezone")),
            ("passcode", meeting.get("password")),
            ("join", meeting.get("join_url")),
            ("registration", meeting.get("registration_url")),
            ("host", meeting.get("host_email") or meeting.get("host_id")),
        ],
    )


@meetings_app.command("create")
def create(
    topic: Topic = None,
    start: Start = None,
    duration: Duration = None,
    timezone: Timezone = None,
    agenda: Agenda = None,
    password: Password = None,
    approval_type: Approval = None,
    waiting_room: WaitingRoom = None,
    meeting_type: Annotated[
        int, typer.Option("--type", help="1 instant, 2 scheduled, 3 or 8 recurring.")
    ] = 2,
    user: UserOpt = "me",
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a meeting (POST /users/{userId}/meetings)."""
    body = _body(topic, start, duration, timezone, agenda, password, approval_type, waiting_room)
    body["type"] = meeting_type  # type: ignore[typeddict-item]
    with client(profile, base_url) as zoom:
        meeting = zoom.meetings.create(user, **body)
    print_json(meeting) if as_json else show(meeting, "Meeting created")


@meetings_app.command("get")
def get(
    meeting_id: MeetingArg,
    occurrence_id: Occurrence = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a meeting (GET /meetings/{meetingId})."""
    with client(profile, base_url) as zoom:
        meeting = zoom.meetings.get(meeting_id, occurrence_id=occurrence_id)
    print_json(meeting) if as_json else show(meeting, f"Meeting {meeting_id}")


@meetings_app.command("list")
def list_(
    user: UserOpt = "me",
    list_type: Annotated[
        str, typer.Option("--type", help="scheduled, live, upcoming, upcoming_meetings, previous_meetings.")
    ] = "scheduled",
    limit: Annotated[int | None, typer.Option(help="Stop after this many meetings.")] = None,
    page_number: Annotated[
        int | None,
        typer.Option("--page-number", min=1, help="Start at this page (Zoom's legacy paging), then go on."),
    ] = None,
    page_size: Annotated[
        int | None, typer.Option("--page-size", min=1, max=300, help="Meetings per page (default 30).")
    ] = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a user's meetings, every page (GET /users/{userId}/meetings)."""
    with client(profile, base_url) as zoom:
        pager = zoom.meetings.list(
            user,
            type=list_type,  # type: ignore[arg-type]
            page_number=page_number,
            page_size=page_size,
        )
        items = list(islice(pager, limit))
    if as_json:
        print_json(items)
        return
    table = Table(
        "id", "topic", "start", "duration", "type", title=f"Meetings of {user}", title_justify="left"
    )
    for item in items:
        start = local_time(item.get("start_time"))
        table.add_row(
            str(item.get("id")),
            item.get("topic", ""),
            start,
            str(item.get("duration", "")),
            str(item.get("type")),
        )
    console().print(table)
    total = pager.total_records
    console().print(f"{len(items)} meeting(s)" + (f" of {total}" if total not in (None, len(items)) else ""))


@meetings_app.command("update")
def update(
    meeting_id: MeetingArg,
    topic: Topic = None,
    start: Start = None,
    duration: Duration = None,
    timezone: Timezone = None,
    agenda: Agenda = None,
    password: Password = None,
    approval_type: Approval = None,
    waiting_room: WaitingRoom = None,
    occurrence_id: Occurrence = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a meeting: only the options given (PATCH /meetings/{meetingId}); shows it afterwards."""
    body = _body(topic, start, duration, timezone, agenda, password, approval_type, waiting_room)
    with client(profile, base_url) as zoom:
        zoom.meetings.update(meeting_id, occurrence_id=occurrence_id, **body)
        meeting = zoom.meetings.get(meeting_id, occurrence_id=occurrence_id)
    print_json(meeting) if as_json else show(meeting, f"Meeting {meeting_id} updated")


def _done(meeting_id: int, status: str, as_json: bool) -> None:
    result: dict[str, Any] = {"id": meeting_id, "status": status}
    print_json(result) if as_json else console().print(f"Meeting {meeting_id} {status}.")


@meetings_app.command("delete")
def delete(
    meeting_id: MeetingArg,
    occurrence_id: Occurrence = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete a meeting or one occurrence (DELETE /meetings/{meetingId})."""
    with client(profile, base_url) as zoom:
        zoom.meetings.delete(meeting_id, occurrence_id=occurrence_id)
    _done(meeting_id, "deleted", as_json)


@meetings_app.command("end")
def end(
    meeting_id: MeetingArg, profile: ProfileOpt = None, base_url: BaseUrlOpt = None, as_json: JsonOpt = False
) -> None:
    """End a meeting (PUT /meetings/{meetingId}/status action=end)."""
    with client(profile, base_url) as zoom:
        zoom.meetings.end(meeting_id)
    _done(meeting_id, "ended", as_json)


@meetings_app.command("recover")
def recover(
    meeting_id: MeetingArg, profile: ProfileOpt = None, base_url: BaseUrlOpt = None, as_json: JsonOpt = False
) -> None:
    """Recover a deleted meeting (PUT /meetings/{meetingId}/status action=recover)."""
    with client(profile, base_url) as zoom:
        zoom.meetings.recover(meeting_id)
    _done(meeting_id, "recovered", as_json)


@meetings_app.command("invitation")
def invitation(
    meeting_id: MeetingArg, profile: ProfileOpt = None, base_url: BaseUrlOpt = None, as_json: JsonOpt = False
) -> None:
    """Print the invitation text (GET /meetings/{meetingId}/invitation)."""
    with client(profile, base_url) as zoom:
        found = zoom.meetings.invitation(meeting_id)
    print_json(found) if as_json else console().print(found.get("invitation", ""), markup=False)
