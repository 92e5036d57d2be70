"""Which OAuth scopes each operation accepts (contract.md §1), and how far each reaches.

Every operation accepts a classic scope (``meeting:write``) and a granular one (``meeting:write:meeting``).
The ``:admin`` form of either reaches every user of the account; the plain form reaches only the token's
own user (``me``).
"""

from __future__ import annotations

from dataclasses import dataclass

from moot.domain.errors import MissingScopes


@dataclass(frozen=True, slots=True)
class ScopeRule:
    admin: frozenset[str]
    own: frozenset[str]
    listed: tuple[str, ...]  # what a 4711 names, as Zoom does: the granular scopes, admin first


def _rule(
    classic: str, granular: str, *, own_only: tuple[str, ...] = (), admin_only: bool = False
) -> ScopeRule:
    admin = frozenset({f"{classic}:admin", f"{granular}:admin"})
    own = frozenset() if admin_only else frozenset({classic, granular, *own_only})
    listed = (f"{granular}:admin",) if admin_only else (f"{granular}:admin", granular)
    return ScopeRule(admin, own, listed)


RULES: dict[str, ScopeRule] = {
    "meetingCreate": _rule("meeting:write", "meeting:write:meeting"),
    "meeting": _rule("meeting:read", "meeting:read:meeting"),
    "meetings": _rule("meeting:read", "meeting:read:list_meetings"),
    "meetingUpdate": _rule("meeting:write", "meeting:update:meeting"),
    "meetingDelete": _rule("meeting:write", "meeting:delete:meeting"),
    "meetingStatus": _rule("meeting:write", "meeting:update:status"),
    "meetingRegistrantCreate": _rule("meeting:write", "meeting:write:registrant"),
    "meetingRegistrants": _rule("meeting:read", "meeting:read:list_registrants"),
    "meetingRegistrantStatus": _rule("meeting:write", "meeting:update:registrant_status"),
    "meetingRegistrantGet": _rule("meeting:read", "meeting:read:registrant"),
    "meetingregistrantdelete": _rule("meeting:write", "meeting:delete:registrant"),
    "meetingInvitation": _rule("meeting:read", "meeting:read:invitation"),
    "meetingIcs": _rule("meeting:read", "meeting:read:invitation"),
    "pastMeetingDetails": _rule("meeting:read", "meeting:read:past_meeting"),
    "pastMeetings": _rule("meeting:read", "meeting:read:list_past_instances"),
    "pastMeetingParticipants": _rule("meeting:read", "meeting:read:list_past_participants"),
    "user": _rule("user:read", "user:read:user", own_only=("user_info:read",)),
    "users": _rule("user:read", "user:read:list_users", admin_only=True),
    "userCreate": _rule("user:write", "user:write:user", admin_only=True),
}


def reach(operation: str, granted: tuple[str, ...]) -> tuple[str, ...]:
    """Check ``granted`` against the operation: () when it reaches every user of the account; the admin
    scopes it lacks when it reaches only the token's own user. Raises MissingScopes otherwise."""
    rule = RULES[operation]
    scopes = set(granted)
    if not rule.admin.isdisjoint(scopes):
        return ()
    if not rule.own.isdisjoint(scopes):
        return (rule.listed[0],)
    raise MissingScopes(scopes=", ".join(rule.listed))
