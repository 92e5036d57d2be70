"""Unpadded URL-safe base64, the text form of moot's signed tokens (page tokens, cookies, CSRF tokens)."""

from __future__ import annotations

import base64


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode(text: str) -> bytes:
    """The bytes of ``text``, padded back as needed (ValueError when it is not base64url)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
