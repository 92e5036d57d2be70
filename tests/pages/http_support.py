"""In-process page tests: the app on httpx's ASGI transport, with one tenant, reading CSRF tokens out of
the pages as a browser would."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx

from tests.support.api import ZoomApi
from tests.support.lifecycle import create, get

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def page_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers.get(name, "") for name in PAGE_HEADERS}


def csrf_token(html: str, form_id: str | None = None) -> str:
    """The CSRF token of the form ``form_id`` (or of the first form)."""
    start = html.index(f'id="{form_id}"') if form_id else 0
    found = re.search(r'name="csrf_token" value="([^"]+)"', html[start:])
    assert found, html
    return unescape(found.group(1))


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, html
    return unescape(found.group(1)).strip()


async def meeting(api: ZoomApi, **fields: Any) -> dict[str, Any]:
    body = {
        "topic": "Standup",
        "type": 2,
        "start_time": "2026-01-15T12:00:00Z",
        "duration": 30,
        "timezone": "Europe/Paris",
        **fields,
    }
    return await create(api, **body)


async def start_link(api: ZoomApi, meeting_id: int) -> str:
    return str((await get(api, meeting_id))["start_url"])
