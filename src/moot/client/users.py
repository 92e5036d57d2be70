"""``client.users``: user, users and userCreate (contract.md §1.3)."""

from __future__ import annotations

from typing import Any, Literal, Unpack, cast

from moot.client.calls import Call, jsonable, segment
from moot.client.engine import AsyncEngine, SyncEngine
from moot.client.models import User, UserCreateAction, UserCreated, UserInfo, UserListItem
from moot.client.pages import AsyncPages, Pages

UserStatus = Literal["active", "inactive", "pending"]


def get_call(user_id: str) -> Call:
    return Call("GET", f"/users/{segment(user_id)}")


def list_call(params: dict[str, Any]) -> Call:
    return Call("GET", "/users", params)


def create_call(action: UserCreateAction, info: UserInfo) -> Call:
    return Call("POST", "/users", json=jsonable({"action": action, "user_info": info}))


class Users:
    """Users of the account (``client.users``)."""

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine

    def get(self, user_id: str = "me") -> User:
        """``GET /users/{userId}``: ``me``, a user id or an email."""
        return cast(User, self._engine.execute(get_call(user_id)))

    def list(
        self,
        *,
        status: UserStatus | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> Pages[UserListItem]:
        """``GET /users``, every page (from ``page_number`` on, if given); ``status`` defaults to
        ``active``."""
        params = {"status": status, "page_size": page_size, "page_number": page_number}
        return Pages(self._engine, list_call(params), "users")

    def create(self, action: UserCreateAction = "create", **user_info: Unpack[UserInfo]) -> UserCreated:
        """``POST /users`` → 201. ``email`` and ``type`` are required. Never retried."""
        return cast(UserCreated, self._engine.execute(create_call(action, user_info)))


class AsyncUsers:
    """Users of the account (async); see :class:`Users`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, user_id: str = "me") -> User:
        """``GET /users/{userId}``."""
        return cast(User, await self._engine.execute(get_call(user_id)))

    def list(
        self,
        *,
        status: UserStatus | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> AsyncPages[UserListItem]:
        """``GET /users`` as an async iterator."""
        params = {"status": status, "page_size": page_size, "page_number": page_number}
        return AsyncPages(self._engine, list_call(params), "users")

    async def create(self, action: UserCreateAction = "create", **user_info: Unpack[UserInfo]) -> UserCreated:
        """``POST /users`` → 201. Never retried."""
        return cast(UserCreated, await self._engine.execute(create_call(action, user_info)))
