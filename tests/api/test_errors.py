"""Errors never leak: unknown routes, wrong methods, oversized bodies and unexpected failures."""

from __future__ import annotations

import logging

import httpx
import pytest

from moot.api.app import create_app
from moot.services.context import Deps
from tests.support.api import BASE_URL, ZoomApi


async def test_an_unknown_route_is_a_zoom_style_404(api: ZoomApi) -> None:
    response = await api.get("/v2/webinars/123")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "The requested resource was not found."},
    )
    assert response.headers["content-type"] == "application/json;charset=UTF-8"


async def test_a_wrong_method_is_405(api: ZoomApi) -> None:
    response = await api.put("/v2/users/me/meetings", json={})
    assert (response.status_code, response.json()) == (405, {"code": 405, "message": "Method Not Allowed."})


async def test_an_oversized_body_is_413(api: ZoomApi) -> None:
    response = await api.post(
        "/v2/users/me/meetings", content=b'{"topic": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    )
    assert (response.status_code, response.json()) == (
        413,
        {"code": 413, "message": "Request Body is too large."},
    )


async def test_every_response_has_a_tracking_id(api: ZoomApi) -> None:
    ids = {
        (await api.get(path)).headers["x-zm-trackingid"]
        for path in ("/v2/users/me", "/nope", "/v2/meetings/1")
    }
    assert len(ids) == 3


async def test_an_unexpected_failure_is_a_json_500_and_logged(
    deps: Deps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(deps.store, "get_user", explode)
    app = create_app(deps.settings, deps=deps)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        zoom = ZoomApi(deps, client)
        zoom.tenant = await zoom.new_tenant()
        with caplog.at_level(logging.ERROR, logger="moot.api"):
            response = await zoom.get("/v2/users/me")
    assert (response.status_code, response.json()) == (
        500,
        {"code": 500, "message": "An internal error occurred. Please try again later."},
    )
    assert "secret internals" not in response.text
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


async def test_health(api: ZoomApi) -> None:
    response = await api.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
