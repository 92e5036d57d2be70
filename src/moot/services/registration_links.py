"""The links of registration: a meeting's ``registration_url`` and a registrant's personal ``join_url``."""

from __future__ import annotations

import base64

from moot.domain.meetings import Meeting
from moot.domain.registrants import Registrant, RegistrantStatus, registration_enabled
from moot.services.context import Deps


def registration_token(deps: Deps, meeting: Meeting) -> str:
    """22 base64url characters derived from the meeting number under the server key: stable for the
    meeting's life (and across processes sharing the database), meaningless without the key."""
    mac = deps.keys.sign(b"meeting-registration:%d" % meeting.id)[:16]
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


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
