"""No input reachable from the API produces a 500: random bodies, queries and ids on every operation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.context import Deps, Keys
from tests.conftest import BACKENDS, NOW
from tests.support.api import ZoomApi, asgi_client
from tests.support.databases import open_test_store

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["2", "30", "true", "false", "", "2030-01-01T10:00:00Z", "GMT+8", "\x00", "' OR 1=1 --"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
meeting_fields = st.sampled_from(
    [
        "topic",
        "type",
        "start_time",
        "duration",
        "timezone",
        "password",
        "agenda",
        "schedule_for",
        "recurrence",
        "settings",
        "tracking_fields",
        "pre_schedule",
        "default_password",
    ]
)
settings_fields = st.sampled_from(
    [
        "approval_type",
        "audio",
        "jbh_time",
        "waiting_room",
        "alternative_hosts",
        "breakout_room",
        "resources",
        "meeting_invitees",
        "use_pmi",
        "global_dial_in_countries",
        "language_interpretation",
    ]
)
meeting_bodies = st.fixed_dictionaries(
    {},
    optional={
        "topic": json_values,
        "type": json_values,
        "start_time": json_values,
        "timezone": json_values,
        "recurrence": st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "repeat_interval",
                    "weekly_days",
                    "monthly_day",
                    "monthly_week",
                    "monthly_week_day",
                    "end_times",
                    "end_date_time",
                ]
            ),
            json_values,
        ),
        "settings": st.dictionaries(settings_fields, json_values),
    },
) | st.dictionaries(meeting_fields, json_values)
# Percent-encoded as a client would send them; "." and ".." would be resolved away by the client.
path_segments = (
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)
    .filter(lambda s: s not in (".", ".."))
    .map(lambda s: quote(s, safe=""))
)
query_values = st.text(max_size=30)


@pytest.fixture(params=BACKENDS)
def zoom(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[asyncio.AbstractEventLoop, ZoomApi]]:
    """One event loop and one API for all of a test's examples (hypothesis drives them synchronously)."""
    loop = asyncio.new_event_loop()
    url = request.getfixturevalue("module_postgres_url") if request.param == "postgres" else None
    store = loop.run_until_complete(open_test_store(request.param, tmp_path, url))
    deps = Deps(
        store,
        ControllableClock(NOW, frozen=True),
        Settings(public_url="http://moot.test"),
        loop.run_until_complete(Keys.load(store)),
    )
    client = asgi_client(deps)
    api = ZoomApi(deps, client)
    api.tenant = loop.run_until_complete(api.new_tenant())
    yield loop, api
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(store.close())
    loop.close()


def never_500(loop: asyncio.AbstractEventLoop, api: ZoomApi, method: str, path: str, **kwargs: Any) -> None:
    response = loop.run_until_complete(api.call(method, path, **kwargs))
    assert response.status_code < 500, (method, path, kwargs, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["code"], int) and isinstance(body["message"], str)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=meeting_bodies)
def test_create_and_update_with_random_bodies(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], body: dict[str, Any]
) -> None:
    loop, api = zoom
    never_500(loop, api, "POST", "/v2/users/me/meetings", json=body)
    created = loop.run_until_complete(api.post("/v2/users/me/meetings", json={}))
    never_500(loop, api, "PATCH", f"/v2/meetings/{created.json()['id']}", json=body)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_random_bytes_as_a_body(zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], raw: bytes) -> None:
    loop, api = zoom
    never_500(
        loop, api, "POST", "/v2/users/me/meetings", content=raw, headers={"Content-Type": "application/json"}
    )
    never_500(loop, api, "POST", "/v2/users", content=raw)
    never_500(loop, api, "PUT", "/v2/meetings/1/status", content=raw)


@FUZZ
@given(
    segment=path_segments,
    query=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "page_size",
                "page_number",
                "next_page_token",
                "from",
                "to",
                "timezone",
                "occurrence_id",
                "status",
            ]
        ),
        query_values,
    ),
)
def test_random_ids_and_queries(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], segment: str, query: dict[str, str]
) -> None:
    loop, api = zoom
    never_500(loop, api, "GET", f"/v2/users/{segment}/meetings", params=query)
    never_500(loop, api, "GET", "/v2/users/me/meetings", params=query)
    never_500(loop, api, "GET", f"/v2/meetings/{segment}", params=query)
    never_500(loop, api, "DELETE", f"/v2/meetings/{segment}", params=query)
    never_500(loop, api, "GET", f"/v2/users/{segment}", params=query)
    never_500(loop, api, "GET", "/v2/users", params=query)


@FUZZ
@given(
    body=st.dictionaries(st.sampled_from(["action", "user_info"]), json_values)
    | st.fixed_dictionaries(
        {
            "action": st.sampled_from(["create", "custCreate"]),
            "user_info": st.dictionaries(
                st.sampled_from(["email", "type", "first_name", "password"]), json_values
            ),
        }
    )
)
def test_user_create_with_random_bodies(
    zoom: tuple[asyncio.AbstractEventLoop, ZoomApi], body: dict[str, Any]
) -> None:
    loop, api = zoom
    never_500(loop, api, "POST", "/v2/users", json=body)
