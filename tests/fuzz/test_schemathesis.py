"""Contract fuzzing: schemathesis drives every operation of Zoom's spec that moot implements, in process,
as a real Server-to-Server app, and checks each response: never a 5xx, a body matching the spec's schema
for its status, a documented content type, and a documented status (plausible undocumented ones, such as a
404 the spec forgot, are reported as ``UndocumentedStatus`` warnings rather than failed).

Path parameters are mostly (about 3 in 4) ids that exist (the owner's, meetings with and without registration,
a registrant, an ended meeting and its instance UUID), so cases get past the 404s, and in those cases string
emails and time zones in the body get valid values, so they get past the 400s; the rest keep what
schemathesis generated. Both of schemathesis' modes run: positive (data the spec allows) and negative (data
it forbids, which moot, liberal in what it accepts, may take or refuse but must not fail on).

Beyond schemathesis' checks: a 204 has no body, and every error is Zoom's ``{"code": int, "message": str}``.

``make test`` runs a bounded, reproducible version (derandomized, 25 cases per operation and mode, about
20 s). A larger, random run: ``MOOT_FUZZ_EXAMPLES=1000 pytest tests/fuzz`` (about 13 minutes).
``MOOT_FUZZ_REPORT=file.json`` writes how many cases each operation got, by status.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode

from moot.config import Settings
from moot.domain.clock import ControllableClock
from moot.services.accounts import create_account, create_app
from moot.services.context import Deps, Keys
from tests.conftest import NOW
from tests.fuzz.contract import CHECKS, StatusReport, as_httpx, implemented_operation_ids, implemented_schema
from tests.support.api import BASE_URL, Tenant, ZoomApi, asgi_client
from tests.support.databases import open_test_store
from tests.support.lifecycle import ADMIN_TOKEN, end, join, leave, start

OPT_IN_EXAMPLES = os.environ.get("MOOT_FUZZ_EXAMPLES")
FUZZ_EXAMPLES = int(OPT_IN_EXAMPLES or 25)
SCHEMA = implemented_schema()
OPERATIONS = implemented_operation_ids()
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# Operations with nothing schemathesis can make invalid: no body, no query, path parameters without a type.
NOTHING_NEGATIVE = {"pastMeetingDetails"}
# Which existing resource a case uses (an index into its kind), or None to keep what schemathesis generated.
# Last, so that hypothesis, which favours the first of a sampled_from, draws it least often.
PICKS = (0, 1, 2, None)


@dataclass
class Known:
    """Resources that exist, for path parameters; meetings are renewed after a call may have changed them."""

    user_ids: list[str] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)  # plain, with registration, recurring with registration
    registrants: list[tuple[int, str]] = field(default_factory=list)  # (meeting id, registrant id)
    past: list[int | str] = field(default_factory=list)  # an ended meeting's id and its instance's UUID


@dataclass
class Fuzz:
    loop: asyncio.AbstractEventLoop
    api: ZoomApi
    known: Known
    report: StatusReport

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)


async def created(api: ZoomApi, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def renew_meetings(api: ZoomApi, known: Known) -> None:
    registration = {"approval_type": 0, "registration_type": 1}
    recurrence = {"type": 1, "repeat_interval": 1, "end_times": 3}
    meetings = [
        await created(api, "/v2/users/me/meetings", {"topic": "plain", "start_time": "2026-02-01T10:00:00Z"}),
        await created(
            api,
            "/v2/users/me/meetings",
            {"topic": "registration", "start_time": "2026-02-01T10:00:00Z", "settings": registration},
        ),
        await created(
            api,
            "/v2/users/me/meetings",
            {"topic": "series", "type": 8, "recurrence": recurrence, "settings": registration},
        ),
    ]
    known.meetings = [meeting["id"] for meeting in meetings]
    known.registrants = []
    for meeting in meetings[1:]:
        registrant = await created(
            api,
            f"/v2/meetings/{meeting['id']}/registrants",
            {"email": f"r{meeting['id']}@example.com", "first_name": "Reg"},
        )
        known.registrants.append((meeting["id"], registrant["registrant_id"]))


async def new_tenant(api: ZoomApi) -> Tenant:
    """A tenant whose rate limits are off, so that hundreds of cases are not answered 429."""
    account, owner = await create_account(api.deps, owner_email="owner@example.com", rate_limits="off")
    app, secret = await create_app(api.deps, account_id=account.id)
    tenant = Tenant(account, owner, app, secret, "")
    await api.renew_token(tenant)
    return tenant


async def prepare(api: ZoomApi) -> Known:
    api.tenant = await new_tenant(api)
    owner = api.tenant.owner
    known = Known(user_ids=["me", owner.id, owner.email])
    past = await created(api, "/v2/users/me/meetings", {"topic": "held", "settings": {"waiting_room": False}})
    await start(api, past["id"])
    guest = await join(api, past["id"], "Guest", "guest@example.com")
    await leave(api, past["id"], guest["user_id"])
    await end(api, past["id"])
    instances = await api.get(f"/v2/past_meetings/{past['id']}/instances")
    known.past = [past["id"], instances.json()["meetings"][0]["uuid"]]
    await renew_meetings(api, known)
    return known


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    """One event loop, in-process server (SQLite) and tenant for every case of the module."""
    loop = asyncio.new_event_loop()
    tmp_path: Path = tmp_path_factory.mktemp("fuzz")
    store = loop.run_until_complete(open_test_store("sqlite", tmp_path, None))
    deps = Deps(
        store,
        ControllableClock(NOW, frozen=True),
        Settings(public_url=BASE_URL, admin_token=ADMIN_TOKEN),
        loop.run_until_complete(Keys.load(store)),
    )
    client = asgi_client(deps)
    api = ZoomApi(deps, client)
    known = loop.run_until_complete(prepare(api))
    fuzz = Fuzz(loop, api, known, StatusReport())
    yield fuzz
    if report_path := os.environ.get("MOOT_FUZZ_REPORT"):
        Path(report_path).write_text(json.dumps(fuzz.report.summary(), indent=2) + "\n")
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(store.close())
    loop.close()


def use_known_ids(case: Case, pick: int | None, known: Known) -> bool:
    """Replace the generated path parameters with existing resources; True when it did."""
    params = case.path_parameters
    if pick is None or not params:
        return False
    if "registrantId" in params:
        params["meetingId"], params["registrantId"] = known.registrants[pick % len(known.registrants)]
    elif case.operation.path.startswith("/past_meetings/"):
        takes_uuid = case.operation.path_parameters.get("meetingId").definition.get("schema", {})
        ids = known.past if takes_uuid.get("type") != "integer" else known.past[:1]
        params["meetingId"] = ids[pick % len(ids)]
    elif "meetingId" in params:
        params["meetingId"] = known.meetings[pick % len(known.meetings)]
    elif "userId" in params:
        params["userId"] = known.user_ids[pick % len(known.user_ids)]
    return True


# Body fields that hardly any generated string satisfies, and values that do (an email unique per case).
KNOWN_VALUES = {
    "email": lambda n: f"fuzz{n}@example.com",
    "contact_email": lambda n: f"contact{n}@example.com",
    "timezone": lambda n: "Europe/Berlin",
}


def use_known_values(body: Any, serial: int) -> None:
    """Give the body's emails and time zones values that pass moot's checks, at any depth."""
    if isinstance(body, list):
        for item in body:
            use_known_values(item, serial)
    elif isinstance(body, dict):
        for key, value in body.items():
            if key in KNOWN_VALUES and isinstance(value, str):
                body[key] = KNOWN_VALUES[key](serial)
            else:
                use_known_values(value, serial)


def exercise(fuzz: Fuzz, case: Case, pick: int | None) -> None:
    replaced = use_known_ids(case, pick, fuzz.known)
    if pick is not None:
        use_known_values(case.body, sum(fuzz.report.seen.values()))
    api = fuzz.api
    assert api.tenant is not None
    kwargs = as_httpx(
        case.as_transport_kwargs(
            base_url=f"{BASE_URL}/v2", headers={"Authorization": f"Bearer {api.tenant.token}"}
        )
    )
    response = fuzz.run(api.client.request(**kwargs))
    case.validate_response(response, checks=CHECKS)
    fuzz.report.check(case, response)
    if response.status_code == 204:
        assert response.content == b"", "204 must have no body"
    elif response.status_code >= 400:  # Zoom's error body; the spec gives errors no schema
        body = response.json()
        assert isinstance(body["code"], int) and isinstance(body["message"], str), body
    may_have_changed = case.method != "GET" and response.status_code < 300
    if replaced and may_have_changed and case.operation.path.startswith("/meetings"):
        fuzz.run(renew_meetings(api, fuzz.known))


FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=not OPT_IN_EXAMPLES,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def operation_and_mode() -> list[Any]:
    params = []
    for operation_id in OPERATIONS:
        for mode in MODES:
            skip = mode is GenerationMode.NEGATIVE and operation_id in NOTHING_NEGATIVE
            marks = [pytest.mark.skip(reason="the spec leaves nothing to make invalid")] if skip else []
            params.append(pytest.param(operation_id, mode, marks=marks, id=f"{operation_id}-{mode.value}"))
    return params


@pytest.mark.parametrize(("operation_id", "mode"), operation_and_mode())
@FUZZ
@given(data=st.data())
def test_operation_keeps_the_contract(
    fuzz: Fuzz, operation_id: str, mode: GenerationMode, data: st.DataObject
) -> None:
    operation = SCHEMA.find_operation_by_id(operation_id)
    case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
    exercise(fuzz, case, data.draw(st.sampled_from(PICKS), label="known resource"))


def test_every_implemented_operation_is_fuzzed() -> None:
    """The fuzzed operations are those of docs/compatibility.md's table, found from moot's route names."""
    assert len(OPERATIONS) >= 18, OPERATIONS
    assert {"meetingCreate", "meeting", "meetingUpdate", "user", "pastMeetingParticipants"} <= set(OPERATIONS)
