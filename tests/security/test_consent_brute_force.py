"""Brute force on user passwords at the consent page (/oauth/authorize): failed sign-ins are throttled per
email of the app's account and per client address; while throttled even the right password is refused."""

from __future__ import annotations

from datetime import timedelta

import httpx

from moot.domain.clock import ControllableClock
from moot.services.accounts import create_user_in_account
from moot.services.context import Deps
from moot.services.oauth import FAILURE_WINDOW, FAILURES_PER_ADDRESS, FAILURES_PER_CLIENT
from tests.security.conftest import client_from
from tests.support.api import UserOAuthApp, ZoomApi, consent_form, new_user_oauth_app

EMAIL = "member@example.com"
PASSWORD = "correct-horse-42"
THROTTLED = "Too many failed sign-ins. Try again in a minute."


async def sign_in(client: httpx.AsyncClient, app: UserOAuthApp, email: str, password: str) -> httpx.Response:
    query = {
        "response_type": "code",
        "client_id": app.app.client_id,
        "redirect_uri": app.app.redirect_uris[0],
    }
    page = await client.get("/oauth/authorize", params=query)
    form = consent_form(page.text) | {"email": email, "password": password, "action": "allow"}
    return await client.post("/oauth/authorize", data=form)


async def member_and_app(api: ZoomApi) -> UserOAuthApp:
    assert api.tenant is not None
    await create_user_in_account(
        api.deps,
        account_id=api.tenant.account.id,
        email=EMAIL,
        first_name="Mem",
        last_name="Ber",
        password=PASSWORD,
    )
    return await new_user_oauth_app(api, api.tenant.account.id)


async def test_sign_ins_are_throttled_per_email_even_with_the_right_password(
    api: ZoomApi, served: Deps, clock: ControllableClock
) -> None:
    clock.set(clock.now().replace(second=0, microsecond=0))
    app = await member_and_app(api)
    for n in range(FAILURES_PER_CLIENT):
        async with client_from(served, f"203.0.113.{n}") as client:  # a different address each time
            wrong = await sign_in(client, app, EMAIL, "guess")
            assert (wrong.status_code, "Incorrect email or password." in wrong.text) == (401, True)
    async with client_from(served, "198.51.100.1") as client:
        refused = await sign_in(client, app, EMAIL, PASSWORD)
        assert (refused.status_code, THROTTLED in refused.text) == (429, True)
        assert refused.headers["retry-after"] == str(FAILURE_WINDOW)
        assert "location" not in refused.headers
        clock.advance(timedelta(seconds=FAILURE_WINDOW))
        allowed = await sign_in(client, app, EMAIL, PASSWORD)
        assert allowed.status_code == 302
        assert "code=" in allowed.headers["location"]


async def test_sign_ins_are_throttled_per_address(api: ZoomApi, served: Deps) -> None:
    app = await member_and_app(api)
    async with client_from(served, "203.0.113.50") as client:
        for n in range(FAILURES_PER_ADDRESS):
            assert (await sign_in(client, app, f"nobody{n}@example.com", "guess")).status_code == 401
        assert (await sign_in(client, app, EMAIL, PASSWORD)).status_code == 429
    async with client_from(served, "198.51.100.2") as elsewhere:
        assert (await sign_in(elsewhere, app, EMAIL, PASSWORD)).status_code == 302
