"""Administration: accounts, their apps, and the credentials moot creates on first start."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from moot.domain import ids
from moot.domain.accounts import ALL_SCOPES, Account, App, AppType, Plan, WebhookEndpoint
from moot.domain.events import UnknownEvents, parse_events
from moot.domain.oauth import InvalidRedirectUri, check_redirect_uri
from moot.domain.ratelimits import scale_of
from moot.domain.users import OWNER_ROLE_ID, User, UserStatus
from moot.services.context import Deps
from moot.services.secrets import hash_client_secret
from moot.services.users import insert_user, new_user
from moot.storage.base import DuplicateKey


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a Server-to-Server OAuth client needs: printed once, and kept in the credentials file."""

    account_id: str
    client_id: str
    client_secret: str
    user_email: str


class BootstrapError(Exception):
    """MOOT_BOOTSTRAP_* settings that cannot be applied."""


class AccountNotFound(LookupError):
    pass


async def create_account(
    deps: Deps,
    *,
    owner_email: str,
    name: str = "",
    plan: Plan = Plan.BUSINESS,
    account_id: str | None = None,
    rate_limits: str = "zoom",
) -> tuple[Account, User]:
    scale_of(rate_limits)  # refuses a mode that is not zoom, off or xN
    account = Account(
        id=account_id or ids.account_id(),
        name=name or owner_email,
        plan=plan,
        created_at=deps.clock.now(),
        rate_limits=rate_limits,
    )
    owner = new_user(
        deps,
        account_id=account.id,
        email=owner_email,
        role_id=OWNER_ROLE_ID,
        first_name="Account",
        last_name="Owner",
    )
    async with deps.store.write() as tx:
        await tx.insert_account(account)
        await tx.insert_user(owner)
    return account, owner


async def update_account(
    deps: Deps, account_id: str, *, plan: Plan | None = None, rate_limits: str | None = None
) -> Account:
    """Change an account's plan or rate-limit mode (running servers apply it within seconds)."""
    account = await deps.store.get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    if rate_limits is not None:
        scale_of(rate_limits)
        account.rate_limits = rate_limits
    if plan is not None:
        account.plan = plan
    async with deps.store.write() as tx:
        await tx.update_account(account)
    return account


async def create_app(
    deps: Deps,
    *,
    account_id: str,
    name: str = "moot app",
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: tuple[str, ...] = ALL_SCOPES,
    app_type: AppType = AppType.SERVER_TO_SERVER,
    redirect_uris: tuple[str, ...] = (),
) -> tuple[App, str]:
    """A Server-to-Server OAuth app acting as the account's owner (with every scope by default), or a
    user-OAuth app (``AppType.OAUTH``: at least one redirect URI) whose tokens act as the user who
    authorized it."""
    if app_type is AppType.OAUTH and not redirect_uris:
        raise InvalidRedirectUri("an OAuth app needs at least one redirect URI")
    for uri in redirect_uris:
        check_redirect_uri(uri)
    account = await deps.store.get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    owner = await _owner(deps, account_id)
    secret = client_secret or ids.client_secret()
    app = App(
        client_id=client_id or ids.client_id(),
        account_id=account_id,
        user_id=owner.id,
        name=name,
        type=app_type,
        secret_hash=hash_client_secret(secret),
        created_at=deps.clock.now(),
        scopes=scopes,
        redirect_uris=tuple(redirect_uris),
    )
    async with deps.store.write() as tx:
        await tx.insert_app(app)
    return app, secret


async def _owner(deps: Deps, account_id: str) -> User:
    # The owner is the account's first user; users created in the same second sort by id, so look
    # through the first page for the owner's role.
    users, _ = await deps.store.list_users(account_id, UserStatus.ACTIVE, 50, 0)
    for user in users:
        if user.role_id == OWNER_ROLE_ID:
            return user
    raise AccountNotFound(account_id)


async def create_user_in_account(
    deps: Deps,
    *,
    account_id: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
) -> User:
    """``password`` lets the user sign in on the consent page of user OAuth (stored as an scrypt hash)."""
    if await deps.store.get_account(account_id) is None:
        raise AccountNotFound(account_id)
    user = new_user(
        deps,
        account_id=account_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    await insert_user(deps, user)
    return user


async def ensure_bootstrap(deps: Deps) -> Credentials | None:
    """Create the account and app named by MOOT_BOOTSTRAP_* if missing; idempotent across restarts
    and safe when several processes start at once."""
    s = deps.settings
    if not (s.bootstrap_account_id and s.bootstrap_client_id and s.bootstrap_client_secret):
        return None
    email = s.bootstrap_user_email or "owner@moot.local"
    if await deps.store.get_account(s.bootstrap_account_id) is None:
        with contextlib.suppress(DuplicateKey):
            await create_account(
                deps,
                owner_email=email,
                name="Bootstrap account",
                account_id=s.bootstrap_account_id,
                plan=s.bootstrap_plan,
                rate_limits=s.bootstrap_rate_limits,
            )
    if await deps.store.get_app(s.bootstrap_client_id) is None:
        with contextlib.suppress(DuplicateKey):
            await create_app(
                deps,
                account_id=s.bootstrap_account_id,
                name="Bootstrap app",
                client_id=s.bootstrap_client_id,
                client_secret=s.bootstrap_client_secret,
            )
    if s.bootstrap_webhook_url:
        await _bootstrap_webhook(deps, s.bootstrap_client_id)
    return Credentials(s.bootstrap_account_id, s.bootstrap_client_id, s.bootstrap_client_secret, email)


async def _bootstrap_webhook(deps: Deps, client_id: str) -> None:
    """Give the bootstrap app MOOT_BOOTSTRAP_WEBHOOK_*; a changed endpoint waits for the dispatcher's
    URL-validation challenge (the receiver need not be up before moot)."""
    s = deps.settings
    assert s.bootstrap_webhook_url is not None
    if not s.bootstrap_webhook_secret:
        raise BootstrapError(
            "MOOT_BOOTSTRAP_WEBHOOK_URL needs MOOT_BOOTSTRAP_WEBHOOK_SECRET (its secret token)"
        )
    try:
        events = parse_events(s.bootstrap_webhook_events)
    except UnknownEvents as exc:
        raise BootstrapError(f"MOOT_BOOTSTRAP_WEBHOOK_EVENTS: {exc}") from None
    app = await deps.store.get_app(client_id)
    assert app is not None
    current = app.webhook
    if current is not None and (current.url, current.secret_token) == (
        s.bootstrap_webhook_url,
        s.bootstrap_webhook_secret,
    ):
        if current.events != events:
            app.webhook = replace(current, events=events)
            async with deps.store.write() as tx:
                await tx.update_app(app)
        return
    app.webhook = WebhookEndpoint(s.bootstrap_webhook_url, s.bootstrap_webhook_secret, events)
    async with deps.store.write() as tx:
        await tx.update_app(app)


async def ensure_demo(deps: Deps) -> Credentials | None:
    """On a database with no account at all, create the demo account and write its credentials file."""
    if await deps.store.count_accounts() > 0:
        return None
    account, owner = await create_account(deps, owner_email="owner@moot.local", name="Demo account")
    app, secret = await create_app(deps, account_id=account.id, name="Demo app")
    credentials = Credentials(account.id, app.client_id, secret, owner.email)
    write_credentials(deps.settings.credentials_path, credentials)
    return credentials


def write_credentials(path: Path, credentials: Credentials) -> None:
    """Write the credentials file readable by its owner only (the database keeps only a hash)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(credentials), handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o600)


def read_credentials(path: Path) -> Credentials | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return Credentials(**data)
