"""The host signs in on the start page when their start link has expired: the same check as user
OAuth's consent form (an active user of the meeting's account, scrypt password), and only the meeting's
host gets in. A wrong email, a wrong password and a user who is not the host all read the same."""

from __future__ import annotations

import asyncio
import functools
import secrets

from moot.domain.meetings import Meeting
from moot.domain.users import UserStatus
from moot.services.context import Deps
from moot.services.secrets import hash_password, password_matches


@functools.cache
def _dummy_password_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def host_signs_in(deps: Deps, meeting: Meeting | None, email: str, password: str) -> bool:
    email = email.strip()
    user = await deps.store.get_user_by_email(meeting.account_id, email) if meeting and email else None
    stored = user.password_hash if user is not None and user.status is UserStatus.ACTIVE else None
    matches = await asyncio.to_thread(password_matches, password, stored or _dummy_password_hash())
    return bool(meeting and user and stored and matches and user.id == meeting.host_id)
