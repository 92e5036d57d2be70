"""The Store protocol every backend implements, and what it raises.

Reads go straight to the store. Writes happen inside ``async with store.write() as tx``: everything done
through ``tx`` commits together when the block exits, or not at all. A 2xx is answered only after that
commit. Webhook events are written through the same ``tx`` (the outbox) and delivered after that
commit from ``store.outbox``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from moot.domain.accounts import Account, App
from moot.domain.deliveries import Attempt, Delivery, DeliveryState, LoggedAttempt
from moot.domain.events import Event
from moot.domain.listing import MeetingQuery
from moot.domain.meetings import Meeting
from moot.domain.oauth import AuthorizationCode, Grant, RefreshToken
from moot.domain.past_meetings import MeetingInstance, Participant
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
    async def update_app(self, app: App) -> None: ...
    async def insert_meeting(self, meeting: Meeting) -> None: ...
    async def update_meeting(self, meeting: Meeting) -> None: ...
    async def insert_registrant(self, registrant: Registrant) -> None:
        """Raises DuplicateKey for a taken id, or a second live registration of one email."""
        ...

    async def update_registrant(self, registrant: Registrant) -> None:
        """Saves status, occurrence_ids and profile (DuplicateKey as for insert)."""
        ...

    async def delete_registrant(self, meeting_id: int, registrant_id: str) -> None: ...

    async def insert_grant(self, grant: Grant) -> None: ...
    async def insert_code(self, code: AuthorizationCode) -> None: ...
    async def insert_refresh_token(self, token: RefreshToken) -> None: ...
    async def spend_code(self, code_hash: str, now: datetime) -> bool:
        """Mark the code used; True only for the one caller that found it unused (race-free)."""
        ...

    async def spend_refresh_token(self, token_hash: str, now: datetime) -> bool:
        """Mark the refresh token used; True only for the one caller that found it unused (race-free)."""
        ...

    async def revoke_grant(self, grant_id: str, now: datetime) -> None: ...

    async def insert_event(self, event: Event) -> None:
        """Add a webhook event to the outbox: delivered once this transaction commits, never if it fails."""
        ...

    # The meeting lifecycle (domain.past_meetings).
    async def insert_instance(self, instance: MeetingInstance) -> None:
        """Raises DuplicateKey when the meeting already has an instance in progress (or the UUID is taken)."""
        ...

    async def end_instance(self, uuid: str, end_time: datetime) -> bool:
        """Set the end of an instance in progress; True only for the one caller that ended it."""
        ...

    async def next_participant_number(self, instance_uuid: str) -> int | None:
        """Count one more participant of an instance in progress: their number (1, 2, ...), or None when
        the instance has ended."""
        ...

    async def insert_participant(self, participant: Participant) -> None:
        """Raises DuplicateKey when the participant (instance, user_id) is already present."""
        ...

    async def close_participant(
        self, instance_uuid: str, user_id: str, at: datetime, *, waiting_only: bool = False
    ) -> Participant | None:
        """End the present record of a participant (only one in the waiting room with ``waiting_only``):
        the record as closed, or None when there was none."""
        ...

    async def close_participants(self, instance_uuid: str, at: datetime) -> list[Participant]:
        """End every present record of an instance, returned in the order they began."""
        ...


# (account_id, event name) -> the client ids of the apps subscribed to it.
Subscribers = Callable[[str, str], Awaitable[Sequence[str]]]


class Outbox(Protocol):
    """Webhook events on their way out: fanned out to subscribed apps, leased to one process at a time
    (``lease_until`` is process time, so a frozen Clock does not freeze leases), and their attempts."""

    async def fan_out(self, limit: int, subscribers: Subscribers, *, due: float, created_at: str) -> int:
        """Turn up to ``limit`` new events, oldest first, into one delivery per subscribed app, due at
        ``due``; events nobody subscribes to are dropped. How many events were taken."""
        ...

    async def claim(
        self, *, now: float, real_now: float, lease_until: float, owner: str, limit: int
    ) -> list[tuple[Delivery, str]]:
        """Lease up to ``limit`` due deliveries (at most one per app and order key), with their bodies."""
        ...

    async def finish(
        self,
        attempt: Attempt,
        *,
        owner: str,
        state: DeliveryState,
        next_attempt_at: float,
        delivered_at: str | None,
    ) -> None:
        """Record an attempt and the delivery's new state, releasing its lease."""
        ...

    async def get_delivery(self, delivery_id: int) -> Delivery | None: ...
    async def event_body(self, event_id: int) -> str | None: ...
    async def attempts(self, delivery_id: int) -> list[Attempt]: ...
    async def list_deliveries(
        self,
        *,
        account_id: str | None = None,
        client_id: str | None = None,
        event: str | None = None,
        state: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Newest first."""
        ...

    async def attempts_after(self, after_id: int, limit: int) -> list[LoggedAttempt]:
        """Attempts logged after ``after_id``, oldest first."""
        ...

    async def last_attempt_id(self) -> int:
        """The id of the newest attempt (0 with none)."""
        ...

    async def backlog(self) -> int:
        """Events not yet fanned out plus deliveries still pending."""
        ...


class Store(Protocol):
    @property
    def outbox(self) -> Outbox: ...

    def write(self) -> AbstractAsyncContextManager[WriteTx]: ...

    async def close(self) -> None: ...

    async def server_secret(self, name: str, create: bytes) -> bytes:
        """The secret stored under ``name``; stores ``create`` first if there is none."""
        ...

    async def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration); a query, so it
        also tells whether the database answers."""
        ...

    async def get_account(self, account_id: str) -> Account | None: ...
    async def count_accounts(self) -> int: ...

    async def get_user(self, account_id: str, user_id: str) -> User | None: ...
    async def get_user_by_email(self, account_id: str, email: str) -> User | None: ...
    async def list_users(
        self, account_id: str, status: UserStatus, limit: int, offset: int
    ) -> tuple[list[User], int]: ...

    async def get_app(self, client_id: str) -> App | None: ...
    async def list_apps(self, account_id: str | None = None) -> list[App]:
        """The apps of one account, or of every account."""
        ...

    async def get_grant(self, grant_id: str) -> Grant | None: ...
    async def get_code(self, code_hash: str) -> AuthorizationCode | None: ...
    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None: ...

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

    # The meeting lifecycle and past meetings (domain.past_meetings).
    async def find_meeting(self, meeting_id: int) -> Meeting | None:
        """The meeting with this number, in whichever account (moot's admin API), deleted or not."""
        ...

    async def get_live_instance(self, meeting_id: int) -> MeetingInstance | None:
        """The meeting's instance in progress, if any."""
        ...

    async def get_instance(self, account_id: str, uuid: str) -> MeetingInstance | None:
        """An instance by UUID, ended or not, with its participant totals."""
        ...

    async def latest_ended_instance(self, account_id: str, meeting_id: int) -> MeetingInstance | None:
        """The meeting's instance that started last among those that ended, with its participant totals."""
        ...

    async def list_ended_instances(self, account_id: str, meeting_id: int) -> list[MeetingInstance]:
        """The meeting's ended instances, oldest first (without totals)."""
        ...

    async def get_present_participant(self, instance_uuid: str, user_id: str) -> Participant | None: ...
    async def list_participants(self, instance_uuid: str, limit: int, after: int = 0) -> list[Participant]:
        """Records of an instance in the order they began, those after ``after`` (a ``row_id``)."""
        ...

    async def count_participants(self, instance_uuid: str) -> int: ...

    # Read-only listings for the web inspector (moot.pages.inspector).
    async def list_accounts(self, limit: int, offset: int) -> list[Account]:
        """Accounts, oldest first."""
        ...

    async def list_account_meetings(
        self, account_id: str, host_id: str | None, limit: int, offset: int
    ) -> tuple[list[Meeting], int]:
        """One page of an account's meetings (one host's if given), deleted ones too, newest created
        first, and how many there are."""
        ...
