"""Request body of ``POST /users`` (contract.md §1, operation userCreate)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from moot.domain.meeting_requests import Email, PageNumber
from moot.domain.users import UserType
from moot.domain.validation import ZoomInput


def _user_type(value: int) -> int:
    if value not in {t.value for t in UserType}:
        raise ValueError("Invalid field.")
    return value


def _password(value: str) -> str:
    if not (8 <= len(value) <= 32) or value.isdigit() or value.isalpha():
        raise ValueError("Password must be 8 to 32 characters with at least one letter and one number.")
    return value


Name = Annotated[str, StringConstraints(max_length=64)]


class UserInfoInput(ZoomInput):
    email: Email
    type: Annotated[int, AfterValidator(_user_type)]
    first_name: Name | None = None
    last_name: Name | None = None
    display_name: Annotated[str, StringConstraints(max_length=128)] | None = None
    password: Annotated[str, AfterValidator(_password)] | None = None


class UserCreateInput(ZoomInput):
    action: Literal["create", "autoCreate", "custCreate", "ssoCreate"]
    user_info: UserInfoInput


class ListUsersQuery(ZoomInput):
    """Query of ``GET /users``."""

    status: Literal["active", "inactive", "pending"] | None = None
    page_size: int | None = Field(default=None, ge=1)
    page_number: PageNumber | None = None
    next_page_token: Annotated[str, StringConstraints(max_length=2048)] | None = None
