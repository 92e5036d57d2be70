"""The links of registration: a meeting's ``registration_url`` and a registrant's personal ``join_url``."""

from __future__ import annotations

import base64
import hmac

from moot.domain.meetings import Meeting
from moot.domain.registrants import Registrant, RegistrantStatus, registration_enabled
from moot.services.context import Deps


def registration_token(deps: Deps, meeting: Meeting) -> str:
    """22 base64url characters derived from the meeting number under the server key: stable for the
    meeting's life (and across processes sharing the database), meaningless without the key. They are
    the number masked by the key (5 bytes) and a MAC of it (11), so the registration page finds the
    meeting without storage (``registration_meeting_number``)."""
    masked = bytes(a ^ b for a, b in zip(meeting.id.to_bytes(5, "big"), _mask(deps), strict=True))
    return base64.urlsafe_b64encode(masked + _number_mac(deps, meeting.id)).decode("ascii").rstrip("=")


def registration_meeting_number(deps: Deps, token: str) -> int | None:
    """The meeting number a ``registration_token`` stands for (None for anything else)."""
    try:
        raw = base64.urlsafe_b64decode(token + "==") if len(token) == 22 else b""
    except ValueError:
        return None
    if len(raw) != 16:
        return None
    number = int.from_bytes(bytes(a ^ b for a, b in zip(raw[:5], _mask(deps), strict=True)), "big")
    return number if hmac.compare_digest(raw[5:], _number_mac(deps, number)) else None


def _mask(deps: Deps) -> bytes:
    return deps.keys.sign(b"meeting-registration-mask")[:5]


def _number_mac(deps: Deps, number: int) -> bytes:
    return deps.keys.sign(b"meeting-registration:%d" % number)[:11]


def registration_url(deps: Deps, meeting: Meeting) -> str | None:
    """``{base}/meeting/register/{token}`` for a meeting that takes registrants, else None."""
    if not registration_enabled(meeting):
        return None
    return f"{deps.settings.base_url}/meeting/register/{registration_token(deps, meeting)}"


def registrant_join_url(deps: Deps, meeting: Meeting, registrant: Registrant) -> str | None:
    """The personal link of an approved registrant; None otherwise."""
    if registrant.status is not RegistrantStatus.APPROVED:
        return None
    return personal_link(deps, meeting, registrant)


def personal_link(deps: Deps, meeting: Meeting, registrant: Registrant) -> str:
    """``{base}/w/{meetingId}?tk={token}`` (with ``&pwd=`` when the meeting has a passcode): it lets
    the registrant in once approved."""
    url = f"{deps.settings.base_url}/w/{meeting.id}?tk={registrant.token}"
    encrypted = meeting.passcodes.encrypted_password
    return f"{url}&pwd={encrypted}" if encrypted else url
