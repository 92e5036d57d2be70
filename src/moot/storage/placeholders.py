"""Placeholders: the codecs write SQL with ``?``; asyncpg wants ``$1, $2, ...``."""

from __future__ import annotations

import itertools


def dollar_params(sql: str) -> str:
    """``?`` placeholders -> ``$1, $2, ...`` (codec SQL never has a ``?`` inside a string literal)."""
    counter = itertools.count(1)
    parts = sql.split("?")
    return "".join(part if i == 0 else f"${next(counter)}{part}" for i, part in enumerate(parts))
