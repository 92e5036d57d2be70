"""PostgreSQL backend: an asyncpg connection pool, same rows and queries as SQLite (see ``codec``).

Each ``write()`` block holds one pooled connection inside one transaction. Inserts use
``ON CONFLICT DO NOTHING`` and report a taken key as ``DuplicateKey`` without aborting the transaction,
so (as on SQLite) a caller may catch it and carry on, e.g. retry with another meeting number.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from moot.domain.accounts import Account, App
from moot.domain.events import Event
from moot.domain.listing import MeetingQuery
from moot.domain.meetings import Meeting
from moot.domain.oauth import AuthorizationCode, Grant, RefreshToken
from moot.domain.past_meetings import MeetingInstance, Participant
from moot.domain.registrants import Registrant, RegistrantStatus
from moot.domain.times import format_zoom
from moot.domain.users import User, UserStatus
from moot.storage import codec, listing_sql, outbox_codec, registrant_codec
from moot.storage import past_meeting_codec as pmc
from moot.storage.base import DuplicateKey
from moot.storage.placeholders import dollar_params
from moot.storage.postgres_outbox import PostgresOutbox

POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10


def _insert_sql(table: str, columns: str) -> str:
    marks = ", ".join("?" for _ in columns.split(","))
    return dollar_params(f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING")


_INSERT_ACCOUNT = _insert_sql("accounts", codec.ACCOUNT_COLUMNS)
_INSERT_USER = _insert_sql("users", codec.USER_COLUMNS)
_INSERT_APP = _insert_sql("apps", codec.APP_COLUMNS)
_INSERT_MEETING = _insert_sql("meetings", codec.MEETING_COLUMNS)
_UPDATE_MEETING = dollar_params(
    "UPDATE meetings SET host_id = ?, type = ?, status = ?, sort_time = ?, end_time = ?, "
    "expires_at = ?, created_at = ?, deleted_at = ?, doc = ? WHERE id = ? AND account_id = ?"
)
_SELECT_ACCOUNT = f"SELECT {codec.ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
_COUNT_ACCOUNTS = "SELECT COUNT(*) FROM accounts"
_SELECT_USER = f"SELECT {codec.USER_COLUMNS} FROM users WHERE id = $1 AND account_id = $2"
_SELECT_USER_BY_EMAIL = f"SELECT {codec.USER_COLUMNS} FROM users WHERE email_lower = $1 AND account_id = $2"
# Ties on created_at break by id in byte order, as on SQLite, whatever the database's locale (ids mix
# cases; created_at has a fixed layout, so it sorts the same under any collation and keeps its index).
_LIST_USERS = (
    f"SELECT {codec.USER_COLUMNS} FROM users WHERE account_id = $1 AND status = $2 "
    'ORDER BY created_at, id COLLATE "C" LIMIT $3 OFFSET $4'
)
_COUNT_USERS = "SELECT COUNT(*) FROM users WHERE account_id = $1 AND status = $2"
_SELECT_APP = f"SELECT {codec.APP_COLUMNS} FROM apps WHERE client_id = $1"
_UPDATE_APP = dollar_params(codec.UPDATE_APP)
_SELECT_ACCOUNT_APPS = dollar_params(codec.SELECT_ACCOUNT_APPS)
_INSERT_EVENT = dollar_params(outbox_codec.INSERT_EVENT)
_SELECT_MEETING = f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE id = $1 AND account_id = $2"
_INSERT_REGISTRANT = _insert_sql("registrants", registrant_codec.REGISTRANT_COLUMNS)
_UPDATE_REGISTRANT = dollar_params(registrant_codec.REGISTRANT_UPDATE)
_DELETE_REGISTRANT = dollar_params(registrant_codec.REGISTRANT_DELETE)
_SELECT_REGISTRANT = dollar_params(registrant_codec.REGISTRANT_GET)
_SELECT_REGISTRANT_BY_EMAIL = dollar_params(registrant_codec.REGISTRANT_BY_EMAIL)
_INSERT_GRANT = _insert_sql("oauth_grants", codec.GRANT_COLUMNS)
_INSERT_CODE = _insert_sql("oauth_codes", codec.CODE_COLUMNS)
_INSERT_REFRESH = _insert_sql("oauth_refresh_tokens", codec.REFRESH_COLUMNS)
_SELECT_GRANT = dollar_params(codec.SELECT_GRANT)
_SELECT_CODE = dollar_params(codec.SELECT_CODE)
_SELECT_REFRESH = dollar_params(codec.SELECT_REFRESH)
_SPEND_CODE = dollar_params(codec.SPEND_CODE)
_SPEND_REFRESH = dollar_params(codec.SPEND_REFRESH)
_REVOKE_GRANT = dollar_params(codec.REVOKE_GRANT)
# Ties on created_at break by id in byte order, as on SQLite (see _LIST_USERS).
_REGISTRANT_ID_ORDER = 'id COLLATE "C"'

# The meeting lifecycle and past meetings (see past_meeting_codec).
_FIND_MEETING = f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE id = $1"
_INSERT_INSTANCE = dollar_params(pmc.INSERT_INSTANCE + " ON CONFLICT DO NOTHING")
_END_INSTANCE = dollar_params(pmc.END_INSTANCE)
_NEXT_PARTICIPANT = dollar_params(pmc.NEXT_PARTICIPANT)
_INSERT_PARTICIPANT = dollar_params(pmc.INSERT_PARTICIPANT + " ON CONFLICT DO NOTHING")
_CLOSE_PARTICIPANT = dollar_params(pmc.CLOSE_PARTICIPANT)
_CLOSE_WAITING_PARTICIPANT = dollar_params(pmc.CLOSE_WAITING_PARTICIPANT)
_CLOSE_ALL_PARTICIPANTS = dollar_params(pmc.CLOSE_ALL_PARTICIPANTS)
_SELECT_LIVE_INSTANCE = dollar_params(pmc.SELECT_LIVE_INSTANCE)
_SELECT_INSTANCE = dollar_params(pmc.SELECT_INSTANCE)
_SELECT_LATEST_ENDED = dollar_params(pmc.SELECT_LATEST_ENDED)
_SELECT_ENDED = dollar_params(pmc.SELECT_ENDED)
_SELECT_PRESENT_PARTICIPANT = dollar_params(pmc.SELECT_PRESENT_PARTICIPANT)
_SELECT_PARTICIPANTS = dollar_params(pmc.SELECT_PARTICIPANTS)
_COUNT_PARTICIPANTS = dollar_params(pmc.COUNT_PARTICIPANTS)


class PostgresTx:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def _insert(self, table: str, sql: str, row: tuple[Any, ...]) -> None:
        try:
            status: str = await self._conn.execute(sql, *row)
        except asyncpg.UniqueViolationError as exc:  # pragma: no cover (ON CONFLICT catches them first)
            raise DuplicateKey(str(exc)) from exc
        if status != "INSERT 0 1":
            raise DuplicateKey(f"duplicate key value in {table}: {row[0]!r}")

    async def insert_account(self, account: Account) -> None:
        await self._insert("accounts", _INSERT_ACCOUNT, codec.account_row(account))

    async def update_account(self, account: Account) -> None:
        await self._conn.execute(dollar_params(codec.UPDATE_ACCOUNT), *codec.account_update_params(account))

    async def insert_user(self, user: User) -> None:
        await self._insert("users", _INSERT_USER, codec.user_row(user))

    async def insert_app(self, app: App) -> None:
        await self._insert("apps", _INSERT_APP, codec.app_row(app))

    async def update_app(self, app: App) -> None:
        await self._conn.execute(_UPDATE_APP, *codec.app_update_params(app))

    async def insert_meeting(self, meeting: Meeting) -> None:
        await self._insert("meetings", _INSERT_MEETING, codec.meeting_row(meeting))

    async def update_meeting(self, meeting: Meeting) -> None:
        row = codec.meeting_row(meeting)
        await self._conn.execute(_UPDATE_MEETING, *row[2:], row[0], row[1])

    async def insert_registrant(self, registrant: Registrant) -> None:
        await self._insert("registrants", _INSERT_REGISTRANT, registrant_codec.registrant_row(registrant))

    async def update_registrant(self, registrant: Registrant) -> None:
        # In a savepoint: a taken email fails this statement only, as an insert's does.
        try:
            async with self._conn.transaction():
                await self._conn.execute(_UPDATE_REGISTRANT, *registrant_codec.update_params(registrant))
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateKey(str(exc)) from exc

    async def delete_registrant(self, meeting_id: int, registrant_id: str) -> None:
        await self._conn.execute(_DELETE_REGISTRANT, registrant_id, meeting_id)

    async def insert_grant(self, grant: Grant) -> None:
        await self._insert("oauth_grants", _INSERT_GRANT, codec.grant_row(grant))

    async def insert_code(self, code: AuthorizationCode) -> None:
        await self._insert("oauth_codes", _INSERT_CODE, codec.code_row(code))

    async def insert_refresh_token(self, token: RefreshToken) -> None:
        await self._insert("oauth_refresh_tokens", _INSERT_REFRESH, codec.refresh_row(token))

    # A concurrent transaction spending the same row waits for the row lock, then re-checks
    # ``used_at IS NULL`` against the committed row and changes nothing ("UPDATE 0").
    async def spend_code(self, code_hash: str, now: datetime) -> bool:
        status: str = await self._conn.execute(_SPEND_CODE, format_zoom(now), code_hash)
        return status == "UPDATE 1"

    async def spend_refresh_token(self, token_hash: str, now: datetime) -> bool:
        status: str = await self._conn.execute(_SPEND_REFRESH, format_zoom(now), token_hash)
        return status == "UPDATE 1"

    async def revoke_grant(self, grant_id: str, now: datetime) -> None:
        await self._conn.execute(_REVOKE_GRANT, format_zoom(now), grant_id)

    async def insert_event(self, event: Event) -> None:
        await self._conn.execute(_INSERT_EVENT, *outbox_codec.event_row(event))

    async def insert_instance(self, instance: MeetingInstance) -> None:
        await self._insert("meeting_instances", _INSERT_INSTANCE, pmc.instance_row(instance))

    # Conditional UPDATEs: a concurrent transaction changing the same row waits for its lock, then
    # re-checks the condition against the committed row (see spend_code).
    async def end_instance(self, uuid: str, end_time: datetime) -> bool:
        status: str = await self._conn.execute(_END_INSTANCE, format_zoom(end_time), uuid)
        return status == "UPDATE 1"

    async def next_participant_number(self, instance_uuid: str) -> int | None:
        number = await self._conn.fetchval(_NEXT_PARTICIPANT, instance_uuid)
        return int(number) if number is not None else None

    async def insert_participant(self, participant: Participant) -> None:
        await self._insert("meeting_participants", _INSERT_PARTICIPANT, pmc.participant_row(participant))

    async def close_participant(
        self, instance_uuid: str, user_id: str, at: datetime, *, waiting_only: bool = False
    ) -> Participant | None:
        sql = _CLOSE_WAITING_PARTICIPANT if waiting_only else _CLOSE_PARTICIPANT
        row = await self._conn.fetchrow(sql, *pmc.leave_params(at), instance_uuid, user_id)
        return pmc.participant_from_row(row) if row is not None else None

    async def close_participants(self, instance_uuid: str, at: datetime) -> list[Participant]:
        rows = await self._conn.fetch(_CLOSE_ALL_PARTICIPANTS, *pmc.leave_params(at), instance_uuid)
        return sorted((pmc.participant_from_row(r) for r in rows), key=lambda p: p.row_id)


class PostgresStore:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._outbox = PostgresOutbox(pool)

    @property
    def outbox(self) -> PostgresOutbox:
        return self._outbox

    @property
    def pool(self) -> Any:
        """The asyncpg pool, for work on the whole database (the emulator's snapshots and imports)."""
        return self._pool

    @classmethod
    async def connect(
        cls, dsn: str, *, min_size: int = POOL_MIN_SIZE, max_size: int = POOL_MAX_SIZE
    ) -> PostgresStore:
        pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
        return cls(pool)

    def start_background(self) -> None:
        """Nothing to run in the background (SQLite checkpoints its WAL here)."""

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresTx]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield PostgresTx(conn)

    async def close(self) -> None:
        await self._pool.close()

    async def server_secret(self, name: str, create: bytes) -> bytes:
        # ON CONFLICT waits for a concurrent insert of the same name to settle, so every process
        # reads back the one value that won.
        await self._pool.execute(
            "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            name,
            create.hex(),
        )
        value = await self._pool.fetchval("SELECT value FROM server_secrets WHERE name = $1", name)
        return bytes.fromhex(str(value))

    async def get_account(self, account_id: str) -> Account | None:
        row = await self._pool.fetchrow(_SELECT_ACCOUNT, account_id)
        return codec.account_from_row(row) if row is not None else None

    async def count_accounts(self) -> int:
        return int(await self._pool.fetchval(_COUNT_ACCOUNTS))

    async def schema_revision(self) -> str | None:
        try:
            revision = await self._pool.fetchval("SELECT version_num FROM alembic_version")
        except asyncpg.UndefinedTableError:
            return None
        return None if revision is None else str(revision)

    async def get_user(self, account_id: str, user_id: str) -> User | None:
        row = await self._pool.fetchrow(_SELECT_USER, user_id, account_id)
        return codec.user_from_row(row) if row is not None else None

    async def get_user_by_email(self, account_id: str, email: str) -> User | None:
        row = await self._pool.fetchrow(_SELECT_USER_BY_EMAIL, email.lower(), account_id)
        return codec.user_from_row(row) if row is not None else None

    async def list_users(
        self, account_id: str, status: UserStatus, limit: int, offset: int
    ) -> tuple[list[User], int]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_LIST_USERS, account_id, status.value, limit, offset)
            total = await conn.fetchval(_COUNT_USERS, account_id, status.value)
        return [codec.user_from_row(r) for r in rows], int(total)

    async def get_app(self, client_id: str) -> App | None:
        row = await self._pool.fetchrow(_SELECT_APP, client_id)
        return codec.app_from_row(row) if row is not None else None

    async def list_apps(self, account_id: str | None = None) -> list[App]:
        if account_id is None:
            rows = await self._pool.fetch(codec.SELECT_ALL_APPS)
        else:
            rows = await self._pool.fetch(_SELECT_ACCOUNT_APPS, account_id)
        return [codec.app_from_row(r) for r in rows]

    async def get_grant(self, grant_id: str) -> Grant | None:
        row = await self._pool.fetchrow(_SELECT_GRANT, grant_id)
        return codec.grant_from_row(row) if row is not None else None

    async def get_code(self, code_hash: str) -> AuthorizationCode | None:
        row = await self._pool.fetchrow(_SELECT_CODE, code_hash)
        return codec.code_from_row(row) if row is not None else None

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        row = await self._pool.fetchrow(_SELECT_REFRESH, token_hash)
        return codec.refresh_from_row(row) if row is not None else None

    async def get_meeting(self, account_id: str, meeting_id: int) -> Meeting | None:
        row = await self._pool.fetchrow(_SELECT_MEETING, meeting_id, account_id)
        return codec.meeting_from_row(row) if row is not None else None

    async def list_meetings(self, query: MeetingQuery) -> tuple[list[Meeting], int]:
        page_sql, page_params, count_sql, count_params = codec.meeting_page_sql(query)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(dollar_params(page_sql), *page_params)
            total = query.known_total
            if total is None:
                count_sql, count_params = listing_sql.counted_total(query) or (count_sql, count_params)
                total = await conn.fetchval(dollar_params(count_sql), *count_params)
        return [codec.meeting_from_row(r) for r in rows], int(total)

    async def get_registrant(self, meeting_id: int, registrant_id: str) -> Registrant | None:
        row = await self._pool.fetchrow(_SELECT_REGISTRANT, registrant_id, meeting_id)
        return registrant_codec.registrant_from_row(row) if row is not None else None

    async def find_registrant_by_email(self, meeting_id: int, email: str) -> Registrant | None:
        row = await self._pool.fetchrow(_SELECT_REGISTRANT_BY_EMAIL, meeting_id, email.lower())
        return registrant_codec.registrant_from_row(row) if row is not None else None

    async def count_registrants(self, meeting_id: int, statuses: Collection[RegistrantStatus]) -> int:
        sql, params = registrant_codec.count_sql(statuses)
        return int(await self._pool.fetchval(dollar_params(sql), meeting_id, *params))

    async def list_registrants(
        self, meeting_id: int, status: RegistrantStatus, occurrence_id: str | None, limit: int, offset: int
    ) -> tuple[list[Registrant], int]:
        page_sql, page_params, count_sql, count_params = registrant_codec.list_sql(
            meeting_id, status, occurrence_id, limit, offset, id_order=_REGISTRANT_ID_ORDER
        )
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(dollar_params(page_sql), *page_params)
            total = await conn.fetchval(dollar_params(count_sql), *count_params)
        return [registrant_codec.registrant_from_row(r) for r in rows], int(total)

    async def find_meeting(self, meeting_id: int) -> Meeting | None:
        row = await self._pool.fetchrow(_FIND_MEETING, meeting_id)
        return codec.meeting_from_row(row) if row is not None else None

    async def get_live_instance(self, meeting_id: int) -> MeetingInstance | None:
        row = await self._pool.fetchrow(_SELECT_LIVE_INSTANCE, meeting_id)
        return pmc.instance_from_row(row) if row is not None else None

    async def get_instance(self, account_id: str, uuid: str) -> MeetingInstance | None:
        row = await self._pool.fetchrow(_SELECT_INSTANCE, uuid, account_id)
        return pmc.instance_from_row(row) if row is not None else None

    async def latest_ended_instance(self, account_id: str, meeting_id: int) -> MeetingInstance | None:
        row = await self._pool.fetchrow(_SELECT_LATEST_ENDED, meeting_id, account_id)
        return pmc.instance_from_row(row) if row is not None else None

    async def list_ended_instances(self, account_id: str, meeting_id: int) -> list[MeetingInstance]:
        rows = await self._pool.fetch(_SELECT_ENDED, meeting_id, account_id)
        return [pmc.instance_from_row(r) for r in rows]

    async def get_present_participant(self, instance_uuid: str, user_id: str) -> Participant | None:
        row = await self._pool.fetchrow(_SELECT_PRESENT_PARTICIPANT, instance_uuid, user_id)
        return pmc.participant_from_row(row) if row is not None else None

    async def list_participants(self, instance_uuid: str, limit: int, after: int = 0) -> list[Participant]:
        rows = await self._pool.fetch(_SELECT_PARTICIPANTS, instance_uuid, after, limit)
        return [pmc.participant_from_row(r) for r in rows]

    async def count_participants(self, instance_uuid: str) -> int:
        return int(await self._pool.fetchval(_COUNT_PARTICIPANTS, instance_uuid))

    async def list_accounts(self, limit: int, offset: int) -> list[Account]:
        rows = await self._pool.fetch(
            f"SELECT {codec.ACCOUNT_COLUMNS} FROM accounts "
            'ORDER BY created_at, id COLLATE "C" LIMIT $1 OFFSET $2',
            limit,
            offset,
        )
        return [codec.account_from_row(r) for r in rows]

    async def list_account_meetings(
        self, account_id: str, host_id: str | None, limit: int, offset: int
    ) -> tuple[list[Meeting], int]:
        where = "account_id = $1" + ("" if host_id is None else " AND host_id = $2")
        params: list[Any] = [account_id] if host_id is None else [account_id, host_id]
        n = len(params)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE {where} "
                f"ORDER BY created_at DESC, id DESC LIMIT ${n + 1} OFFSET ${n + 2}",
                *params,
                limit,
                offset,
            )
            total = await conn.fetchval(f"SELECT COUNT(*) FROM meetings WHERE {where}", *params)
        return [codec.meeting_from_row(r) for r in rows], int(total)
