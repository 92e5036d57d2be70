"""Errors never leak: unknown routes, wrong methods, oversized bodies and unexpected failures."""

from __future__ import annotations

import logging

import httpx
import pytest

from moot.api.app import create_app
from moot.services.context import Deps
from tests.support.api import BASE_URL, ZoomApi


async def test_an_unknown_route_is_a_zoom_style_404(api: ZoomApi) -> None:
    # Not one of Zoom's paths: those answer a 404 naming the operation (test_unimplemented.py).
    response = await api.get("/v2/nothing/123")
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


NUL_REJECTED = (
    400,
    {
        "code": 300,
        "message": "Validation Failed.",
        "errors": [{"field": "", "message": "NUL characters are not allowed in paths or query strings."}],
    },
)


@pytest.mark.parametrize("path", ["/v2/users/a%00b", "/v2/users/me/meetings?type=%00", "/v2/meetings/1%00"])
async def test_nul_characters_in_paths_and_queries_are_refused(api: ZoomApi, path: str) -> None:
    response = await api.get(path)
    assert (response.status_code, response.json()) == NUL_REJECTED


async def test_nul_characters_in_bodies_are_refused(api: ZoomApi) -> None:
    response = await api.post("/v2/users/me/meetings", content=b'{"topic": "a\\u0000b"}')
    assert (response.status_code, response.json()) == (
        400,
        {"code": 300, "message": "Request Body should be a valid JSON object."},
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v2/users/me/meetings", {"start_time": "0001-01-01T00:00:00Z"}, "start_time"),
        ("/v2/users/me/meetings", {"start_time": "9999-12-31T23:59:59"}, "start_time"),
        ("/v2/users/me/meetings?page_number=100000000", None, "page_number"),
        ("/v2/users/me/meetings?from=0001-01-01", None, "from"),
        ("/v2/users/me/meetings?to=9999-12-31", None, "to"),
        ("/v2/users?page_number=100000000", None, "page_number"),
    ],
)
async def test_values_beyond_what_moot_can_store_are_validation_errors(
    api: ZoomApi, path: str, body: dict[str, str] | None, field: str
) -> None:
    response = await (api.post(path, json=body) if body is not None else api.get(path))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


async def test_a_meeting_id_beyond_int64_is_3001(api: ZoomApi) -> None:
    response = await api.get(f"/v2/meetings/{2**63}")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {2**63}."},
    )
