"""Seed data on each backend: what it creates, what it answers, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from moot.config import Settings
from moot.domain import ids
from moot.domain.clock import ControllableClock
from moot.domain.errors import ValidationFailed
from moot.domain.registrants import RegistrantStatus
from moot.domain.users import UserStatus
from moot.emulator.seed import apply_seed
from moot.services.context import Deps, Keys
from moot.services.secrets import client_secret_matches, password_matches
from moot.storage.base import Store

SEED: dict[str, Any] = {
    "accounts": [
        {
            "id": "acme",
            "name": "Acme",
            "plan": "pro",
            "rate_limits": False,  # YAML's unquoted off
            "owner_email": "boss@acme.test",
            "users": [
                {"email": "ada@acme.test", "first_name": "Ada", "last_name": "Lovelace", "password": "pw"},
                {"email": "alan@acme.test", "id": "alan0000000000000000id"},
            ],
            "apps": [
                {"name": "S2S", "client_id": "acme-client", "client_secret": "acme-secret"},
                {
                    "type": "oauth",
                    "client_id": "acme-oauth",
                    "client_secret": "oauth-secret",
                    "redirect_uris": ["http://localhost:3000/callback"],
                    "scopes": ["meeting:read", "user:read"],
                    "webhook": {
                        "url": "http://127.0.0.1:4000/zoom",
                        "secret": "hook-secret",
                        "events": "meeting.created,meeting.deleted",
                    },
                },
            ],
            "meetings": [
                {
                    "topic": "Planning",
                    "type": 2,
                    "start_time": "2030-06-09T17:00:00Z",
                    "duration": 30,
                    "host": "ada@acme.test",
                    "settings": {"approval_type": 1},
                    "registrants": [
                        {"email": "grace@example.com", "first_name": "Grace"},
                        {"email": "linus@example.com", "first_name": "Linus", "status": "approved"},
                    ],
                },
                {"topic": "Owner's", "host": "alan0000000000000000id"},
            ],
        }
    ]
}


@pytest.fixture
async def deps(store: Store, clock: ControllableClock) -> Deps:
    settings = Settings(db_url="sqlite:///:memory:", public_url="http://moot.test")
    return Deps(store=store, clock=clock, settings=settings, keys=await Keys.load(store))


@pytest.fixture
def seeded_ids() -> Any:
    ids.use_seed(3)
    yield
    ids.use_seed(None)


async def test_a_seed_creates_everything_it_names(deps: Deps, seeded_ids: None) -> None:
    made = await apply_seed(deps, SEED)
    store = deps.store
    (account,) = made["accounts"]
    owner_id, ada_id = account["owner"]["id"], account["users"][0]["id"]
    planning, owners = account["meetings"]
    assert made == {
        "accounts": [
            {
                "id": "acme",
                "plan": "pro",
                "rate_limits": "off",
                "owner": {"id": owner_id, "email": "boss@acme.test"},
                "users": [
                    {"id": ada_id, "email": "ada@acme.test"},
                    {"id": "alan0000000000000000id", "email": "alan@acme.test"},
                ],
                "apps": [
                    {"client_id": "acme-client", "client_secret": "acme-secret", "type": "s2s"},
                    {
                        "client_id": "acme-oauth",
                        "client_secret": "oauth-secret",
                        "type": "oauth",
                        "webhook": {
                            "url": "http://127.0.0.1:4000/zoom",
                            "secret": "hook-secret",
                            "events": ["meeting.created", "meeting.deleted"],
                        },
                    },
                ],
                "meetings": [
                    {
                        "id": planning["id"],
                        "uuid": planning["uuid"],
                        "topic": "Planning",
                        "host_id": ada_id,
                        "join_url": planning["join_url"],
                        "registrants": [
                            {"id": planning["registrants"][0]["id"], "email": "grace@example.com"},
                            {"id": planning["registrants"][1]["id"], "email": "linus@example.com"},
                        ],
                    },
                    {
                        "id": owners["id"],
                        "uuid": owners["uuid"],
                        "topic": "Owner's",
                        "host_id": "alan0000000000000000id",
                        "join_url": owners["join_url"],
                        "registrants": [],
                    },
                ],
            }
        ]
    }
    stored = await store.get_account("acme")
    assert stored is not None and (stored.name, stored.plan.value, stored.rate_limits) == (
        "Acme",
        "pro",
        "off",
    )
    _, total = await store.list_users("acme", UserStatus.ACTIVE, 10, 0)
    assert total == 3
    ada = await store.get_user("acme", ada_id)
    assert ada is not None and (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert ada.password_hash is not None and password_matches("pw", ada.password_hash)
    s2s, oauth = await store.get_app("acme-client"), await store.get_app("acme-oauth")
    assert s2s is not None and client_secret_matches("acme-secret", s2s.secret_hash)
    assert oauth is not None and oauth.scopes == ("meeting:read", "user:read")
    assert oauth.redirect_uris == ("http://localhost:3000/callback",)
    assert oauth.webhook is not None and not oauth.webhook.active  # challenged by the dispatcher
    meeting = await store.get_meeting("acme", planning["id"])
    assert meeting is not None and meeting.host_id == ada_id and meeting.settings["approval_type"] == 1
    grace = await store.get_registrant(planning["id"], planning["registrants"][0]["id"])
    linus = await store.get_registrant(planning["id"], planning["registrants"][1]["id"])
    assert grace is not None and grace.status is RegistrantStatus.PENDING
    assert linus is not None and linus.status is RegistrantStatus.APPROVED
    assert await store.outbox.backlog() == 0  # seed data is no news: no webhook events


async def test_seeded_ids_come_from_the_seeded_generator(deps: Deps, seeded_ids: None) -> None:
    made = await apply_seed(deps, {"accounts": [{"meetings": [{"topic": "a"}]}]})
    ids.use_seed(3)
    assert made["accounts"][0]["id"] == ids.account_id()
    assert made["accounts"][0]["owner"]["id"] == ids.user_id()


async def test_an_existing_account_gets_additions(deps: Deps) -> None:
    await apply_seed(deps, {"accounts": [{"id": "acme"}]})
    made = await apply_seed(
        deps, {"accounts": [{"id": "acme", "rate_limits": "x10", "users": [{"email": "new@acme.test"}]}]}
    )
    account = made["accounts"][0]
    assert (account["plan"], account["rate_limits"], account["owner"]["email"]) == (
        "business",
        "x10",
        "owner@moot.local",
    )
    assert [u["email"] for u in account["users"]] == ["new@acme.test"]


@pytest.mark.parametrize(
    ("seed", "errors"),
    [
        ([], [{"field": "", "message": "The seed must be an object with an accounts list."}]),
        ({"acounts": []}, [{"field": "acounts", "message": "Invalid field."}]),
        (
            {"accounts": [{"plan": "gold", "rate_limits": "x0", "apps": [{"webhook": {"url": "ftp://x"}}]}]},
            [
                {"field": "accounts[0].plan", "message": "Invalid field."},
                {
                    "field": "accounts[0].rate_limits",
                    "message": "rate limits must be 'zoom', 'off' or 'xN' (N > 0), not 'x0'",
                },
                {
                    "field": "accounts[0].apps[0].webhook.url",
                    "message": "Must be an http:// or https:// URL.",
                },
            ],
        ),
        (
            {"accounts": [{"users": [{"email": "not-an-email"}]}]},
            [{"field": "accounts[0].users[0].email", "message": "Invalid field."}],
        ),
    ],
)
async def test_invalid_seeds_are_refused_before_anything_is_written(
    deps: Deps, seed: Any, errors: list[dict[str, str]]
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        await apply_seed(deps, seed)
    assert raised.value.body() == {"code": 300, "message": "Validation Failed.", "errors": errors}
    assert await deps.store.count_accounts() == 0


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            {"meetings": [{"topic": "x", "start_time": "soon"}]},
            {"field": "accounts[0].meetings[0].start_time", "message": "Invalid field."},
        ),
        (
            {"meetings": [{"host": "nobody@acme.test"}]},
            {"field": "accounts[0].meetings[0].host", "message": "No user nobody@acme.test in the account."},
        ),
        (
            {"meetings": [{"registrants": [{"email": "a@b.test", "first_name": "A"}]}]},
            {
                "field": "accounts[0].meetings[0].registrants[0]",
                "message": "Registration has not been enabled for this meeting: {id}.",
            },
        ),
        (
            {"apps": [{"scopes": "meeting:fly"}]},
            {"field": "accounts[0].apps[0]", "message": "unknown scopes: meeting:fly."},
        ),
        (
            {"apps": [{"type": "oauth"}]},
            {"field": "accounts[0].apps[0]", "message": "an OAuth app needs at least one redirect URI."},
        ),
        (
            {"users": [{"email": "owner@moot.local"}]},
            {"field": "accounts[0].users[0]", "message": 'Email "owner@moot.local" has already been used.'},
        ),
    ],
)
async def test_errors_while_writing_name_the_entry(
    deps: Deps, entry: dict[str, Any], error: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        await apply_seed(deps, {"accounts": [entry]})
    body = raised.value.body()
    if "{id}" in error["message"]:
        meeting_id = body["errors"][0]["message"].rsplit(" ", 1)[1].rstrip(".")
        error = {**error, "message": error["message"].format(id=meeting_id)}
    assert body == {"code": 300, "message": "Validation Failed.", "errors": [error]}
