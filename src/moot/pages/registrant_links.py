"""A registrant's personal link (``tk``): which registrant of the meeting it names."""

from __future__ import annotations

import hmac

from moot.domain.meetings import Meeting
from moot.domain.registrants import Registrant, RegistrantStatus
from moot.services.context import Deps

_PAGE = 1000


async def registrant_by_token(deps: Deps, meeting: Meeting, token: str) -> Registrant | None:
    """The meeting's registrant whose personal link carries ``token`` (the store has no index on it: a
    meeting has at most a few thousand registrants, and the page keeps the registrant's id in its
    cookie after the first visit)."""
    if not 20 <= len(token) <= 64:
        return None
    for status in (RegistrantStatus.APPROVED, RegistrantStatus.PENDING, RegistrantStatus.DENIED):
        offset = 0
        while True:
            page, total = await deps.store.list_registrants(meeting.id, status, None, _PAGE, offset)
            for registrant in page:
                if hmac.compare_digest(registrant.token.encode(), token.encode()):
                    return registrant
            offset += len(page)
            if not page or offset >= total:
                break
    return None
