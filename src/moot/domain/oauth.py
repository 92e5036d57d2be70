"""User OAuth (authorization code + PKCE, rotating refresh tokens): grants, codes, and their rules.

A *grant* is one user's consent to one app: every code, access token and refresh token issued from that
consent belongs to it, and revoking it ends them all. Codes and refresh tokens are stored only as
SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

CODE_LIFETIME = timedelta(minutes=10)
REFRESH_TOKEN_LIFETIME = timedelta(days=90)  # Zoom's; each rotation starts a new 90 days
CONSENT_FORM_LIFETIME = timedelta(hours=1)  # how long a rendered consent form may be submitted

_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.1 (verifier) and §4.2 (S256 challenge)


@dataclass(slots=True)
class Grant:
    id: str
    client_id: str
    account_id: str
    user_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    code_hash: str
    grant_id: str
    redirect_uri: str
    code_challenge: str | None  # S256 challenge, or None when the client sent no PKCE
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    token_hash: str
    grant_id: str
    expires_at: datetime
    used_at: datetime | None = None


def secret_hash(value: str) -> str:
    """How codes and refresh tokens are stored: random 256-bit values, so one SHA-256 is enough."""
    return hashlib.sha256(value.encode()).hexdigest()


def is_pkce_value(value: str) -> bool:
    return _PKCE_VALUE.fullmatch(value) is not None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def verifier_matches(verifier: str | None, challenge: str) -> bool:
    if not verifier or not is_pkce_value(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


class InvalidRedirectUri(ValueError):
    pass


def check_redirect_uri(uri: str) -> str:
    """A redirect URI an app may register: absolute http(s), no fragment (RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment or "#" in uri:
        raise InvalidRedirectUri(f"not an absolute http(s) URL without a fragment: {uri!r}")
    return uri
