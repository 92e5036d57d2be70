"""Zoom users: who hosts meetings, and how a user looks on the wire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from moot.domain.times import format_zoom


class UserType(IntEnum):
    BASIC = 1
    LICENSED = 2
    NONE = 99


class UserStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


class CreateAction(StrEnum):
    CREATE = "create"
    AUTO_CREATE = "autoCreate"
    CUST_CREATE = "custCreate"
    SSO_CREATE = "ssoCreate"


OWNER_ROLE_ID = "0"
MEMBER_ROLE_ID = "2"
_ROLE_NAMES = {OWNER_ROLE_ID: "Owner", "1": "Admin", MEMBER_ROLE_ID: "Member"}


@dataclass(slots=True)
class User:
    id: str
    account_id: str
    email: str
    first_name: str
    last_name: str
    display_name: str
    type: UserType
    status: UserStatus
    role_id: str
    pmi: int
    timezone: str
    language: str
    created_at: datetime
    password_hash: str | None = None

    @property
    def role_name(self) -> str:
        return _ROLE_NAMES.get(self.role_id, "Member")


def status_after_create(action: CreateAction) -> UserStatus:
    """``create`` sends a confirmation email, so the user stays pending until it is accepted;
    the other actions create active users."""
    return UserStatus.PENDING if action is CreateAction.CREATE else UserStatus.ACTIVE


def user_to_wire(user: User, *, account_number: int, base_url: str) -> dict[str, Any]:
    created = format_zoom(user.created_at)
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": int(user.type),
        "role_name": user.role_name,
        "pmi": user.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"{base_url}/j/{user.pmi}",
        "timezone": user.timezone,
        "verified": 1 if user.status is UserStatus.ACTIVE else 0,
        "dept": "",
        "created_at": created,
        "user_created_at": created,
        "last_login_time": created,
        "last_client_version": "",
        "pic_url": "",
        "language": user.language,
        "phone_number": "",
        "status": user.status.value,
        "role_id": user.role_id,
        "account_id": user.account_id,
        "account_number": account_number,
        "cluster": "us06",
        "jid": f"{user.id.lower()}@xmpp.zoom.us",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
        "employee_unique_id": "",
    }


# What GET /users shows of each user, in Zoom's order (a subset of GET /users/{userId}).
_LIST_ITEM_KEYS = (
    "id",
    "first_name",
    "last_name",
    "display_name",
    "email",
    "type",
    "pmi",
    "timezone",
    "verified",
    "dept",
    "created_at",
    "user_created_at",
    "last_login_time",
    "last_client_version",
    "language",
    "phone_number",
    "status",
    "role_id",
    "group_ids",
    "im_group_ids",
    "employee_unique_id",
)


def user_list_item(user: User) -> dict[str, Any]:
    full = user_to_wire(user, account_number=0, base_url="")
    item = {key: full[key] for key in _LIST_ITEM_KEYS}
    if user.status is UserStatus.PENDING:  # the spec: "not returned for pending users"
        del item["id"]
    return item
