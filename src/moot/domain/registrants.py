"""Meeting registration: who may register, registrants and their statuses, and their wire shapes.

A meeting takes registrants while ``settings.approval_type`` is 0 (approved at once) or 1 (approved by
the host); 2 means no registration. A recurring series with a fixed time (type 8) registers by
``settings.registration_type``: 1 once for every occurrence, 2 for each occurrence, 3 once for
occurrences the registrant picks.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from moot.domain import ids
from moot.domain.meetings import Meeting, MeetingType
from moot.domain.recurrence import Occurrence
from moot.domain.times import format_zoom

# Zoom: "a maximum limit of 4,999 registrants per meeting".
MAX_REGISTRANTS = 4999
# PUT .../registrants/status changes at most this many registrants at once.
MAX_STATUS_CHANGES = 30


class ApprovalType(IntEnum):
    AUTOMATIC = 0
    MANUAL = 1
    NO_REGISTRATION = 2


class RegistrationType(IntEnum):
    ONCE_FOR_ALL = 1
    EACH_OCCURRENCE = 2
    ONCE_CHOSEN = 3


class RegistrantStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    DENIED = "denied"

    @property
    def is_live(self) -> bool:
        """Holds a place: counts toward the cap and keeps its email from registering again."""
        return self is not RegistrantStatus.DENIED


LIVE_STATUSES = (RegistrantStatus.APPROVED, RegistrantStatus.PENDING)


class StatusAction(StrEnum):
    APPROVE = "approve"
    CANCEL = "cancel"
    DENY = "deny"

    @property
    def target(self) -> RegistrantStatus:
        return RegistrantStatus.APPROVED if self is StatusAction.APPROVE else RegistrantStatus.DENIED


# The registrant's profile as Zoom answers it, in Zoom's key order; absent fields answer "".
PROFILE_FIELDS = (
    "last_name",
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
)


@dataclass(slots=True)
class Registrant:
    id: str
    meeting_id: int
    account_id: str
    email: str
    first_name: str
    status: RegistrantStatus
    created_at: datetime
    token: str  # the ``tk`` of the personal join link
    pin_code: int  # participant_pin_code
    # The occurrences registered for; empty means every occurrence (or a meeting that is not a series).
    occurrence_ids: tuple[str, ...] = ()
    profile: dict[str, str] = field(default_factory=dict)
    custom_questions: list[dict[str, str]] = field(default_factory=list)
    language: str | None = None

    @property
    def email_lower(self) -> str:
        return self.email.lower()

    def covers(self, occurrence_id: str) -> bool:
        return not self.occurrence_ids or occurrence_id in self.occurrence_ids


def registrant_token() -> str:
    """The ``tk`` of a personal join link: 43 random URL-safe characters."""
    return base64.urlsafe_b64encode(ids.random_bytes(32)).rstrip(b"=").decode("ascii")


def participant_pin_code() -> int:
    """Eight digits, never starting with 0."""
    return ids.randbelow(90_000_000) + 10_000_000


def new_registrant_id() -> str:
    """22-character base64url, like Zoom's ``9tboDiHUQAeOnbmudzWa5g``."""
    return ids.user_id()


def approval_type(meeting: Meeting) -> ApprovalType:
    return ApprovalType(int(meeting.settings.get("approval_type", ApprovalType.NO_REGISTRATION)))


def registration_type(meeting: Meeting) -> RegistrationType:
    return RegistrationType(int(meeting.settings.get("registration_type", RegistrationType.ONCE_FOR_ALL)))


def registration_enabled(meeting: Meeting) -> bool:
    """Scheduled meetings and series with a fixed time take registrants while approval_type is 0 or 1."""
    return approval_type(meeting) is not ApprovalType.NO_REGISTRATION and meeting.type in (
        MeetingType.SCHEDULED,
        MeetingType.RECURRING_FIXED_TIME,
    )


def picks_occurrences(meeting: Meeting) -> bool:
    """Whether a registrant names the occurrences (registration_type 2 or 3 of a type 8 series)."""
    return (
        meeting.type is MeetingType.RECURRING_FIXED_TIME
        and registration_type(meeting) is not RegistrationType.ONCE_FOR_ALL
    )


def registration_closed(meeting: Meeting, now: datetime, occurrences: list[Occurrence]) -> bool:
    """With ``close_registration``, registration closes once the event has begun: a meeting at its
    start time, a series once every occurrence registered for has begun."""
    if not meeting.settings.get("close_registration"):
        return False
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        return bool(occurrences) and all(o.start_time <= now for o in occurrences)
    return meeting.start_time is not None and meeting.start_time <= now


def status_on_create(meeting: Meeting, auto_approve: bool) -> RegistrantStatus:
    if auto_approve or approval_type(meeting) is ApprovalType.AUTOMATIC:
        return RegistrantStatus.APPROVED
    return RegistrantStatus.PENDING


def registrant_to_wire(registrant: Registrant, *, join_url: str | None) -> dict[str, Any]:
    """A registrant as ``GET .../registrants/{id}`` and the list answer it; ``join_url`` and
    ``participant_pin_code`` only while approved."""
    body: dict[str, Any] = {
        "id": registrant.id,
        "email": registrant.email,
        "first_name": registrant.first_name,
    }
    for name in PROFILE_FIELDS:
        body[name] = registrant.profile.get(name, "")
    body["custom_questions"] = registrant.custom_questions
    body["status"] = registrant.status.value
    body["create_time"] = format_zoom(registrant.created_at)
    if join_url is not None:
        body["join_url"] = join_url
        body["participant_pin_code"] = registrant.pin_code
    return body


def created_to_wire(
    meeting: Meeting, registrant: Registrant, *, join_url: str | None, occurrences: list[Occurrence]
) -> dict[str, Any]:
    """The 201 of ``POST .../registrants``: no ``join_url`` (nor pin) until approved; ``occurrences``
    (those registered for) only for a series."""
    body: dict[str, Any] = {"id": meeting.id}
    if join_url is not None:
        body["join_url"] = join_url
    body["registrant_id"] = registrant.id
    start = occurrences[0].start_time if occurrences else meeting.start_time
    if start is not None:
        body["start_time"] = format_zoom(start)
    body["topic"] = meeting.topic
    if meeting.type is MeetingType.RECURRING_FIXED_TIME:
        body["occurrences"] = [o.to_wire() for o in occurrences]
    if join_url is not None:
        body["participant_pin_code"] = registrant.pin_code
    return body
