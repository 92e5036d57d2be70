"""The Store protocol every backend implements, and what it raises.

Reads go straight to the store. Writes happen inside ``async with store.write() as tx``: everything done
through ``tx`` commits together when the block exits, or not at all. A 2xx is answered only after that
commit. (Webhook events will be written through the same ``tx``: the outbox.)
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from moot.domain.accounts import Account, App
from moot.domain.listing import MeetingQuery
from moot.domain.meetings import Meeting
from moot.domain.registrants import Registrant, RegistrantStatus
from moot.domain.users import User, UserStatus


class StorageError(Exception):
    pass


class DuplicateKey(StorageError):
    """A unique key (meeting number, user email, client id) is taken."""


class WriteTx(Protocol):
    async def insert_account(self, account: Account) -> None: ...
    async def update_account(self, account: Account) -> None: ...
    async def insert_user(self, user: User) -> None: ...
    async def insert_app(self, app: App) -> None: ...
    async def insert_meeting(self, meeting: Meeting) -> None: ...
    async def update_meeting(self, meeting: Meeting) -> None: ...
    async def insert_registrant(self, registrant: Registrant) -> None:
        """Raises DuplicateKey for a taken id, or a second live registration of one email."""
        ...

    async def update_registrant(self, registrant: Registrant) -> None:
        """Saves status, occurrence_ids and profile (DuplicateKey as for insert)."""
        ...

    async def delete_registrant(self, meeting_id: int, registrant_id: str) -> None: ...


class Store(Protocol):
    def write(self) -> AbstractAsyncContextManager[WriteTx]: ...

    async def close(self) -> None: ...

    async def server_secret(self, name: str, create: bytes) -> bytes:
        """The secret stored under ``name``; stores ``create`` first if there is none."""
        ...

    async def get_account(self, account_id: str) -> Account | None: ...
    async def count_accounts(self) -> int: ...

    async def get_user(self, account_id: str, user_id: str) -> User | None: ...
    async def get_user_by_email(self, account_id: str, email: str) -> User | None: ...
    async def list_users(
        self, account_id: str, status: UserStatus, limit: int, offset: int
    ) -> tuple[list[User], int]: ...

    async def get_app(self, client_id: str) -> App | None: ...

    async def get_meeting(self, account_id: str, meeting_id: int) -> Meeting | None:
        """The meeting, deleted or not; the caller decides what a deleted meeting means."""
        ...

    async def list_meetings(self, query: MeetingQuery) -> tuple[list[Meeting], int]:
        """One page of the query and the total number of meetings it matches."""
        ...

    async def get_registrant(self, meeting_id: int, registrant_id: str) -> Registrant | None: ...
    async def find_registrant_by_email(self, meeting_id: int, email: str) -> Registrant | None:
        """The newest registrant of the meeting with this email (case-insensitive), whatever its status."""
        ...

    async def count_registrants(self, meeting_id: int, statuses: Collection[RegistrantStatus]) -> int: ...
    async def list_registrants(
        self, meeting_id: int, status: RegistrantStatus, occurrence_id: str | None, limit: int, offset: int
    ) -> tuple[list[Registrant], int]:
        """One page (oldest first) of the registrants with ``status``, of one occurrence if given (a
        registrant of every occurrence is in each), and how many there are."""
        ...
