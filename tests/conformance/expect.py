"""Expected Zoom response bodies, with volatile values (ids, URLs, times, passcodes) checked by shape.

A :class:`Shape` compares equal to any value its predicate accepts, so a whole body can be asserted with one
``==`` and pytest's dict diff points at the keys that differ. Shapes follow contract.md §1.3 and §3 and the
fields clients-in-the-wild.md lists as required.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class Shape:
    def __init__(self, description: str, predicate: Callable[[Any], bool]) -> None:
        self.description = description
        self.predicate = predicate

    def __eq__(self, other: object) -> bool:
        return other is self or self.predicate(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.description}>"


def matches(pattern: str, description: str | None = None) -> Shape:
    compiled = re.compile(pattern)
    return Shape(
        description or f"str matching {pattern}", lambda v: isinstance(v, str) and bool(compiled.fullmatch(v))
    )


def one_of(*values: Any) -> Shape:
    return Shape(f"one of {values!r}", lambda v: any(type(v) is type(x) and v == x for x in values))


def integer(low: int, high: int) -> Shape:
    return Shape(f"int in [{low}, {high}]", lambda v: type(v) is int and low <= v <= high)


BOOL = Shape("bool", lambda v: type(v) is bool)
DICT = Shape("JSON object", lambda v: isinstance(v, dict))
STR = Shape("str", lambda v: isinstance(v, str))
COUNT = integer(0, 2**31)
ZOOM_TIME = matches(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "UTC time yyyy-mm-ddThh:mm:ssZ")
MEETING_ID = integer(10**8, 10**11 - 1)  # observed Zoom meeting numbers have 9 to 11 digits
MEETING_UUID = matches(r"[A-Za-z0-9+/]{22}==", "meeting uuid (base64 of 16 bytes)")
USER_ID = matches(r"[A-Za-z0-9_-]{22}", "user id (22-char base64url)")
PMI = integer(10**9, 10**10 - 1)
PASSCODE = matches(r"[A-Za-z0-9@_*-]{1,10}", "passcode")
NUMERIC_PASSCODE = matches(r"\d{1,10}", "numeric passcode")
ENCRYPTED_PASSCODE = matches(r"[A-Za-z0-9._-]{8,}", "encrypted passcode")
JWT = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"

# What a strictly validating client needs in every meeting's settings (clients-in-the-wild.md).
REQUIRED_SETTINGS: dict[str, Any] = {
    **{
        key: BOOL
        for key in (
            "host_video",
            "participant_video",
            "cn_meeting",
            "in_meeting",
            "join_before_host",
            "mute_upon_entry",
            "watermark",
            "use_pmi",
            "enforce_login",
            "waiting_room",
            "registrants_email_notification",
            "meeting_authentication",
        )
    },
    "approval_type": one_of(0, 1, 2),
    "audio": one_of("voip", "telephony", "both"),
    "auto_recording": one_of("local", "cloud", "none"),
}

# A list item carries these, equal to the meeting's own (contract.md §1.1; no start_url, passcodes, settings).
LIST_ITEM_KEYS = (
    "uuid",
    "id",
    "host_id",
    "topic",
    "type",
    "start_time",
    "duration",
    "timezone",
    "agenda",
    "created_at",
    "join_url",
)


def picked(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """``actual`` cut down to the keys of ``expected`` (``<missing>`` where absent), to assert a subset."""
    return {key: actual.get(key, "<missing>") for key in expected}


def settings(**sent: Any) -> dict[str, Any]:
    """The settings keys every client may rely on, with the values a test sent."""
    return {**REQUIRED_SETTINGS, **sent}


def start_url(base_url: str, meeting_id: int) -> Shape:
    return matches(
        rf"{re.escape(base_url)}/s/{meeting_id}\?zak={JWT}", f"{base_url}/s/{meeting_id}?zak=<JWT>"
    )


def meeting(
    base_url: str,
    *,
    meeting_id: int,
    encrypted_password: str,
    host_id: Any,
    host_email: str,
    topic: str,
    start_time: str,
    duration: int,
    timezone: str,
    agenda: str,
    meeting_type: int = 2,
) -> dict[str, Any]:
    """A scheduled meeting as create (201) and GET (200) answer it; ``settings`` is checked separately."""
    return {
        "uuid": MEETING_UUID,
        "id": meeting_id,
        "host_id": host_id,
        "host_email": host_email,
        "topic": topic,
        "type": meeting_type,
        "status": "waiting",
        "start_time": start_time,
        "duration": duration,
        "timezone": timezone,
        "agenda": agenda,
        "created_at": ZOOM_TIME,
        "start_url": start_url(base_url, meeting_id),
        "join_url": f"{base_url}/j/{meeting_id}?pwd={encrypted_password}",
        "password": PASSCODE,
        "h323_password": NUMERIC_PASSCODE,
        "pstn_password": NUMERIC_PASSCODE,
        "encrypted_password": ENCRYPTED_PASSCODE,
        "settings": DICT,
        "pre_schedule": False,
    }


def list_item(body: dict[str, Any]) -> dict[str, Any]:
    """The list item of a meeting whose GET body is ``body`` (agenda omitted when empty)."""
    return {key: body[key] for key in LIST_ITEM_KEYS if key != "agenda" or body["agenda"]}


def meeting_list(*, page_size: int, page_number: int = 1, **exact: Any) -> dict[str, Any]:
    """A list page's envelope; ``meetings`` is checked separately."""
    return {
        "page_count": COUNT,
        "page_number": page_number,
        "page_size": page_size,
        "total_records": COUNT,
        "next_page_token": STR,
        "meetings": Shape("JSON array", lambda v: isinstance(v, list)),
        **exact,
    }


def meeting_not_found(meeting_id: int | str) -> dict[str, Any]:
    return {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


# Every field contract.md §1.3 lists for GET /users/{userId}; Zoom leaves some out depending on the account.
USER_KEYS = frozenset(
    [
        "id",
        "first_name",
        "last_name",
        "display_name",
        "email",
        "type",
        "role_name",
        "pmi",
        "use_pmi",
        "personal_meeting_url",
        "timezone",
        "verified",
        "dept",
        "created_at",
        "user_created_at",
        "last_login_time",
        "last_client_version",
        "pic_url",
        "language",
        "phone_number",
        "status",
        "role_id",
        "account_id",
        "account_number",
        "cluster",
        "jid",
        "group_ids",
        "im_group_ids",
        "login_types",
        "vanity_url",
        "job_title",
        "company",
        "location",
        "manager",
        "pronouns",
        "pronouns_option",
        "employee_unique_id",
        "plan_united_type",
        "zoom_one_type",
        "cms_user_id",
        "phone_country",
    ]
)


def owner_user(base_url: str, *, account_id: str, email: str) -> dict[str, Any]:
    """What ``GET /users/me`` must say about the bootstrap owner (use with :func:`picked`)."""
    return {
        "id": USER_ID,
        "first_name": STR,
        "last_name": STR,
        "display_name": STR,
        "email": email,
        "type": 2,
        "role_name": "Owner",
        "pmi": PMI,
        "use_pmi": False,
        "personal_meeting_url": matches(rf"{re.escape(base_url)}/j/\d{{10}}"),
        "timezone": STR,
        "verified": 1,
        "created_at": ZOOM_TIME,
        "language": STR,
        "status": "active",
        "role_id": "0",
        "account_id": account_id,
    }


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in keys}
