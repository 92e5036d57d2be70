"""Database URLs: ``sqlite:///path/to/file.db``, ``sqlite:///:memory:``, ``postgresql://user@host/db``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class UnsupportedDatabase(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DatabaseURL:
    raw: str

    def __post_init__(self) -> None:
        if not (self.is_sqlite or self.is_postgres):
            raise UnsupportedDatabase(
                f"unsupported database URL {self.raw!r}: use sqlite:///FILE or postgresql://USER@HOST/DB"
            )

    @property
    def is_sqlite(self) -> bool:
        return self.raw.startswith("sqlite://")

    @property
    def is_postgres(self) -> bool:
        return self.raw.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://"))

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, or None for an in-memory database."""
        if not self.is_sqlite:
            return None
        path = self.raw.removeprefix("sqlite://").removeprefix("/")
        if path in ("", ":memory:"):
            return None
        return Path(path)

    @property
    def asyncpg_dsn(self) -> str:
        rest = self.raw.split("://", 1)[1]
        return f"postgresql://{rest}"

    def sqlalchemy(self) -> str:
        if self.is_sqlite:
            path = self.sqlite_path
            return f"sqlite:///{path}" if path is not None else "sqlite://"
        return f"postgresql+asyncpg://{self.raw.split('://', 1)[1]}"
