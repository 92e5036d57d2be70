"""Whole expected bodies: the parts a test chooses, with the generated parts checked by shape first."""

from __future__ import annotations

import re
from typing import Any

import jwt

from moot.domain.meetings import DEFAULT_SETTINGS
from tests.support.api import BASE_URL

UUID = re.compile(r"^[A-Za-z0-9+/]{22}==$")
PASSCODE = re.compile(r"^[A-Za-z0-9]{6}$")
DIGITS6 = re.compile(r"^\d{6}$")
ENCRYPTED = re.compile(r"^[A-Za-z0-9]{30}\.1$")
USER_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def generated_parts(body: dict[str, Any], *, passcode: str | None = None) -> dict[str, Any]:
    """The generated values of a meeting body, after checking each one's shape."""
    assert UUID.match(body["uuid"]), body["uuid"]
    meeting_id = body["id"]
    assert isinstance(meeting_id, int) and 10 <= len(str(meeting_id)) <= 11
    start_url = body["start_url"]
    assert start_url.startswith(f"{BASE_URL}/s/{meeting_id}?zak=")
    zak = jwt.decode(start_url.split("zak=", 1)[1], options={"verify_signature": False})
    assert zak["mnum"] == str(meeting_id) and zak["exp"] - zak["iat"] == 7200 and zak["aud"] == "clientsm"
    if passcode is None:
        assert PASSCODE.match(body["password"]), body["password"]
    else:
        assert body["password"] == passcode
    if body["password"]:
        assert DIGITS6.match(body["h323_password"])
        assert body["pstn_password"] == body["h323_password"]
        assert ENCRYPTED.match(body["encrypted_password"])
        assert body["join_url"] == f"{BASE_URL}/j/{meeting_id}?pwd={body['encrypted_password']}"
    return {
        k: body[k]
        for k in (
            "uuid",
            "id",
            "start_url",
            "join_url",
            "password",
            "h323_password",
            "pstn_password",
            "encrypted_password",
        )
    }


def meeting_body(actual: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The whole meeting body expected: Zoom's key order, default settings overridden by ``settings``."""
    settings = {**DEFAULT_SETTINGS, **fields.pop("settings", {})}
    passcode = fields.pop("passcode", None)
    generated = generated_parts(actual, passcode=passcode)
    body: dict[str, Any] = {
        "uuid": generated["uuid"],
        "id": generated["id"],
        "host_id": fields.pop("host_id"),
        "host_email": fields.pop("host_email"),
    }
    if "assistant_id" in fields:
        body["assistant_id"] = fields.pop("assistant_id")
    body.update(
        topic=fields.pop("topic"),
        type=fields.pop("type", 2),
        status="waiting",
    )
    if "start_time" in fields:
        body["start_time"] = fields.pop("start_time")
    if "duration" in fields:
        body["duration"] = fields.pop("duration")
    body.update(
        timezone=fields.pop("timezone"),
        agenda=fields.pop("agenda", ""),
        created_at=fields.pop("created_at"),
        start_url=generated["start_url"],
        join_url=generated["join_url"],
        **({"registration_url": fields.pop("registration_url")} if "registration_url" in fields else {}),
        password=generated["password"],
        h323_password=generated["h323_password"],
        pstn_password=generated["pstn_password"],
        encrypted_password=generated["encrypted_password"],
    )
    if "pmi" in fields:
        body["pmi"] = fields.pop("pmi")
    body["settings"] = settings
    body["pre_schedule"] = fields.pop("pre_schedule", False)
    body.update(fields)
    return body
