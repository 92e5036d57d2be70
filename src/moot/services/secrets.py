"""Hashing of stored secrets.

Client secrets are 32 random characters, so one SHA-256 is enough and keeps the token endpoint fast
(some clients mint a token per call). User passwords are chosen by people: scrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def hash_client_secret(secret: str) -> str:
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


def client_secret_matches(secret: str, stored: str) -> bool:
    return hmac.compare_digest(hash_client_secret(secret), stored)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
