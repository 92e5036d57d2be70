"""A ``requests`` transport adapter that hands requests to an in-process moot (used by ``mock_zoom``).

Only imported where ``requests`` is installed: moot does not depend on it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse

if TYPE_CHECKING:
    from moot.testing.inprocess import InProcessMoot


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if hasattr(body, "read"):
        return _body(body.read())
    if isinstance(body, Iterable):
        return b"".join(_body(chunk) for chunk in body)
    raise TypeError(f"cannot send a body of type {type(body).__name__}")


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("latin-1")


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return None if timeout is None else float(timeout)


class MootAdapter(HTTPAdapter):
    def __init__(self, moot: InProcessMoot) -> None:
        super().__init__()
        self.moot = moot

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        outgoing = httpx.Request(
            request.method or "GET",
            request.url or "",
            headers=[(name, _text(value)) for name, value in request.headers.items()],
            content=_body(request.body),
            extensions={"timeout": {"read": _read_timeout(timeout)}},
        )
        try:
            answer = self.moot.handle(outgoing)
        except httpx.TimeoutException as exc:
            raise requests.exceptions.ReadTimeout(exc, request=request) from None
        except httpx.TransportError as exc:  # a fault rule's dropped connection
            raise requests.exceptions.ConnectionError(exc, request=request) from None
        headers = HTTPHeaderDict()
        for name, value in answer.headers.multi_items():
            headers.add(name, value)
        raw = HTTPResponse(
            body=io.BytesIO(b"".join(answer.iter_raw())),
            headers=headers,
            status=answer.status_code,
            reason=answer.reason_phrase,
            preload_content=False,
            decode_content=False,
            request_method=request.method,
            request_url=request.url,
        )
        return self.build_response(request, raw)
