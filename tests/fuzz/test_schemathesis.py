"""Contract fuzzing: schemathesis drives every operation of Zoom's spec that moot implements, in process,
as a real Server-to-Server app, and checks each response: never a 5xx, a body matching the spec's schema
for its status, a documented content type, and a documented status (plausible undocumented ones, such as a
404 the spec forgot, are reported as ``UndocumentedStatus`` warnings rather than failed).

Path parameters are mostly (about 3 in 4) ids that exist (the owner's, meetings with and without registration,
a registrant, an ended meeting and its instance UUID), so cases get past the 404s, and in those cases string
emails and time zones in the body get valid values, so they get past the 400s; the rest keep what
schemathesis generated. Both of schemathesis' modes run: positive (data the spec allows) and negative (data
it forbids, which moot, liberal in what it accepts, may take or refuse but must not fail on).

Then, statefully: schemathesis' state machine chains the operations through OpenAPI links added to the
spec (``tests.fuzz.stateful``): create → get → update → end → delete → get, register → get → approve →
delete, and so on, in positive and negative modes, with the same checks on every step.

Beyond schemathesis' checks: a 204 has no body, and every error is Zoom's ``{"code": int, "message": str}``.

``make test`` runs a bounded, reproducible version (derandomized, 25 cases per operation and mode, and 100
scenarios of up to 12 steps: about 45 s of CPU). ``make fuzz`` runs a long, random one (500 cases per
operation and mode, 1,000 scenarios of up to 20 steps); scale it with ``MOOT_FUZZ_EXAMPLES``,
``MOOT_FUZZ_SCENARIOS`` and ``MOOT_FUZZ_STEPS``. ``MOOT_FUZZ_REPORT=file.json`` writes how many cases each
operation got, by status.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
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
from tests.fuzz.stateful import state_machine
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


def send(fuzz: Fuzz, case: Case) -> httpx.Response:
    """The case, sent as the tenant's S2S app."""
    api = fuzz.api
    assert api.tenant is not None
    kwargs = as_httpx(
        case.as_transport_kwargs(
            base_url=f"{BASE_URL}/v2", headers={"Authorization": f"Bearer {api.tenant.token}"}
        )
    )
    return fuzz.run(api.client.request(**kwargs))  # type: ignore[no-any-return]


def check(fuzz: Fuzz, case: Case, response: httpx.Response) -> None:
    case.validate_response(response, checks=CHECKS)
    fuzz.report.check(case, response)
    if response.status_code == 204:
        assert response.content == b"", "204 must have no body"
    elif response.status_code >= 400:  # Zoom's error body; the spec gives errors no schema
        body = response.json()
        assert isinstance(body["code"], int) and isinstance(body["message"], str), body


def exercise(fuzz: Fuzz, case: Case, pick: int | None) -> None:
    replaced = use_known_ids(case, pick, fuzz.known)
    if pick is not None:
        use_known_values(case.body, sum(fuzz.report.seen.values()))
    response = send(fuzz, case)
    check(fuzz, case, response)
    may_have_changed = case.method != "GET" and response.status_code < 300
    if replaced and may_have_changed and case.operation.path.startswith("/meetings"):
        fuzz.run(renew_meetings(fuzz.api, fuzz.known))


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


# --- Stateful: links chain what one call creates into the next (tests.fuzz.stateful) ----------------------

LINKED_SCHEMA = implemented_schema(links=True)
# Scenarios (each a chain of up to FUZZ_STEPS calls) per run.
FUZZ_SCENARIOS = int(os.environ.get("MOOT_FUZZ_SCENARIOS") or (FUZZ_EXAMPLES if OPT_IN_EXAMPLES else 100))
FUZZ_STEPS = int(os.environ.get("MOOT_FUZZ_STEPS") or 12)


@dataclass
class LinkedCalls:
    """The state machine's steps. Ids the machine did not take from an earlier answer (it starts chains
    anywhere) become those of the latest meeting or registrant created (each scenario starts with one of
    each), and every other meeting created is a scheduled one with registration, so that chains do not
    end at their first 404. ``schedule_for`` is dropped (a random one is only ever a 300), emails and time
    zones get valid values."""

    fuzz: Fuzz
    meetings: list[int] = field(default_factory=list)
    registrants: list[tuple[int, str]] = field(default_factory=list)
    steps: int = 0

    def reset(self) -> None:
        """Each scenario starts with a meeting of its own, with registration and one registrant."""
        api = self.fuzz.api
        body = {"topic": "scenario", "start_time": "2026-02-01T10:00:00Z", "settings": {"approval_type": 0}}
        meeting = self.fuzz.run(created(api, "/v2/users/me/meetings", body))
        registrant = {"email": f"s{meeting['id']}@example.com", "first_name": "Scenario"}
        added = self.fuzz.run(created(api, f"/v2/meetings/{meeting['id']}/registrants", registrant))
        self.meetings, self.registrants = [meeting["id"]], [(meeting["id"], added["registrant_id"])]
        self.steps = 0

    def before(self, case: Case) -> None:
        self.steps += 1
        params = case.path_parameters or {}
        if "userId" in params and params["userId"] not in self.fuzz.known.user_ids:
            params["userId"] = "me"
        if "registrantId" in params and self.registrants:
            if (params["meetingId"], params["registrantId"]) not in self.registrants:
                params["meetingId"], params["registrantId"] = self.registrants[-1]
        elif "meetingId" in params and self.meetings and params["meetingId"] not in self.meetings:
            params["meetingId"] = self.meetings[-1]
        if isinstance(case.body, dict):
            case.body.pop("schedule_for", None)
            if case.operation.path == "/users/{userId}/meetings" and self.steps % 2:
                settings = case.body.get("settings")
                settings = settings if isinstance(settings, dict) else {}
                case.body["settings"] = {**settings, "approval_type": 0}
                if case.body.get("type") != 8:
                    case.body["type"] = 2
        use_known_values(case.body, sum(self.fuzz.report.seen.values()))  # unique emails

    def send(self, case: Case) -> httpx.Response:
        response = send(self.fuzz, case)
        if response.status_code == 201 and case.operation.path == "/users/{userId}/meetings":
            self.meetings.append(response.json()["id"])
        elif response.status_code == 201 and case.operation.path == "/meetings/{meetingId}/registrants":
            self.registrants.append((response.json()["id"], response.json()["registrant_id"]))
        return response

    def check(self, case: Case, response: httpx.Response) -> None:
        check(self.fuzz, case, response)


STATEFUL = settings(
    max_examples=FUZZ_SCENARIOS,
    stateful_step_count=FUZZ_STEPS,
    derandomize=not (OPT_IN_EXAMPLES or os.environ.get("MOOT_FUZZ_SCENARIOS")),
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_linked_operations_keep_the_contract(fuzz: Fuzz) -> None:
    """Chains such as create → get → update → end → delete → get, register → approve → get → delete."""
    calls = LinkedCalls(fuzz)
    before = dict(fuzz.report.seen)
    state_machine(LINKED_SCHEMA, calls).run(settings=STATEFUL)
    fuzz.run(renew_meetings(fuzz.api, fuzz.known))
    grew = {key: n - before.get(key, 0) for key, n in fuzz.report.seen.items() if n > before.get(key, 0)}
    # Links were followed: the chains reached existing meetings and registrants, not just 404s.
    for key in [
        ("GET /meetings/{meetingId}", 200),
        ("PATCH /meetings/{meetingId}", 204),
        ("DELETE /meetings/{meetingId}", 204),
        ("POST /meetings/{meetingId}/registrants", 201),
        ("GET /meetings/{meetingId}/registrants/{registrantId}", 200),
    ]:
        assert grew.get(key), (key, sorted(grew.items()))
