"""Identifiers and secrets shaped like Zoom's.

They come from the operating system's CSPRNG. The emulator (``moot emulate --seed N``) swaps in a seeded
generator for the whole process, so one sequence of calls creates the same ids on every run; ids that
only trace traffic (tracking ids) always come from the OS, so polling a server does not shift the others.
"""

from __future__ import annotations

import base64
import os
import random
import secrets
from collections.abc import Callable
from typing import Any

# The source every id below draws from: the OS by default, a seeded generator after ``use_seed``.
_bytes: Callable[[int], bytes] = os.urandom
_below: Callable[[int], int] = secrets.randbelow
_seeded: random.Random | None = None


def random_bytes(count: int) -> bytes:
    return _bytes(count)


def randbelow(bound: int) -> int:
    """A uniform integer in ``[0, bound)``."""
    return _below(bound)


def use_seed(seed: int | None) -> None:
    """Draw every id from a generator seeded with ``seed`` from now on; ``None``: from the OS again."""
    global _bytes, _below, _seeded
    if seed is None:
        _bytes, _below, _seeded = os.urandom, secrets.randbelow, None
        return
    _seeded = random.Random(seed)  # noqa: S311 (repeatable ids for tests, by request)
    _bytes, _below = _seeded.randbytes, _seeded.randrange


def seed_state() -> Any:
    """Where the seeded generator is (None when ids come from the OS), for ``restore_seed_state``."""
    return _seeded.getstate() if _seeded is not None else None


def restore_seed_state(state: Any) -> None:
    """Put the seeded generator back where ``seed_state`` found it (nothing for None)."""
    if state is not None and _seeded is not None:
        _seeded.setstate(state)


def _alphanumerics(length: int) -> str:
    """``length`` uniformly random letters and digits.

    Each base64 character of a whole 3-byte group is uniform over 64 symbols; dropping ``-`` and ``_``
    leaves characters uniform over the other 62. One urandom call instead of one per character.
    """
    chars = ""
    while len(chars) < length:
        raw = base64.urlsafe_b64encode(_bytes(3 * (length // 4 + 2))).decode("ascii")
        chars += raw.replace("-", "").replace("_", "")
    return chars[:length]


def meeting_number() -> int:
    """A meeting number of 10 or 11 digits, like Zoom's (e.g. 83394258138); never starts with 0."""
    return _below(99_000_000_000 - 1_000_000_000) + 1_000_000_000


def meeting_uuid() -> str:
    """Base64 of 16 random bytes: 24 characters ending ``==``; may contain ``/`` and ``+``."""
    return base64.b64encode(_bytes(16)).decode("ascii")


def user_id() -> str:
    """22-character base64url, like ``rVaXfy_PRLOoBX2LOdUxdw``."""
    return base64.urlsafe_b64encode(_bytes(16)).decode("ascii").rstrip("=")


account_id = user_id


def client_id() -> str:
    return base64.urlsafe_b64encode(_bytes(15)).decode("ascii")


def client_secret() -> str:
    return _alphanumerics(32)


def passcode() -> str:
    """Six mixed alphanumerics, like ``6xTgtV``."""
    while True:
        value = _alphanumerics(6)
        if not value.isdigit() and not value.isalpha():
            return value


def numeric_passcode() -> str:
    """Six digits, for H.323/SIP and telephone joiners (``068699``)."""
    return f"{_below(1_000_000):06d}"


def encrypted_passcode() -> str:
    """The ``pwd`` value of a join URL: 30 characters and ``.1``."""
    return _alphanumerics(30) + ".1"


def personal_meeting_id() -> int:
    return _below(9_000_000_000) + 1_000_000_000


def tracking_id() -> str:
    return "v=2.0;clid=moot;rid=WEB_" + secrets.token_hex(16)


def webhook_tracking_id() -> str:
    """The ``x-zm-trackingid`` of one delivery (kept across its retries)."""
    return "v=2.0;clid=moot;rid=WEBHOOK_" + secrets.token_hex(16)
