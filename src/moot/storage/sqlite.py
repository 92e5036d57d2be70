"""SQLite backend: stdlib sqlite3 in WAL mode, called inline on the event loop.

Statements take microseconds, so a thread hop would cost more than it saves. Automatic WAL checkpoints
are switched off on the serving connection; a background task checkpoints from a second connection in a
worker thread, so no request ever waits for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

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
from moot.storage.base import DuplicateKey, StorageError
from moot.storage.sqlite_outbox import SqliteOutbox

CHECKPOINT_INTERVAL = 1.0


def _connect(path: Path | None, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path) if path is not None else ":memory:",
        isolation_level=None,
        check_same_thread=False,
        cached_statements=256,
    )
    conn.execute("PRAGMA busy_timeout = 5000")
    if path is not None:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _retrieve_exception(batch: asyncio.Future[None]) -> None:
    # Every writer of a batch sees its failure; this keeps asyncio from also logging it as unretrieved.
    if not batch.cancelled():
        batch.exception()


class SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _insert(self, sql: str, row: tuple[Any, ...]) -> None:
        try:
            self._conn.execute(sql, row)
        except sqlite3.IntegrityError as exc:
            raise DuplicateKey(str(exc)) from exc

    async def insert_account(self, account: Account) -> None:
        self._insert(
            f"INSERT INTO accounts ({codec.ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            codec.account_row(account),
        )

    async def update_account(self, account: Account) -> None:
        self._conn.execute(codec.UPDATE_ACCOUNT, codec.account_update_params(account))

    async def insert_user(self, user: User) -> None:
        self._insert(
            f"INSERT INTO users ({codec.USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", codec.user_row(user)
        )

    async def insert_app(self, app: App) -> None:
        self._insert(f"INSERT INTO apps ({codec.APP_COLUMNS}) VALUES (?, ?, ?, ?, ?)", codec.app_row(app))

    async def update_app(self, app: App) -> None:
        self._conn.execute(codec.UPDATE_APP, codec.app_update_params(app))

    async def insert_meeting(self, meeting: Meeting) -> None:
        self._insert(
            f"INSERT INTO meetings ({codec.MEETING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            codec.meeting_row(meeting),
        )

    async def update_meeting(self, meeting: Meeting) -> None:
        row = codec.meeting_row(meeting)
        self._conn.execute(
            "UPDATE meetings SET host_id = ?, type = ?, status = ?, sort_time = ?, end_time = ?, "
            "expires_at = ?, created_at = ?, deleted_at = ?, doc = ? WHERE id = ? AND account_id = ?",
            (*row[2:], row[0], row[1]),
        )

    async def insert_registrant(self, registrant: Registrant) -> None:
        columns = registrant_codec.REGISTRANT_COLUMNS
        self._insert(
            f"INSERT INTO registrants ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            registrant_codec.registrant_row(registrant),
        )

    async def update_registrant(self, registrant: Registrant) -> None:
        self._insert(registrant_codec.REGISTRANT_UPDATE, registrant_codec.update_params(registrant))

    async def delete_registrant(self, meeting_id: int, registrant_id: str) -> None:
        self._conn.execute(registrant_codec.REGISTRANT_DELETE, (registrant_id, meeting_id))

    async def insert_grant(self, grant: Grant) -> None:
        self._insert(
            f"INSERT INTO oauth_grants ({codec.GRANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            codec.grant_row(grant),
        )

    async def insert_code(self, code: AuthorizationCode) -> None:
        self._insert(
            f"INSERT INTO oauth_codes ({codec.CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", codec.code_row(code)
        )

    async def insert_refresh_token(self, token: RefreshToken) -> None:
        self._insert(
            f"INSERT INTO oauth_refresh_tokens ({codec.REFRESH_COLUMNS}) VALUES (?, ?, ?, ?)",
            codec.refresh_row(token),
        )

    # Writers are serialised (one write block at a time, and a batch's rows are visible to the next
    # block on this connection before it commits), so the conditional UPDATE's row count decides.
    async def spend_code(self, code_hash: str, now: datetime) -> bool:
        return self._conn.execute(codec.SPEND_CODE, (format_zoom(now), code_hash)).rowcount == 1

    async def spend_refresh_token(self, token_hash: str, now: datetime) -> bool:
        return self._conn.execute(codec.SPEND_REFRESH, (format_zoom(now), token_hash)).rowcount == 1

    async def revoke_grant(self, grant_id: str, now: datetime) -> None:
        self._conn.execute(codec.REVOKE_GRANT, (format_zoom(now), grant_id))

    async def insert_event(self, event: Event) -> None:
        self._conn.execute(outbox_codec.INSERT_EVENT, outbox_codec.event_row(event))

    async def insert_instance(self, instance: MeetingInstance) -> None:
        self._insert(pmc.INSERT_INSTANCE, pmc.instance_row(instance))

    async def end_instance(self, uuid: str, end_time: datetime) -> bool:
        return self._conn.execute(pmc.END_INSTANCE, (format_zoom(end_time), uuid)).rowcount == 1

    async def next_participant_number(self, instance_uuid: str) -> int | None:
        row = self._conn.execute(pmc.NEXT_PARTICIPANT, (instance_uuid,)).fetchone()
        return int(row[0]) if row else None

    async def insert_participant(self, participant: Participant) -> None:
        self._insert(pmc.INSERT_PARTICIPANT, pmc.participant_row(participant))

    async def close_participant(
        self, instance_uuid: str, user_id: str, at: datetime, *, waiting_only: bool = False
    ) -> Participant | None:
        sql = pmc.CLOSE_WAITING_PARTICIPANT if waiting_only else pmc.CLOSE_PARTICIPANT
        rows = self._conn.execute(sql, (*pmc.leave_params(at), instance_uuid, user_id)).fetchall()
        return pmc.participant_from_row(rows[0]) if rows else None

    async def close_participants(self, instance_uuid: str, at: datetime) -> list[Participant]:
        params = (*pmc.leave_params(at), instance_uuid)
        rows = self._conn.execute(pmc.CLOSE_ALL_PARTICIPANTS, params).fetchall()
        return sorted((pmc.participant_from_row(r) for r in rows), key=lambda p: p.row_id)


class SqliteStore:
    def __init__(self, path: Path | None, *, synchronous: str = "normal") -> None:
        self._path = path
        self._conn = _connect(path, synchronous)
        self._tx = SqliteTx(self._conn)
        self._write_lock = asyncio.Lock()
        self._batch: asyncio.Future[None] | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        if path is not None:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._outbox = SqliteOutbox(self)

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    @property
    def outbox(self) -> SqliteOutbox:
        return self._outbox

    @asynccontextmanager
    async def quiesced(self) -> AsyncIterator[sqlite3.Connection]:
        """The connection with no transaction open and every writer held off until the block ends:
        for work on the whole database (the emulator's snapshots, restores and imports)."""
        while True:
            await self._write_lock.acquire()
            batch = self._batch
            if batch is None:
                break
            self._write_lock.release()  # the batch commits once no writer holds the lock
            with contextlib.suppress(Exception):
                await asyncio.shield(batch)
        try:
            yield self._conn
        finally:
            self._write_lock.release()

    def start_background(self) -> None:
        """Start WAL checkpointing off the event loop (needs a running loop)."""
        if self._path is not None and self._checkpointer is None:
            self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoint_forever())

    async def _checkpoint_forever(self) -> None:
        assert self._path is not None
        conn = _connect(self._path, "normal")
        try:
            while True:
                await asyncio.sleep(CHECKPOINT_INTERVAL)
                await asyncio.to_thread(conn.execute, "PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteTx]:
        """Group commit: every write block entered before the loop's next turn joins one transaction,
        each in a savepoint of its own (a failing block rolls back only itself), and each caller resumes
        only once the whole batch is committed. One COMMIT (and with ``synchronous=full`` one fsync)
        then serves many requests.

        Reads on this connection see a batch's rows a moment before its commit; should the commit fail,
        every writer in it gets an error and nothing is acknowledged."""
        # The Tx methods never await I/O, so the lock is only contended if a caller awaits something
        # else inside its block.
        async with self._write_lock:
            batch = self._open_batch()
            self._conn.execute("SAVEPOINT write_block")
            try:
                yield self._tx
            except BaseException:
                self._conn.execute("ROLLBACK TO write_block")
                self._conn.execute("RELEASE write_block")
                raise
            self._conn.execute("RELEASE write_block")
        await asyncio.shield(batch)

    def _open_batch(self) -> asyncio.Future[None]:
        if self._batch is None:
            self._conn.execute("BEGIN IMMEDIATE")
            loop = asyncio.get_running_loop()
            self._batch = loop.create_future()
            self._batch.add_done_callback(_retrieve_exception)
            loop.call_soon(self._commit_batch)
        return self._batch

    def _commit_batch(self) -> None:
        if self._write_lock.locked():  # a writer awaited inside its block: commit after it is done
            asyncio.get_running_loop().call_soon(self._commit_batch)
            return
        batch, self._batch = self._batch, None
        if batch is None:
            return
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            batch.set_exception(StorageError(f"commit failed: {exc}"))
        else:
            batch.set_result(None)

    async def close(self) -> None:
        if self._batch is not None:
            self._commit_batch()
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
            self._checkpointer = None
        if self._path is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    async def server_secret(self, name: str, create: bytes) -> bytes:
        self._conn.execute(
            "INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)", (name, create.hex())
        )
        row = self._conn.execute("SELECT value FROM server_secrets WHERE name = ?", (name,)).fetchone()
        return bytes.fromhex(row[0])

    async def get_account(self, account_id: str) -> Account | None:
        row = self._conn.execute(
            f"SELECT {codec.ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        return codec.account_from_row(row) if row else None

    async def count_accounts(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0])

    async def schema_revision(self) -> str | None:
        try:
            row = self._conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return None if row is None else str(row[0])

    async def get_user(self, account_id: str, user_id: str) -> User | None:
        row = self._conn.execute(
            f"SELECT {codec.USER_COLUMNS} FROM users WHERE id = ? AND account_id = ?", (user_id, account_id)
        ).fetchone()
        return codec.user_from_row(row) if row else None

    async def get_user_by_email(self, account_id: str, email: str) -> User | None:
        row = self._conn.execute(
            f"SELECT {codec.USER_COLUMNS} FROM users WHERE email_lower = ? AND account_id = ?",
            (email.lower(), account_id),
        ).fetchone()
        return codec.user_from_row(row) if row else None

    async def list_users(
        self, account_id: str, status: UserStatus, limit: int, offset: int
    ) -> tuple[list[User], int]:
        rows = self._conn.execute(
            f"SELECT {codec.USER_COLUMNS} FROM users WHERE account_id = ? AND status = ? "
            "ORDER BY created_at, id LIMIT ? OFFSET ?",
            (account_id, status.value, limit, offset),
        ).fetchall()
        total = self._conn.execute(
            "SELECT COUNT(*) FROM users WHERE account_id = ? AND status = ?", (account_id, status.value)
        ).fetchone()[0]
        return [codec.user_from_row(r) for r in rows], int(total)

    async def get_app(self, client_id: str) -> App | None:
        row = self._conn.execute(
            f"SELECT {codec.APP_COLUMNS} FROM apps WHERE client_id = ?", (client_id,)
        ).fetchone()
        return codec.app_from_row(row) if row else None

    async def list_apps(self, account_id: str | None = None) -> list[App]:
        if account_id is None:
            rows = self._conn.execute(codec.SELECT_ALL_APPS).fetchall()
        else:
            rows = self._conn.execute(codec.SELECT_ACCOUNT_APPS, (account_id,)).fetchall()
        return [codec.app_from_row(r) for r in rows]

    async def get_grant(self, grant_id: str) -> Grant | None:
        row = self._conn.execute(codec.SELECT_GRANT, (grant_id,)).fetchone()
        return codec.grant_from_row(row) if row else None

    async def get_code(self, code_hash: str) -> AuthorizationCode | None:
        row = self._conn.execute(codec.SELECT_CODE, (code_hash,)).fetchone()
        return codec.code_from_row(row) if row else None

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        row = self._conn.execute(codec.SELECT_REFRESH, (token_hash,)).fetchone()
        return codec.refresh_from_row(row) if row else None

    async def get_meeting(self, account_id: str, meeting_id: int) -> Meeting | None:
        row = self._conn.execute(
            f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE id = ? AND account_id = ?",
            (meeting_id, account_id),
        ).fetchone()
        return codec.meeting_from_row(row) if row else None

    async def list_meetings(self, query: MeetingQuery) -> tuple[list[Meeting], int]:
        page_sql, page_params, count_sql, count_params = codec.meeting_page_sql(query)
        rows = self._conn.execute(page_sql, page_params).fetchall()
        total = query.known_total
        if total is None:
            count_sql, count_params = listing_sql.counted_total(query) or (count_sql, count_params)
            total = self._conn.execute(count_sql, count_params).fetchone()[0]
        return [codec.meeting_from_row(r) for r in rows], int(total)

    async def get_registrant(self, meeting_id: int, registrant_id: str) -> Registrant | None:
        row = self._conn.execute(registrant_codec.REGISTRANT_GET, (registrant_id, meeting_id)).fetchone()
        return registrant_codec.registrant_from_row(row) if row else None

    async def find_registrant_by_email(self, meeting_id: int, email: str) -> Registrant | None:
        row = self._conn.execute(registrant_codec.REGISTRANT_BY_EMAIL, (meeting_id, email.lower())).fetchone()
        return registrant_codec.registrant_from_row(row) if row else None

    async def count_registrants(self, meeting_id: int, statuses: Collection[RegistrantStatus]) -> int:
        sql, params = registrant_codec.count_sql(statuses)
        return int(self._conn.execute(sql, [meeting_id, *params]).fetchone()[0])

    async def list_registrants(
        self, meeting_id: int, status: RegistrantStatus, occurrence_id: str | None, limit: int, offset: int
    ) -> tuple[list[Registrant], int]:
        page_sql, page_params, count_sql, count_params = registrant_codec.list_sql(
            meeting_id, status, occurrence_id, limit, offset, id_order="id"
        )
        rows = self._conn.execute(page_sql, page_params).fetchall()
        total = self._conn.execute(count_sql, count_params).fetchone()[0]
        return [registrant_codec.registrant_from_row(r) for r in rows], int(total)

    async def find_meeting(self, meeting_id: int) -> Meeting | None:
        row = self._conn.execute(
            f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)
        ).fetchone()
        return codec.meeting_from_row(row) if row else None

    async def get_live_instance(self, meeting_id: int) -> MeetingInstance | None:
        row = self._conn.execute(pmc.SELECT_LIVE_INSTANCE, (meeting_id,)).fetchone()
        return pmc.instance_from_row(row) if row else None

    async def get_instance(self, account_id: str, uuid: str) -> MeetingInstance | None:
        row = self._conn.execute(pmc.SELECT_INSTANCE, (uuid, account_id)).fetchone()
        return pmc.instance_from_row(row) if row else None

    async def latest_ended_instance(self, account_id: str, meeting_id: int) -> MeetingInstance | None:
        row = self._conn.execute(pmc.SELECT_LATEST_ENDED, (meeting_id, account_id)).fetchone()
        return pmc.instance_from_row(row) if row else None

    async def list_ended_instances(self, account_id: str, meeting_id: int) -> list[MeetingInstance]:
        rows = self._conn.execute(pmc.SELECT_ENDED, (meeting_id, account_id)).fetchall()
        return [pmc.instance_from_row(r) for r in rows]

    async def get_present_participant(self, instance_uuid: str, user_id: str) -> Participant | None:
        row = self._conn.execute(pmc.SELECT_PRESENT_PARTICIPANT, (instance_uuid, user_id)).fetchone()
        return pmc.participant_from_row(row) if row else None

    async def list_participants(self, instance_uuid: str, limit: int, after: int = 0) -> list[Participant]:
        rows = self._conn.execute(pmc.SELECT_PARTICIPANTS, (instance_uuid, after, limit)).fetchall()
        return [pmc.participant_from_row(r) for r in rows]

    async def count_participants(self, instance_uuid: str) -> int:
        return int(self._conn.execute(pmc.COUNT_PARTICIPANTS, (instance_uuid,)).fetchone()[0])

    async def list_accounts(self, limit: int, offset: int) -> list[Account]:
        rows = self._conn.execute(
            f"SELECT {codec.ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, id LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [codec.account_from_row(r) for r in rows]

    async def list_account_meetings(
        self, account_id: str, host_id: str | None, limit: int, offset: int
    ) -> tuple[list[Meeting], int]:
        where = "account_id = ?" + ("" if host_id is None else " AND host_id = ?")
        params: list[Any] = [account_id] if host_id is None else [account_id, host_id]
        rows = self._conn.execute(
            f"SELECT {codec.MEETING_COLUMNS} FROM meetings WHERE {where} "
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        total = self._conn.execute(f"SELECT COUNT(*) FROM meetings WHERE {where}", params).fetchone()[0]
        return [codec.meeting_from_row(r) for r in rows], int(total)
