"""Rows <-> domain objects, and the meeting-list query, shared by every SQL backend.

Instants are stored as ``YYYY-MM-DDTHH:MM:SSZ`` text (sortable and identical on both databases);
what no query filters on lives in a JSON ``doc`` column.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import orjson

from moot.domain.accounts import Account, App, AppType, Plan, WebhookEndpoint
from moot.domain.listing import HISTORY_WINDOW, ListType, MeetingQuery
from moot.domain.meetings import DEFAULT_SETTINGS, Meeting, MeetingStatus, MeetingType, Passcodes
from moot.domain.oauth import AuthorizationCode, Grant, RefreshToken
from moot.domain.recurrence import Occurrence, OccurrenceStatus
from moot.domain.times import format_zoom, parse_zoom
from moot.domain.users import User, UserStatus, UserType

ACCOUNT_COLUMNS = "id, name, plan, created_at, rate_limits"
USER_COLUMNS = "id, account_id, email, email_lower, status, created_at, doc"
APP_COLUMNS = "client_id, account_id, user_id, created_at, doc"
MEETING_COLUMNS = (
    "id, account_id, host_id, type, status, sort_time, end_time, expires_at, created_at, deleted_at, doc"
)


def _opt_time(value: datetime | None) -> str | None:
    return format_zoom(value) if value is not None else None


def _parse_opt(value: str | None) -> datetime | None:
    return parse_zoom(value) if value is not None else None


def account_row(account: Account) -> tuple[Any, ...]:
    return (
        account.id,
        account.name,
        account.plan.value,
        format_zoom(account.created_at),
        account.rate_limits,
    )


UPDATE_ACCOUNT = "UPDATE accounts SET name = ?, plan = ?, rate_limits = ? WHERE id = ?"


def account_update_params(account: Account) -> tuple[Any, ...]:
    return (account.name, account.plan.value, account.rate_limits, account.id)


def account_from_row(row: Any) -> Account:
    return Account(
        id=row[0], name=row[1], plan=Plan(row[2]), created_at=parse_zoom(row[3]), rate_limits=row[4]
    )


def user_row(user: User) -> tuple[Any, ...]:
    doc = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "type": int(user.type),
        "role_id": user.role_id,
        "pmi": user.pmi,
        "timezone": user.timezone,
        "language": user.language,
        "password_hash": user.password_hash,
    }
    return (
        user.id,
        user.account_id,
        user.email,
        user.email.lower(),
        user.status.value,
        format_zoom(user.created_at),
        orjson.dumps(doc).decode(),
    )


def user_from_row(row: Any) -> User:
    doc = orjson.loads(row[6])
    return User(
        id=row[0],
        account_id=row[1],
        email=row[2],
        status=UserStatus(row[4]),
        created_at=parse_zoom(row[5]),
        first_name=doc["first_name"],
        last_name=doc["last_name"],
        display_name=doc["display_name"],
        type=UserType(doc["type"]),
        role_id=doc["role_id"],
        pmi=doc["pmi"],
        timezone=doc["timezone"],
        language=doc["language"],
        password_hash=doc.get("password_hash"),
    )


def app_row(app: App) -> tuple[Any, ...]:
    doc: dict[str, Any] = {
        "name": app.name,
        "type": app.type.value,
        "secret_hash": app.secret_hash,
        "scopes": list(app.scopes),
    }
    if app.redirect_uris:
        doc["redirect_uris"] = list(app.redirect_uris)
    if app.webhook is not None:
        doc["webhook"] = _webhook_doc(app.webhook)
    return (
        app.client_id,
        app.account_id,
        app.user_id,
        format_zoom(app.created_at),
        orjson.dumps(doc).decode(),
    )


def app_from_row(row: Any) -> App:
    doc = orjson.loads(row[4])
    return App(
        client_id=row[0],
        account_id=row[1],
        user_id=row[2],
        created_at=parse_zoom(row[3]),
        name=doc["name"],
        type=AppType(doc["type"]),
        secret_hash=doc["secret_hash"],
        scopes=tuple(doc["scopes"]),
        redirect_uris=tuple(doc.get("redirect_uris", ())),
        webhook=_webhook_from_doc(doc["webhook"]) if "webhook" in doc else None,
    )


UPDATE_APP = "UPDATE apps SET doc = ? WHERE client_id = ?"
SELECT_ACCOUNT_APPS = f"SELECT {APP_COLUMNS} FROM apps WHERE account_id = ? ORDER BY created_at, client_id"
SELECT_ALL_APPS = f"SELECT {APP_COLUMNS} FROM apps ORDER BY created_at, client_id"


def app_update_params(app: App) -> tuple[Any, ...]:
    row = app_row(app)
    return (row[4], row[0])


def _webhook_doc(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "secret_token": endpoint.secret_token,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "validated_at": _opt_time(endpoint.validated_at),
        "last_error": endpoint.last_error,
    }


def _webhook_from_doc(doc: dict[str, Any]) -> WebhookEndpoint:
    return WebhookEndpoint(
        url=doc["url"],
        secret_token=doc["secret_token"],
        events=tuple(doc["events"]),
        active=doc["active"],
        validated_at=_parse_opt(doc["validated_at"]),
        last_error=doc["last_error"],
    )


# A meeting's settings are stored as their difference from a numbered set of defaults (most of the
# ~50 settings keep their default), which keeps rows a third of the size. Should the defaults ever
# change, the old set stays here under its number so stored meetings keep the settings they had.
SETTINGS_BASES: dict[int, dict[str, Any]] = {1: DEFAULT_SETTINGS}
SETTINGS_BASE = 1
_ABSENT = object()


def settings_delta(settings: dict[str, Any]) -> dict[str, Any]:
    base = SETTINGS_BASES[SETTINGS_BASE]
    return {k: v for k, v in settings.items() if base.get(k, _ABSENT) != v}


_OCCURRENCE_STATUS = {status.value: status for status in OccurrenceStatus}
_new = tuple.__new__  # builds an Occurrence without the NamedTuple's Python-level constructor
# Stored value -> member by one dict lookup (calling the enum class costs several times that).
_MEETING_TYPE = {kind.value: kind for kind in MeetingType}
_MEETING_STATUS = {status.value: status for status in MeetingStatus}


def meeting_row(meeting: Meeting) -> tuple[Any, ...]:
    doc: dict[str, Any] = {
        "uuid": meeting.uuid,
        "host_email": meeting.host_email,
        "topic": meeting.topic,
        "start_time": _opt_time(meeting.start_time),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "password": meeting.passcodes.password,
        "h323_password": meeting.passcodes.h323_password,
        "pstn_password": meeting.passcodes.pstn_password,
        "encrypted_password": meeting.passcodes.encrypted_password,
        "settings": settings_delta(meeting.settings),
        "settings_base": SETTINGS_BASE,
        "pre_schedule": meeting.pre_schedule,
        "recurrence": meeting.recurrence,
        "tracking_fields": meeting.tracking_fields,
        "assistant_id": meeting.assistant_id,
        "pmi": meeting.pmi,
    }
    if meeting.occurrences:
        # Each as [occurrence_id, start, duration, status]; a StrEnum status is a str: stored as its text.
        doc["occurrences"] = [list(o) for o in meeting.occurrences]
    return (
        meeting.id,
        meeting.account_id,
        meeting.host_id,
        int(meeting.type),
        meeting.status.value,
        format_zoom(meeting.sort_time),
        format_zoom(meeting.end_time),
        _opt_time(meeting.expires_at),
        format_zoom(meeting.created_at),
        _opt_time(meeting.deleted_at),
        orjson.dumps(doc).decode(),
    )


def meeting_from_row(row: Any) -> Meeting:
    doc = orjson.loads(row[10])
    return Meeting(
        id=row[0],
        account_id=row[1],
        host_id=row[2],
        type=_MEETING_TYPE[row[3]],
        status=_MEETING_STATUS[row[4]],
        created_at=parse_zoom(row[8]),
        deleted_at=_parse_opt(row[9]),
        uuid=doc["uuid"],
        host_email=doc["host_email"],
        topic=doc["topic"],
        start_time=_parse_opt(doc["start_time"]),
        duration=doc["duration"],
        timezone=doc["timezone"],
        agenda=doc["agenda"],
        passcodes=Passcodes(
            doc["password"], doc["h323_password"], doc["pstn_password"], doc["encrypted_password"]
        ),
        settings={**SETTINGS_BASES[doc["settings_base"]], **doc["settings"]},
        pre_schedule=doc["pre_schedule"],
        recurrence=doc["recurrence"],
        tracking_fields=doc["tracking_fields"],
        assistant_id=doc["assistant_id"],
        pmi=doc["pmi"],
        occurrences=[
            _new(Occurrence, (oid, start, duration, _OCCURRENCE_STATUS[status]))
            for oid, start, duration, status in doc.get("occurrences", ())
        ],
    )


def meeting_list_filter(query: MeetingQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (``?`` placeholders) selecting what the query lists, before paging."""
    now = format_zoom(query.now)
    # Every column here is in the covering index ix_meetings_host_list: pages and counts never read rows.
    clauses = ["host_id = ?", "account_id = ?", "deleted_at IS NULL", "type <> 1"]
    params: list[Any] = [query.host_id, query.account_id]
    not_expired = "(expires_at IS NULL OR expires_at > ?)"
    kind = query.list_type
    if kind is ListType.SCHEDULED:
        clauses.append(not_expired)
        params.append(now)
    elif kind is ListType.LIVE:
        clauses.append("status = 'started'")
    elif kind in (ListType.UPCOMING, ListType.UPCOMING_MEETINGS):
        clauses.append(f"(status = 'started' OR end_time >= ? OR type = 3) AND {not_expired}")
        params.extend([now, now])
    else:
        clauses.append("type IN (2, 8) AND sort_time < ? AND sort_time >= ?")
        params.extend([now, format_zoom(query.now - HISTORY_WINDOW)])
    # from/to select what overlaps those days: a series by any of its occurrences.
    if query.from_date is not None:
        clauses.append("end_time >= ?")
        params.append(format_zoom(datetime.combine(query.from_date, time(), query.dates_zone)))
    if query.to_date is not None:
        clauses.append("sort_time < ?")
        params.append(
            format_zoom(datetime.combine(query.to_date + timedelta(days=1), time(), query.dates_zone))
        )
    return " AND ".join(clauses), params


def meeting_page_sql(query: MeetingQuery) -> tuple[str, list[Any], str, list[Any]]:
    """(page SQL, its params, count SQL, its params), with ``?`` placeholders."""
    where, params = meeting_list_filter(query)
    count_sql = f"SELECT COUNT(*) FROM meetings WHERE {where}"
    page_where = where
    page_params = list(params)
    if query.after is not None:
        # sort_time >= ? first: a range on ix_meetings_host_list, so a deep page seeks instead of scanning.
        page_where += " AND sort_time >= ? AND (sort_time > ? OR id > ?)"
        page_params.extend([query.after.sort_time, query.after.sort_time, query.after.meeting_id])
    page_sql = (
        f"SELECT {MEETING_COLUMNS} FROM meetings WHERE {page_where} ORDER BY sort_time, id LIMIT ? OFFSET ?"
    )
    page_params.extend([query.page_size, query.offset])
    return page_sql, page_params, count_sql, params


# User OAuth (domain.oauth): grants, authorization codes and refresh tokens.
GRANT_COLUMNS = "id, client_id, account_id, user_id, scopes, created_at, revoked_at"
CODE_COLUMNS = "code_hash, grant_id, redirect_uri, code_challenge, expires_at, used_at"
REFRESH_COLUMNS = "token_hash, grant_id, expires_at, used_at"
SELECT_GRANT = f"SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE id = ?"
SELECT_CODE = f"SELECT {CODE_COLUMNS} FROM oauth_codes WHERE code_hash = ?"
SELECT_REFRESH = f"SELECT {REFRESH_COLUMNS} FROM oauth_refresh_tokens WHERE token_hash = ?"
# Single use: the conditional UPDATE is the check; one row changed means this caller spent it.
SPEND_CODE = "UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"
SPEND_REFRESH = "UPDATE oauth_refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
REVOKE_GRANT = "UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"


def grant_row(grant: Grant) -> tuple[Any, ...]:
    return (
        grant.id,
        grant.client_id,
        grant.account_id,
        grant.user_id,
        " ".join(grant.scopes),
        format_zoom(grant.created_at),
        _opt_time(grant.revoked_at),
    )


def grant_from_row(row: Any) -> Grant:
    return Grant(
        id=row[0],
        client_id=row[1],
        account_id=row[2],
        user_id=row[3],
        scopes=tuple(row[4].split()),
        created_at=parse_zoom(row[5]),
        revoked_at=_parse_opt(row[6]),
    )


def code_row(code: AuthorizationCode) -> tuple[Any, ...]:
    return (
        code.code_hash,
        code.grant_id,
        code.redirect_uri,
        code.code_challenge,
        format_zoom(code.expires_at),
        _opt_time(code.used_at),
    )


def code_from_row(row: Any) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=row[0],
        grant_id=row[1],
        redirect_uri=row[2],
        code_challenge=row[3],
        expires_at=parse_zoom(row[4]),
        used_at=_parse_opt(row[5]),
    )


def refresh_row(token: RefreshToken) -> tuple[Any, ...]:
    return (token.token_hash, token.grant_id, format_zoom(token.expires_at), _opt_time(token.used_at))


def refresh_from_row(row: Any) -> RefreshToken:
    return RefreshToken(
        token_hash=row[0], grant_id=row[1], expires_at=parse_zoom(row[2]), used_at=_parse_opt(row[3])
    )
