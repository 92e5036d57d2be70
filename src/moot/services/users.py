"""User operations: user, users, userCreate; and resolving ``{userId}`` (``me``, an id or an email)."""

from __future__ import annotations

from typing import Any

from moot.domain import ids
from moot.domain.accounts import account_number
from moot.domain.errors import EmailAlreadyUsed, UserNotFound
from moot.domain.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from moot.domain.user_requests import UserCreateInput
from moot.domain.users import (
    MEMBER_ROLE_ID,
    CreateAction,
    User,
    UserStatus,
    UserType,
    status_after_create,
    user_list_item,
    user_to_wire,
)
from moot.services import pagination
from moot.services.context import Deps, Principal
from moot.services.secrets import hash_password
from moot.storage.base import DuplicateKey

DEFAULT_TIMEZONE = "UTC"


async def resolve_user(deps: Deps, principal: Principal, user_ref: str) -> User:
    """The user a ``{userId}`` path segment names, within the caller's account."""
    if user_ref == "me":
        user = await deps.store.get_user(principal.account_id, principal.user_id)
    elif "@" in user_ref:
        user = await deps.store.get_user_by_email(principal.account_id, user_ref)
    else:
        user = await deps.store.get_user(principal.account_id, user_ref)
    if user is None:
        raise UserNotFound(user_id=user_ref)
    principal.check_reach(user.id)
    return user


async def get_user(deps: Deps, principal: Principal, user_ref: str) -> dict[str, Any]:
    user = await resolve_user(deps, principal, user_ref)
    return user_to_wire(user, account_number=account_number(user.account_id), base_url=deps.settings.base_url)


def new_user(
    deps: Deps,
    *,
    account_id: str,
    email: str,
    user_type: UserType = UserType.LICENSED,
    status: UserStatus = UserStatus.ACTIVE,
    role_id: str = MEMBER_ROLE_ID,
    first_name: str = "",
    last_name: str = "",
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    return User(
        id=ids.user_id(),
        account_id=account_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        display_name=display_name if display_name is not None else f"{first_name} {last_name}".strip(),
        type=user_type,
        status=status,
        role_id=role_id,
        pmi=ids.personal_meeting_id(),
        timezone=DEFAULT_TIMEZONE,
        language="en-US",
        created_at=deps.clock.now(),
        password_hash=hash_password(password) if password else None,
    )


async def insert_user(deps: Deps, user: User) -> None:
    try:
        async with deps.store.write() as tx:
            await tx.insert_user(user)
    except DuplicateKey:
        raise EmailAlreadyUsed(email=user.email) from None


async def create_user(deps: Deps, principal: Principal, body: UserCreateInput) -> dict[str, Any]:
    info = body.user_info
    user = new_user(
        deps,
        account_id=principal.account_id,
        email=info.email,
        user_type=UserType(info.type),
        status=status_after_create(CreateAction(body.action)),
        first_name=info.first_name or "",
        last_name=info.last_name or "",
        display_name=info.display_name,
        password=info.password,
    )
    await insert_user(deps, user)
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "type": int(user.type),
    }


async def list_users(
    deps: Deps,
    principal: Principal,
    *,
    status: UserStatus | None,
    page_size: int | None,
    page_number: int | None,
    next_page_token: str | None,
) -> dict[str, Any]:
    if next_page_token:
        state = pagination.decode(deps, "users", next_page_token)
        status, page_size, page_number = UserStatus(state["s"]), state["n"], state["p"] + 1
    status = status or UserStatus.ACTIVE
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    number = page_number or 1
    users, total = await deps.store.list_users(principal.account_id, status, size, (number - 1) * size)
    token = ""
    if number < pagination.page_count(total, size):
        token = pagination.encode(deps, "users", {"s": status.value, "n": size, "p": number})
    items = [user_list_item(u) for u in users]
    return pagination.envelope("users", items, size=size, number=number, total=total, token=token)
