"""Seed data: accounts (with their plan), users, apps (with webhook endpoints), meetings and registrants.

The format is the same in a seed file (``moot emulate --data seed.yaml``, YAML or JSON) and in the body of
``POST /moot/api/seed``; see docs/emulator.md. Meetings and registrants are Zoom's own create bodies, made
by the same code as ``POST /users/{userId}/meetings`` and ``POST /meetings/{id}/registrants``. Seeding
sends no webhook events: seed data is the world as it already was, not news.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from moot.domain import ids
from moot.domain.accounts import ALL_SCOPES, AppType, Plan, UnknownScopes, WebhookEndpoint, parse_scopes
from moot.domain.errors import FieldError, ValidationFailed, ZoomError
from moot.domain.events import Event, UnknownEvents, parse_events
from moot.domain.meeting_requests import MeetingInput
from moot.domain.oauth import InvalidRedirectUri
from moot.domain.ratelimits import InvalidRateLimitMode, scale_of
from moot.domain.registrant_requests import RegistrantInput, RegistrantRef, RegistrantStatusInput
from moot.domain.users import OWNER_ROLE_ID, User, UserStatus
from moot.domain.validation import field_errors, parse
from moot.services import accounts, meetings, registrants, users
from moot.services.context import Deps, Principal, Wakeup
from moot.storage.base import DuplicateKey, Store, WriteTx

DEFAULT_OWNER_EMAIL = "owner@moot.local"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookSeed(_Strict):
    url: str
    secret: str | None = None
    events: str | list[str] = "all"

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("Must be an http:// or https:// URL.")
        return value


class AppSeed(_Strict):
    name: str = "moot app"
    type: AppType = AppType.SERVER_TO_SERVER
    client_id: str | None = Field(default=None, min_length=1)
    client_secret: str | None = Field(default=None, min_length=1)
    scopes: str | list[str] = "all"
    redirect_uris: list[str] = Field(default_factory=list)
    webhook: WebhookSeed | None = None


class UserSeed(_Strict):
    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    id: str | None = Field(default=None, min_length=1)
    first_name: str = ""
    last_name: str = ""
    password: str | None = None


class RegistrantSeed(BaseModel):
    """Zoom's registrant create body, plus the status it should end up in."""

    model_config = ConfigDict(extra="allow")
    status: Literal["approved", "denied", "cancelled"] | None = None
    occurrence_ids: str | list[str] | None = None


class MeetingSeed(BaseModel):
    """Zoom's meeting create body, plus its host (an email or a user id; the owner by default) and its
    registrants."""

    model_config = ConfigDict(extra="allow")
    host: str | None = None
    registrants: list[RegistrantSeed] = Field(default_factory=list)


class AccountSeed(_Strict):
    id: str | None = Field(default=None, min_length=1)
    name: str = ""
    plan: Plan = Plan.BUSINESS
    rate_limits: str = "zoom"
    owner_email: str = Field(default=DEFAULT_OWNER_EMAIL, pattern=r"^[^@\s]+@[^@\s]+$")
    users: list[UserSeed] = Field(default_factory=list)
    apps: list[AppSeed] = Field(default_factory=list)
    meetings: list[MeetingSeed] = Field(default_factory=list)

    @field_validator("rate_limits", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        """YAML reads an unquoted ``off`` as false."""
        return "off" if value is False else value

    @field_validator("rate_limits")
    @classmethod
    def _mode(cls, value: str) -> str:
        try:
            scale_of(value)
        except InvalidRateLimitMode as exc:
            raise ValueError(str(exc)) from None
        return value


class SeedData(_Strict):
    accounts: list[AccountSeed] = Field(default_factory=list)


def parse_seed(data: Any) -> SeedData:
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("", "The seed must be an object with an accounts list.")])
    try:
        return SeedData.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


# --- writing it ----------------------------------------------------------------------------------------


class _QuietTx:
    """A write transaction that drops webhook events."""

    def __init__(self, tx: WriteTx) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def insert_event(self, event: Event) -> None:
        return None


class _QuietStore:
    """The store, with writes that emit no webhook events."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTx]:
        async with self._store.write() as tx:
            yield cast(WriteTx, _QuietTx(tx))


def quiet(deps: Deps) -> Deps:
    return replace(deps, store=cast(Store, _QuietStore(deps.store)), wakeup=Wakeup())


@asynccontextmanager
async def _at(where: str) -> AsyncIterator[None]:
    """Errors raised inside name the seed entry they came from."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed(
            [FieldError(f"{where}.{e.field}" if e.field else where, e.message) for e in exc.errors]
        ) from None
    except ZoomError as exc:
        raise ValidationFailed([FieldError(where, exc.message)]) from None
    except (UnknownScopes, UnknownEvents, InvalidRedirectUri, InvalidRateLimitMode) as exc:
        raise ValidationFailed([FieldError(where, f"{exc}.")]) from None
    except DuplicateKey:
        raise ValidationFailed([FieldError(where, "Already exists.")]) from None


def _token() -> str:
    return base64.urlsafe_b64encode(ids.random_bytes(16)).rstrip(b"=").decode("ascii")


async def apply_seed(deps: Deps, data: Any) -> dict[str, Any]:
    """Create what ``data`` describes; what was created, with generated ids and secrets. An account
    whose ``id`` exists already gets the users, apps and meetings of its entry added."""
    seed = parse_seed(data)
    deps = quiet(deps)
    created = []
    for i, account in enumerate(seed.accounts):
        created.append(await _account(deps, account, f"accounts[{i}]"))
    return {"accounts": created}


async def _owner(deps: Deps, account_id: str) -> User:
    found, _ = await deps.store.list_users(account_id, UserStatus.ACTIVE, 50, 0)
    for user in found:
        if user.role_id == OWNER_ROLE_ID:
            return user
    raise ValidationFailed([FieldError("id", "The account has no owner.")])


async def _account(deps: Deps, seed: AccountSeed, where: str) -> dict[str, Any]:
    async with _at(where):
        existing = await deps.store.get_account(seed.id) if seed.id else None
        if existing is None:
            account, owner = await accounts.create_account(
                deps,
                owner_email=seed.owner_email,
                name=seed.name,
                plan=seed.plan,
                account_id=seed.id,
                rate_limits=seed.rate_limits,
            )
        else:
            account, owner = existing, await _owner(deps, existing.id)
            changed = seed.model_fields_set & {"plan", "rate_limits"}
            if changed:
                account = await accounts.update_account(
                    deps,
                    account.id,
                    plan=seed.plan if "plan" in changed else None,
                    rate_limits=seed.rate_limits if "rate_limits" in changed else None,
                )
    made: dict[str, Any] = {
        "id": account.id,
        "plan": account.plan.value,
        "rate_limits": account.rate_limits,
        "owner": {"id": owner.id, "email": owner.email},
    }
    made["users"] = [
        await _user(deps, account.id, user, f"{where}.users[{j}]") for j, user in enumerate(seed.users)
    ]
    made["apps"] = [
        await _app(deps, account.id, app, f"{where}.apps[{j}]") for j, app in enumerate(seed.apps)
    ]
    made["meetings"] = [
        await _meeting(deps, owner, meeting, f"{where}.meetings[{j}]")
        for j, meeting in enumerate(seed.meetings)
    ]
    return made


async def _user(deps: Deps, account_id: str, seed: UserSeed, where: str) -> dict[str, Any]:
    async with _at(where):
        user = users.new_user(
            deps,
            account_id=account_id,
            email=seed.email,
            first_name=seed.first_name,
            last_name=seed.last_name,
            password=seed.password,
        )
        if seed.id:
            user = replace(user, id=seed.id)
        await users.insert_user(deps, user)
    return {"id": user.id, "email": user.email}


async def _app(deps: Deps, account_id: str, seed: AppSeed, where: str) -> dict[str, Any]:
    async with _at(where):
        scopes = parse_scopes(seed.scopes if isinstance(seed.scopes, str) else ",".join(seed.scopes))
        app, secret = await accounts.create_app(
            deps,
            account_id=account_id,
            name=seed.name,
            client_id=seed.client_id,
            client_secret=seed.client_secret,
            scopes=scopes or ALL_SCOPES,
            app_type=seed.type,
            redirect_uris=tuple(seed.redirect_uris),
        )
    made: dict[str, Any] = {"client_id": app.client_id, "client_secret": secret, "type": app.type.value}
    if seed.webhook is not None:
        hook = seed.webhook
        async with _at(f"{where}.webhook"):
            events = parse_events(hook.events if isinstance(hook.events, str) else ",".join(hook.events))
            app.webhook = WebhookEndpoint(hook.url, hook.secret or _token(), events)
            async with deps.store.write() as tx:
                await tx.update_app(app)
        made["webhook"] = {"url": hook.url, "secret": app.webhook.secret_token, "events": list(events)}
    return made


async def _meeting(deps: Deps, owner: User, seed: MeetingSeed, where: str) -> dict[str, Any]:
    async with _at(where):
        host = owner
        if seed.host:
            found = (
                await deps.store.get_user_by_email(owner.account_id, seed.host)
                if "@" in seed.host
                else await deps.store.get_user(owner.account_id, seed.host)
            )
            if found is None:
                raise ValidationFailed([FieldError("host", f"No user {seed.host} in the account.")])
            host = found
        principal = Principal(owner.account_id, "", host.id, ALL_SCOPES)
        body = parse(MeetingInput, seed.model_extra or {})
        created = await meetings.create_meeting(deps, principal, host.id, body)
    made: dict[str, Any] = {
        "id": created["id"],
        "uuid": created["uuid"],
        "topic": created["topic"],
        "host_id": created["host_id"],
        "join_url": created["join_url"],
    }
    made["registrants"] = [
        await _registrant(deps, principal, created["id"], registrant, f"{where}.registrants[{k}]")
        for k, registrant in enumerate(seed.registrants)
    ]
    return made


_ACTIONS: dict[str, Literal["approve", "deny", "cancel"]] = {
    "approved": "approve",
    "denied": "deny",
    "cancelled": "cancel",
}


async def _registrant(
    deps: Deps, principal: Principal, meeting_id: int, seed: RegistrantSeed, where: str
) -> dict[str, Any]:
    async with _at(where):
        body = parse(RegistrantInput, seed.model_extra or {})
        wanted = seed.occurrence_ids or []
        occurrence_ids = wanted.split(",") if isinstance(wanted, str) else wanted
        created = await registrants.create_registrant(deps, principal, str(meeting_id), body, occurrence_ids)
        registrant_id = str(created["registrant_id"])
        if seed.status is not None:
            change = RegistrantStatusInput(
                action=_ACTIONS[seed.status], registrants=[RegistrantRef(id=registrant_id)]
            )
            await registrants.update_registrant_status(deps, principal, str(meeting_id), change, None)
    return {"id": registrant_id, "email": body.email}
