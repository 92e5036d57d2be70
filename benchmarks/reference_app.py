"""The reference stack: a hand-written Starlette + pydantic + sqlite3 create and GET of a Zoom-shaped meeting.

This is what issue 2 calls the reference ("a hand-written Starlette + pydantic + sqlite3 create", ~0.20
of a raw ASGI app on the issue's machine): the straightforward way to write the same two calls, measured
in the same run as moot and the baseline to show what the ratio targets mean on this machine. It is not
moot and imports nothing of moot.

- ``POST /v2/users/{userId}/meetings``: the body validated by a pydantic model with the create body's
  fields (settings with Zoom's defaults as field defaults), one INSERT committed per request (SQLite in
  WAL mode, ``synchronous=NORMAL``), answered 201 with the meeting as JSON (orjson, about moot's size);
- ``GET /v2/meetings/{meetingId}``: one SELECT by primary key, the same JSON, 200; 404 if absent.

No authentication, rate limits, events, recurrence expansion or request ids: only a framework, one
validation pass, one statement and one serialisation. Served the way ``moot serve`` serves moot (one
uvicorn process, ``uvicorn[standard]`` loop and parser, access log off)::

    python -m benchmarks.reference_app --port 8001 --db /tmp/reference.db
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
import uvicorn
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

JSON_TYPE = "application/json;charset=UTF-8"
HOST_ID = "KDcuGIm1QgePTO8WbOqwIQ"
HOST_EMAIL = "owner@reference.local"
BASE_URL = "http://127.0.0.1"


class DialInNumber(BaseModel):
    country_name: str
    city: str
    number: str
    type: str
    country: str


class Enable(BaseModel):
    enable: bool = False


class ContinuousMeetingChat(BaseModel):
    enable: bool = False
    auto_add_invited_external_users: bool = False
    auto_add_meeting_participants: bool = False


def _dial_in_numbers() -> list[DialInNumber]:
    return [
        DialInNumber(country_name="US", city="San Jose", number="+1 6699006833", type="toll", country="US"),
        DialInNumber(country_name="US", city="New York", number="+1 6465588656", type="toll", country="US"),
    ]


class MeetingSettings(BaseModel):
    host_video: bool = False
    participant_video: bool = False
    cn_meeting: bool = False
    in_meeting: bool = False
    join_before_host: bool = False
    jbh_time: Literal[0, 5, 10, 15] = 0
    mute_upon_entry: bool = False
    watermark: bool = False
    use_pmi: bool = False
    approval_type: Literal[0, 1, 2] = 2
    registration_type: Literal[1, 2, 3] = 1
    audio: Literal["both", "telephony", "voip", "thirdParty"] = "voip"
    auto_recording: Literal["local", "cloud", "none"] = "none"
    enforce_login: bool = False
    enforce_login_domains: str = ""
    alternative_hosts: str = ""
    alternative_hosts_email_notification: bool = True
    alternative_host_update_polls: bool = False
    close_registration: bool = False
    show_share_button: bool = False
    allow_multiple_devices: bool = False
    registrants_confirmation_email: bool = True
    waiting_room: bool = False
    request_permission_to_unmute_participants: bool = False
    global_dial_in_countries: list[str] = Field(default_factory=lambda: ["US"])
    global_dial_in_numbers: list[DialInNumber] = Field(default_factory=_dial_in_numbers)
    registrants_email_notification: bool = True
    meeting_authentication: bool = False
    encryption_type: Literal["enhanced_encryption", "e2ee"] = "enhanced_encryption"
    approved_or_denied_countries_or_regions: Enable = Field(default_factory=Enable)
    breakout_room: Enable = Field(default_factory=Enable)
    language_interpretation: Enable = Field(default_factory=Enable)
    sign_language_interpretation: Enable = Field(default_factory=Enable)
    internal_meeting: bool = False
    continuous_meeting_chat: ContinuousMeetingChat = Field(default_factory=ContinuousMeetingChat)
    participant_focused_meeting: bool = False
    push_change_to_calendar: bool = False
    resources: list[dict[str, str]] = Field(default_factory=list)
    email_notification: bool = True
    host_save_video_order: bool = False
    focus_mode: bool = False
    private_meeting: bool = False
    show_join_info: bool = False
    device_testing: bool = False
    email_in_attendee_report: bool = False
    auto_start_meeting_summary: bool = False
    auto_start_ai_companion_questions: bool = False


class Recurrence(BaseModel):
    type: Literal[1, 2, 3]
    repeat_interval: int | None = None
    weekly_days: str | None = None
    monthly_day: int | None = None
    end_times: int | None = None
    end_date_time: str | None = None


class TrackingField(BaseModel):
    field: str
    value: str | None = None


class MeetingCreate(BaseModel):
    topic: str = "Zoom Meeting"
    type: Literal[1, 2, 3, 8] = 2
    start_time: datetime | None = None
    duration: int = 0
    timezone: str = "UTC"
    password: str | None = None
    default_password: bool | None = None
    agenda: str = ""
    pre_schedule: bool = False
    schedule_for: str | None = None
    template_id: str | None = None
    tracking_fields: list[TrackingField] | None = None
    recurrence: Recurrence | None = None
    settings: MeetingSettings = Field(default_factory=MeetingSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone (zoneinfo caches the ones it has read)
        return value


SCHEMA = """
CREATE TABLE IF NOT EXISTS meetings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL,
    host_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    type INTEGER NOT NULL,
    start_time TEXT,
    duration INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    agenda TEXT NOT NULL,
    created_at TEXT NOT NULL,
    password TEXT NOT NULL,
    settings TEXT NOT NULL
)
"""
COLUMNS = (
    "id, uuid, host_id, topic, type, start_time, duration, timezone, agenda, created_at, password, settings"
)


def _zoom_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wire(row: tuple[Any, ...]) -> dict[str, Any]:
    meeting_id, uuid, host_id, topic, kind, start, duration, zone, agenda, created, password, settings = row
    return {
        "uuid": uuid,
        "id": meeting_id,
        "host_id": host_id,
        "host_email": HOST_EMAIL,
        "topic": topic,
        "type": kind,
        "status": "waiting",
        "start_time": start,
        "duration": duration,
        "timezone": zone,
        "agenda": agenda,
        "created_at": created,
        "start_url": f"{BASE_URL}/s/{meeting_id}?zak={secrets.token_urlsafe(290)}",
        "join_url": f"{BASE_URL}/j/{meeting_id}?pwd={password}",
        "password": password,
        "h323_password": password,
        "pstn_password": password,
        "encrypted_password": password,
        "settings": orjson.loads(settings),
        "pre_schedule": False,
    }


def create_reference_app(db_path: Path) -> Starlette:
    conn = sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(SCHEMA)

    async def create_meeting(request: Request) -> Response:
        try:
            body = MeetingCreate.model_validate_json(await request.body() or b"{}")
        except ValidationError as exc:
            return Response(orjson.dumps({"code": 300, "message": str(exc)}), 400, media_type=JSON_TYPE)
        now = datetime.now(UTC)
        row = (
            secrets.randbelow(90_000_000_000) + 1_000_000_000,
            base64.b64encode(os.urandom(16)).decode(),
            HOST_ID,
            body.topic,
            body.type,
            _zoom_time(body.start_time or now),
            body.duration,
            body.timezone,
            body.agenda,
            _zoom_time(now),
            body.password or secrets.token_urlsafe(6),
            body.settings.model_dump_json(),
        )
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO meetings ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        conn.execute("COMMIT")
        return Response(orjson.dumps(_wire(row)), 201, media_type=JSON_TYPE)

    async def get_meeting(request: Request) -> Response:
        meeting_id = request.path_params["meetingId"]
        row = conn.execute(f"SELECT {COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if row is None:
            return Response(
                orjson.dumps({"code": 3001, "message": "Meeting not found."}), 404, media_type=JSON_TYPE
            )
        return Response(orjson.dumps(_wire(row)), media_type=JSON_TYPE)

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON_TYPE)

    routes = [
        Route("/v2/users/{userId}/meetings", create_meeting, methods=["POST"]),
        Route("/v2/meetings/{meetingId:int}", get_meeting, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Serve the reference stack (Starlette + pydantic + sqlite3)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True, help="its SQLite file")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    # The same uvicorn settings as ``moot serve`` (src/moot/cli.py) and the baseline.
    uvicorn.run(
        create_reference_app(args.db),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
