"""Registrant rows <-> registrants, and the registrant-list query, shared by every SQL backend.

``occurrence_ids`` is a column so that a list can filter on it with ``LIKE`` on either database: ``""``
for a registrant of every occurrence, else ``",id1,id2,"``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson

from moot.domain.registrants import Registrant, RegistrantStatus
from moot.domain.times import format_zoom, parse_zoom

REGISTRANT_COLUMNS = "id, meeting_id, account_id, email_lower, status, occurrence_ids, created_at, doc"
# What an update may change; the rest of a registrant is fixed when it registers.
REGISTRANT_UPDATE = (
    "UPDATE registrants SET status = ?, occurrence_ids = ?, doc = ? WHERE id = ? AND meeting_id = ?"
)
REGISTRANT_DELETE = "DELETE FROM registrants WHERE id = ? AND meeting_id = ?"
REGISTRANT_GET = f"SELECT {REGISTRANT_COLUMNS} FROM registrants WHERE id = ? AND meeting_id = ?"
# The newest registrant with an email: the only one that can still be live (see docs/registrants.md).
REGISTRANT_BY_EMAIL = (
    f"SELECT {REGISTRANT_COLUMNS} FROM registrants WHERE meeting_id = ? AND email_lower = ? "
    "ORDER BY created_at DESC, id DESC LIMIT 1"
)

_STATUSES = {status.value: status for status in RegistrantStatus}


def _occurrence_column(occurrence_ids: tuple[str, ...]) -> str:
    return f",{','.join(occurrence_ids)}," if occurrence_ids else ""


def registrant_row(registrant: Registrant) -> tuple[Any, ...]:
    doc: dict[str, Any] = {
        "email": registrant.email,
        "first_name": registrant.first_name,
        "token": registrant.token,
        "pin": registrant.pin_code,
        "profile": registrant.profile,
        "questions": registrant.custom_questions,
        "language": registrant.language,
    }
    return (
        registrant.id,
        registrant.meeting_id,
        registrant.account_id,
        registrant.email_lower,
        registrant.status.value,
        _occurrence_column(registrant.occurrence_ids),
        format_zoom(registrant.created_at),
        orjson.dumps(doc).decode(),
    )


def update_params(registrant: Registrant) -> tuple[Any, ...]:
    row = registrant_row(registrant)
    return (row[4], row[5], row[7], row[0], row[1])


def registrant_from_row(row: Any) -> Registrant:
    doc = orjson.loads(row[7])
    occurrences: str = row[5]
    return Registrant(
        id=row[0],
        meeting_id=row[1],
        account_id=row[2],
        status=_STATUSES[row[4]],
        occurrence_ids=tuple(occurrences.strip(",").split(",")) if occurrences else (),
        created_at=parse_zoom(row[6]),
        email=doc["email"],
        first_name=doc["first_name"],
        token=doc["token"],
        pin_code=doc["pin"],
        profile=doc["profile"],
        custom_questions=doc["questions"],
        language=doc["language"],
    )


def _like_literal(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def count_sql(statuses: Collection[RegistrantStatus]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in statuses)
    return (
        f"SELECT COUNT(*) FROM registrants WHERE meeting_id = ? AND status IN ({marks})",
        [status.value for status in statuses],
    )


def list_sql(
    meeting_id: int,
    status: RegistrantStatus,
    occurrence_id: str | None,
    limit: int,
    offset: int,
    *,
    id_order: str,
) -> tuple[str, list[Any], str, list[Any]]:
    """(page SQL, its params, count SQL, its params), ``?`` placeholders; ``id_order`` is how the
    backend orders ids byte-wise (ties on created_at)."""
    where = "meeting_id = ? AND status = ?"
    params: list[Any] = [meeting_id, status.value]
    if occurrence_id is not None:
        where += " AND (occurrence_ids = '' OR occurrence_ids LIKE ? ESCAPE '!')"
        params.append(f"%,{_like_literal(occurrence_id)},%")
    page = (
        f"SELECT {REGISTRANT_COLUMNS} FROM registrants WHERE {where} "
        f"ORDER BY created_at, {id_order} LIMIT ? OFFSET ?"
    )
    return page, [*params, limit, offset], f"SELECT COUNT(*) FROM registrants WHERE {where}", params
