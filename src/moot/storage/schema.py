"""SQLite's schema as one cached SQL script, for databases that start empty (in memory, or a new file).

Running the Alembic migrations costs about half a second (SQLAlchemy and Alembic imports, then the
migrations); the script is exactly what they produce, ``alembic_version`` stamp included, so a file
created from it migrates on as usual. The script records a hash of the migration files: while they
are unchanged it is used, otherwise the migrations run. ``python -m moot.storage.schema`` writes it
again after a migration is added or changed (``tests/storage/test_schema.py`` fails until then).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

SCRIPT = Path(__file__).with_name("schema_sqlite.sql")
VERSIONS = Path(__file__).parent / "migrations" / "versions"
_HASH_LINE = "-- migrations sha256: "


def migrations_hash() -> str:
    """A hash of every migration file's name and content."""
    digest = hashlib.sha256()
    for path in sorted(VERSIONS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_script() -> str | None:
    """The cached script, if it was generated from the migrations as they are now."""
    try:
        text = SCRIPT.read_text()
    except FileNotFoundError:
        return None
    first = text.partition("\n")[0]
    if first != _HASH_LINE + migrations_hash():
        return None
    return text


def create_schema(conn: sqlite3.Connection) -> bool:
    """Create the schema in an empty database: from the cached script (True), or, when it is out of
    date, by running the migrations (False)."""
    script = cached_script()
    if script is None:
        from moot.storage.migrate import upgrade_sqlite_connection

        upgrade_sqlite_connection(conn)
        return False
    conn.executescript(script)
    return True


def schema_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """What makes up a database's schema, comparable across databases: every table, index, view and
    trigger with its SQL, and the Alembic revision it is at."""
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    stamp = conn.execute("SELECT version_num FROM alembic_version ORDER BY version_num").fetchall()
    return [*rows, *(("alembic_version", row[0], "", "") for row in stamp)]


def generate() -> str:
    """The script, from the migrations run on a new in-memory database."""
    from moot.storage.migrate import upgrade_sqlite_connection

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        upgrade_sqlite_connection(conn)
        rows = conn.execute(
            "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid"
        ).fetchall()
        versions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    finally:
        conn.close()
    lines = [
        _HASH_LINE + migrations_hash(),
        "-- The schema the migrations create on SQLite; written by `python -m moot.storage.schema`.",
        "BEGIN;",
        *(f"{sql};" for _, sql in rows),
        *(f"INSERT INTO alembic_version (version_num) VALUES ('{version}');" for version in versions),
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    SCRIPT.write_text(generate())
    print(f"wrote {SCRIPT}")


if __name__ == "__main__":
    main()
