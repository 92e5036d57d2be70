"""Secrets at rest: the database holds hashes, never the secrets themselves, of client secrets (SHA-256:
they are 32 random characters), user passwords (scrypt, salted), authorization codes and refresh tokens.
The check reads every row of the SQLite file as text."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from moot.services.accounts import create_user_in_account
from tests.support.api import REDIRECT_URI, ZoomApi, authorize, code_of, new_user_oauth_app, token_request

PASSWORD = "correct-horse-42"


def database_text(tmp_path: Path) -> str:
    """Every row of every table of the test's SQLite file (WAL included: it is checkpointed by the dump)."""
    with sqlite3.connect(tmp_path / "moot.db") as db:
        return "\n".join(db.iterdump())


async def test_client_secrets_passwords_codes_and_refresh_tokens_are_stored_hashed(
    api: ZoomApi, tmp_path: Path
) -> None:
    assert api.tenant is not None
    s2s_secret = api.tenant.secret
    stored = await api.deps.store.get_app(api.tenant.app.client_id)
    assert stored is not None
    assert stored.secret_hash == "sha256$" + hashlib.sha256(s2s_secret.encode()).hexdigest()

    member = await create_user_in_account(
        api.deps,
        account_id=api.tenant.account.id,
        email="member@example.com",
        first_name="Mem",
        last_name="Ber",
        password=PASSWORD,
    )
    assert member.password_hash is not None and member.password_hash.startswith("scrypt$")
    client = await new_user_oauth_app(api, api.tenant.account.id)
    code = code_of(await authorize(api, client, email="member@example.com", password=PASSWORD))
    tokens = await token_request(
        api, client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    assert tokens.status_code == 200, tokens.text
    refresh = tokens.json()["refresh_token"]

    text = database_text(tmp_path)
    for secret in (s2s_secret, client.secret, PASSWORD, code, refresh):
        assert secret not in text
    assert stored.secret_hash in text
    assert member.password_hash in text


async def test_two_users_with_one_password_get_different_hashes(api: ZoomApi) -> None:
    assert api.tenant is not None
    hashes = {
        (
            await create_user_in_account(
                api.deps,
                account_id=api.tenant.account.id,
                email=f"u{n}@example.com",
                first_name="U",
                last_name=str(n),
                password=PASSWORD,
            )
        ).password_hash
        for n in range(2)
    }
    assert len(hashes) == 2  # salted
