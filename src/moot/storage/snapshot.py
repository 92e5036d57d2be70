"""The whole database as plain rows, and back: every table, found in the schema itself, so tables that
later migrations add are included without a change here.

``dump`` gives ``{table: [row, ...]}`` (rows as ``{column: value}``, ordered by primary key, booleans as
booleans); ``load`` replaces the content of every table with such a dump in one transaction; ``capture``
remembers the database as it is now and returns what restores it (SQLite: a page copy through the backup
API into memory and back; PostgreSQL: a dump, then DELETE and a COPY of it).

Three tables are left alone: ``alembic_version`` (the schema's revision, not state), ``server_secrets``
(the keys a running server has loaded, e.g. the one that signs access tokens) and ``host_meeting_counts``
(derived: the triggers on ``meetings`` keep it as a load deletes and inserts meetings; see migration 0008).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from moot.storage.base import Store

Rows = dict[str, list[dict[str, Any]]]
Restore = Callable[[], Awaitable[None]]
Kind = Literal["int", "float", "bool", "text"]

EXCLUDED_TABLES = frozenset({"alembic_version", "server_secrets", "host_meeting_counts"})


class SnapshotError(ValueError):
    """A dump that does not fit this database (unknown table or column, a wrong value)."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]
    key: tuple[str, ...]
    parents: frozenset[str]  # tables its foreign keys point to

    def coerce(self, row: Mapping[str, Any], where: str) -> tuple[Any, ...]:
        if not isinstance(row, Mapping):
            raise SnapshotError(f"{where}: a row must be an object")
        unknown = set(row) - set(self.columns)
        if unknown:
            raise SnapshotError(f"{where}: unknown column {sorted(unknown)[0]!r}")
        try:
            return tuple(_coerce(row.get(c), k) for c, k in zip(self.columns, self.kinds, strict=True))
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"{where}: {exc}") from None

    def as_dict(self, row: Sequence[Any]) -> dict[str, Any]:
        return {
            column: bool(value) if kind == "bool" and value is not None else value
            for column, kind, value in zip(self.columns, self.kinds, row, strict=True)
        }


def _coerce(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "bool":
        if not isinstance(value, bool | int):
            raise ValueError(f"{value!r} is not a boolean")
        return bool(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a number")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _kind(declared: str) -> Kind:
    text = declared.lower()
    if "bool" in text:
        return "bool"
    if "int" in text:
        return "int"
    if any(name in text for name in ("float", "real", "double", "numeric", "decimal")):
        return "float"
    return "text"


def in_dependency_order(tables: Sequence[Table]) -> list[Table]:
    """Parents before the tables that refer to them (alphabetical otherwise)."""
    by_name = {t.name: t for t in tables}
    ordered: list[Table] = []
    placed: set[str] = set()

    def place(table: Table, path: frozenset[str]) -> None:
        if table.name in placed or table.name in path:
            return
        for parent in sorted(table.parents):
            if parent in by_name:
                place(by_name[parent], path | {table.name})
        placed.add(table.name)
        ordered.append(table)

    for table in sorted(tables, key=lambda t: t.name):
        place(table, frozenset())
    return ordered


def _checked(tables: Sequence[Table], data: Mapping[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``data`` as a tuple in its table's column order; tables not in ``data`` are empty."""
    if not isinstance(data, Mapping):
        raise SnapshotError("tables must be an object of table names")
    known = {t.name: t for t in tables}
    unknown = set(data) - set(known)
    if unknown:
        raise SnapshotError(f"unknown table {sorted(unknown)[0]!r}")
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for name, table in known.items():
        given = data.get(name) or []
        if not isinstance(given, list):
            raise SnapshotError(f"{name}: must be a list of rows")
        rows[name] = [table.coerce(row, f"{name}[{i}]") for i, row in enumerate(given)]
    return rows


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Snapshots(Protocol):
    async def dump(self) -> Rows: ...

    async def load(self, data: Mapping[str, Any]) -> None:
        """Replace every table's rows with ``data`` (missing tables end up empty); SnapshotError, and
        nothing changed, when it does not fit."""
        ...

    async def capture(self) -> Restore:
        """Remember the database as it is now; the result puts it back."""
        ...


def snapshots(store: Store) -> Snapshots:
    from moot.storage.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteSnapshots(store)
    from moot.storage.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        return PostgresSnapshots(store)
    raise TypeError(f"no snapshots for {type(store).__name__}")


# --- SQLite --------------------------------------------------------------------------------------------


class SqliteSnapshots:
    def __init__(self, store: Any) -> None:
        self._store = store
        self._tables: list[Table] | None = None

    def _schema(self, conn: sqlite3.Connection) -> list[Table]:
        if self._tables is None:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            tables = []
            for name in names:
                if name in EXCLUDED_TABLES:
                    continue
                info = conn.execute(f"PRAGMA table_info({_quoted(name)})").fetchall()
                key = tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
                parents = frozenset(
                    row[2] for row in conn.execute(f"PRAGMA foreign_key_list({_quoted(name)})")
                )
                tables.append(
                    Table(
                        name,
                        tuple(row[1] for row in info),
                        tuple(_kind(row[2]) for row in info),
                        key or ("rowid",),
                        parents,
                    )
                )
            self._tables = in_dependency_order(tables)
        return self._tables

    async def dump(self) -> Rows:
        async with self._store.quiesced() as conn:
            out: Rows = {}
            for table in self._schema(conn):
                columns = ", ".join(_quoted(c) for c in table.columns)
                order = ", ".join(_quoted(c) for c in table.key)
                rows = conn.execute(f"SELECT {columns} FROM {_quoted(table.name)} ORDER BY {order}")
                out[table.name] = [table.as_dict(row) for row in rows]
            return out

    async def load(self, data: Mapping[str, Any]) -> None:
        async with self._store.quiesced() as conn:
            tables = self._schema(conn)
            rows = _checked(tables, data)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("PRAGMA defer_foreign_keys = ON")
                for table in reversed(tables):
                    conn.execute(f"DELETE FROM {_quoted(table.name)}")
                for table in tables:
                    if rows[table.name]:
                        columns = ", ".join(_quoted(c) for c in table.columns)
                        marks = ", ".join("?" for _ in table.columns)
                        conn.executemany(
                            f"INSERT INTO {_quoted(table.name)} ({columns}) VALUES ({marks})",
                            rows[table.name],
                        )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK")
                raise SnapshotError(str(exc)) from None

    async def capture(self) -> Restore:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        async with self._store.quiesced() as conn:
            conn.backup(copy)

        async def restore() -> None:
            async with self._store.quiesced() as conn:
                copy.backup(conn)

        return restore


# --- PostgreSQL ----------------------------------------------------------------------------------------

_PG_COLUMNS = """
SELECT c.table_name, c.column_name, c.data_type, coalesce(c.column_default, '')
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name, c.ordinal_position
"""
_PG_KEYS = """
SELECT tc.table_name, k.column_name
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage k
  ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name
WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
ORDER BY tc.table_name, k.ordinal_position
"""
_PG_PARENTS = """
SELECT child.relname, parent.relname
FROM pg_constraint f
JOIN pg_class child ON child.oid = f.conrelid
JOIN pg_class parent ON parent.oid = f.confrelid
WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace
"""


@dataclass(frozen=True, slots=True)
class _PgSchema:
    tables: list[Table]
    sequences: list[tuple[str, str, str]]  # (table, column, sequence) of serial columns


class PostgresSnapshots:
    def __init__(self, store: Any) -> None:
        self._pool = store.pool
        self._schema_cache: _PgSchema | None = None

    async def _schema(self, conn: Any) -> _PgSchema:
        if self._schema_cache is None:
            columns: dict[str, list[tuple[str, str, str]]] = {}
            for table, column, data_type, default in await conn.fetch(_PG_COLUMNS):
                columns.setdefault(table, []).append((column, data_type, default))
            keys: dict[str, list[str]] = {}
            for table, column in await conn.fetch(_PG_KEYS):
                keys.setdefault(table, []).append(column)
            parents: dict[str, set[str]] = {}
            for child, parent in await conn.fetch(_PG_PARENTS):
                parents.setdefault(child, set()).add(parent)
            tables, sequences = [], []
            for name, cols in columns.items():
                if name in EXCLUDED_TABLES:
                    continue
                for column, _, default in cols:
                    if default.startswith("nextval("):
                        sequence = await conn.fetchval(
                            "SELECT pg_get_serial_sequence($1, $2)", _quoted(name), column
                        )
                        if sequence:
                            sequences.append((name, column, sequence))
                tables.append(
                    Table(
                        name,
                        tuple(c[0] for c in cols),
                        tuple(_kind(c[1]) for c in cols),
                        tuple(keys.get(name, [])) or tuple(c[0] for c in cols),
                        frozenset(parents.get(name, set())),
                    )
                )
            self._schema_cache = _PgSchema(in_dependency_order(tables), sequences)
        return self._schema_cache

    def _order(self, table: Table) -> str:
        return ", ".join(
            _quoted(c) + (' COLLATE "C"' if table.kinds[table.columns.index(c)] == "text" else "")
            for c in table.key
        )

    async def dump(self) -> Rows:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            schema = await self._schema(conn)
            out: Rows = {}
            for table in schema.tables:
                columns = ", ".join(_quoted(c) for c in table.columns)
                rows = await conn.fetch(
                    f"SELECT {columns} FROM {_quoted(table.name)} ORDER BY {self._order(table)}"
                )
                out[table.name] = [table.as_dict(tuple(row)) for row in rows]
            return out

    async def load(self, data: Mapping[str, Any]) -> None:
        import asyncpg

        async with self._pool.acquire() as conn:
            schema = await self._schema(conn)
            rows = _checked(schema.tables, data)
            try:
                async with conn.transaction():
                    await self._replace(conn, schema, rows)
            except (asyncpg.PostgresError, ValueError, TypeError) as exc:  # asyncpg's DataError too
                raise SnapshotError(str(exc)) from None

    async def _replace(self, conn: Any, schema: _PgSchema, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        # DELETE rather than TRUNCATE: on the small databases of tests it takes a tenth of the time.
        for table in reversed(schema.tables):
            await conn.execute(f"DELETE FROM {_quoted(table.name)}")
        for table in schema.tables:
            if rows[table.name]:
                await conn.copy_records_to_table(table.name, records=rows[table.name], columns=table.columns)
        for name, column, sequence in schema.sequences:  # the next id follows the largest, as on SQLite
            largest = f"(SELECT max({_quoted(column)}) FROM {_quoted(name)})"
            await conn.execute(f"SELECT setval($1, coalesce({largest}, 0) + 1, false)", sequence)

    async def capture(self) -> Restore:
        data = await self.dump()

        async def restore() -> None:
            await self.load(data)

        return restore
