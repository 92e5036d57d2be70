"""The account a request acts for, read cheaply from its bearer token (fault rules, the journal)."""

from __future__ import annotations

from collections.abc import Iterable

from moot.services.context import Deps
from moot.services.tokens import read_access_token


def bearer_account(deps: Deps, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The account of a valid access token signed by this server (expired or not), else None. A token
    this process verified already is found in its cache; any other costs one signature check."""
    for name, value in headers:
        if name.lower() != b"authorization":
            continue
        scheme, _, token = value.decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        known = deps.keys.verified.get(token)
        if known is not None:
            return known[0].account_id
        principal = read_access_token(deps, token)
        return principal.account_id if principal is not None else None
    return None
