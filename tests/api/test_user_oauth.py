"""User OAuth: /oauth/authorize (consent page), the authorization_code and refresh_token grants, and
/oauth/revoke, end to end on each backend."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from moot.domain.clock import ControllableClock
from moot.domain.users import User
from moot.services.accounts import create_user_in_account
from tests.support.api import (
    REDIRECT_URI,
    USER_SCOPES,
    Tenant,
    UserOAuthApp,
    ZoomApi,
    authorize,
    code_of,
    consent_form,
    new_user_oauth_app,
    token_request,
)

EMAIL = "member@example.com"
PASSWORD = "correct horse battery staple"
VERIFIER = "v" * 20 + "-._~" + "0123456789abcdefghijklmnopqrstuvwxyz"
INVALID_CODE = {"reason": "Invalid authorization code", "error": "invalid_grant"}
INVALID_REFRESH = {"reason": "Invalid Token!", "error": "invalid_grant"}
INVALID_TOKEN_124 = {"code": 124, "message": "Invalid access token."}
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"


@dataclass
class Setup:
    api: ZoomApi
    tenant: Tenant
    member: User
    client: UserOAuthApp


@pytest.fixture
async def setup(api: ZoomApi) -> Setup:
    assert api.tenant is not None
    member = await create_user_in_account(
        api.deps,
        account_id=api.tenant.account.id,
        email=EMAIL,
        first_name="Mem",
        last_name="Ber",
        password=PASSWORD,
    )
    client = await new_user_oauth_app(api, api.tenant.account.id)
    return Setup(api, api.tenant, member, client)


async def code_for(s: Setup, *, verifier: str | None = VERIFIER, **kwargs: Any) -> str:
    return code_of(
        await authorize(s.api, s.client, email=EMAIL, password=PASSWORD, verifier=verifier, **kwargs)
    )


async def exchange(s: Setup, code: str, verifier: str | None = VERIFIER, **extra: str) -> httpx.Response:
    params = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    if verifier is not None:
        params["code_verifier"] = verifier
    return await token_request(s.api, s.client, **params)


async def refresh(s: Setup, refresh_token: str) -> httpx.Response:
    return await token_request(s.api, s.client, grant_type="refresh_token", refresh_token=refresh_token)


async def tokens(s: Setup) -> dict[str, Any]:
    response = await exchange(s, await code_for(s))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def me(s: Setup, access_token: str, path: str = "/v2/users/me") -> httpx.Response:
    return await s.api.get(path, headers={"Authorization": f"Bearer {access_token}"})


# --- the whole flow ------------------------------------------------------------------------------------


async def test_consent_page_shows_the_app_and_its_scopes(setup: Setup) -> None:
    query = {"response_type": "code", "client_id": setup.client.app.client_id, "redirect_uri": REDIRECT_URI}
    page = await setup.api.client.get("/oauth/authorize", params=query | {"state": "s"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "Authorize Calendar sync" in page.text
    for scope in USER_SCOPES:
        assert f"<li>{scope}</li>" in page.text
    form = consent_form(page.text)
    assert form.keys() == {"response_type", "client_id", "redirect_uri", "state", "csrf_token"}
    cookie = page.headers["set-cookie"]
    assert "moot_oauth_nonce=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_authorization_code_flow_end_to_end(setup: Setup, clock: ControllableClock) -> None:
    response = await authorize(
        setup.api, setup.client, email=EMAIL.upper(), password=PASSWORD, verifier=VERIFIER
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["st4te"] and len(query["code"][0]) >= 43

    answer = await exchange(setup, query["code"][0])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "refresh_token": body["refresh_token"],
        "expires_in": 3600,
        "scope": "meeting:read meeting:write user:read",
        "api_url": "http://moot.test",
    }
    assert answer.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["uid"] == setup.member.id and claims["cid"] == setup.client.app.client_id and claims["gid"]

    # The token acts as the member who signed in, and user-level scopes reach only them.
    mine = await me(setup, body["access_token"])
    assert (mine.status_code, mine.json()["id"], mine.json()["email"]) == (200, setup.member.id, EMAIL)
    owner = await me(setup, body["access_token"], f"/v2/users/{setup.tenant.owner.id}")
    assert (owner.status_code, owner.json()) == (
        400,
        {"code": 4711, "message": "Invalid access token, does not contain scopes:[user:read:user:admin]."},
    )
    created = await setup.api.post(
        "/v2/users/me/meetings",
        json={"topic": "mine"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert created.status_code == 201 and created.json()["host_id"] == setup.member.id

    clock.advance(3600)
    expired = await me(setup, body["access_token"])
    assert expired.json() == {"code": 124, "message": "Access token is expired."}
    renewed = await refresh(setup, body["refresh_token"])
    assert renewed.status_code == 200
    assert (await me(setup, renewed.json()["access_token"])).status_code == 200


async def test_flow_without_pkce(setup: Setup) -> None:
    code = await code_for(setup, verifier=None, state=None)
    answer = await exchange(setup, code, verifier=None)
    assert answer.status_code == 200, answer.text


async def test_token_params_in_the_query_string(setup: Setup) -> None:
    code = await code_for(setup)
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    }
    answer = await setup.api.client.post(
        "/oauth/token", params=params, headers={"Authorization": setup.client.basic}
    )
    assert answer.status_code == 200, answer.text


# --- codes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("verifier", [None, "x" * 43, VERIFIER + "x", "short"])
async def test_pkce_failure_is_invalid_grant_and_leaves_the_code_unspent(
    setup: Setup, verifier: str | None
) -> None:
    code = await code_for(setup)
    answer = await exchange(setup, code, verifier=verifier)
    assert (answer.status_code, answer.json()) == (
        400,
        {"reason": "Invalid code_verifier", "error": "invalid_grant"},
    )
    assert (await exchange(setup, code)).status_code == 200


async def test_reused_code_is_refused_and_revokes_what_it_issued(setup: Setup) -> None:
    code = await code_for(setup)
    first = await exchange(setup, code)
    assert first.status_code == 200
    again = await exchange(setup, code)
    assert (again.status_code, again.json()) == (400, INVALID_CODE)
    denied = await me(setup, first.json()["access_token"])
    assert (denied.status_code, denied.json()) == (401, INVALID_TOKEN_124)
    refreshed = await refresh(setup, first.json()["refresh_token"])
    assert (refreshed.status_code, refreshed.json()) == (400, INVALID_REFRESH)


async def test_concurrent_exchanges_of_one_code_issue_one_token(setup: Setup) -> None:
    code = await code_for(setup)
    answers = await asyncio.gather(*(exchange(setup, code) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400]


async def test_redirect_uri_must_match(setup: Setup) -> None:
    code = await code_for(setup)
    for redirect_uri in ("https://app.example/other", REDIRECT_URI + "/", ""):
        answer = await exchange(setup, code, redirect_uri=redirect_uri)
        assert (answer.status_code, answer.json()) == (
            400,
            {"reason": "Redirect URI mismatch.", "error": "invalid_request"},
        )
    assert (await exchange(setup, code)).status_code == 200


async def test_code_lives_ten_minutes(setup: Setup, clock: ControllableClock) -> None:
    code = await code_for(setup)
    clock.advance(599)
    assert (await exchange(setup, code)).status_code == 200
    late = await code_for(setup)
    clock.advance(600)
    answer = await exchange(setup, late)
    assert (answer.status_code, answer.json()) == (400, INVALID_CODE)


@pytest.mark.parametrize("code", ["", "not-a-code"])
async def test_unknown_code(setup: Setup, code: str) -> None:
    answer = await exchange(setup, code)
    assert (answer.status_code, answer.json()) == (400, INVALID_CODE)


async def test_a_code_only_works_for_its_own_app(setup: Setup) -> None:
    code = await code_for(setup)
    other = await new_user_oauth_app(setup.api, setup.tenant.account.id)
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    }
    answer = await token_request(setup.api, other, **params)
    assert (answer.status_code, answer.json()) == (400, INVALID_CODE)
    assert (await exchange(setup, code)).status_code == 200


# --- refresh tokens ------------------------------------------------------------------------------------


async def test_refresh_rotates_and_reuse_revokes_the_grant(setup: Setup) -> None:
    first = await tokens(setup)
    second = await refresh(setup, first["refresh_token"])
    assert second.status_code == 200
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"] and body["access_token"] != first["access_token"]
    assert set(body) == {"access_token", "token_type", "refresh_token", "expires_in", "scope", "api_url"}
    third = await refresh(setup, body["refresh_token"])
    assert third.status_code == 200
    # Rotation leaves the access tokens already issued valid.
    assert (await me(setup, first["access_token"])).status_code == 200

    reused = await refresh(setup, first["refresh_token"])
    assert (reused.status_code, reused.json()) == (400, INVALID_REFRESH)
    # ...which revokes the grant: every access token of it, and its newest refresh token.
    for access in (first["access_token"], body["access_token"], third.json()["access_token"]):
        denied = await me(setup, access)
        assert (denied.status_code, denied.json()) == (401, INVALID_TOKEN_124)
    newest = await refresh(setup, third.json()["refresh_token"])
    assert (newest.status_code, newest.json()) == (400, INVALID_REFRESH)


async def test_revocation_reaches_other_processes_through_the_store(setup: Setup) -> None:
    first = await tokens(setup)
    await refresh(setup, first["refresh_token"])
    assert (await me(setup, first["access_token"])).status_code == 200
    await refresh(setup, first["refresh_token"])
    setup.api.deps.keys.grants.clear()  # as in another process, once its cache entry is stale: ask the store
    assert (await me(setup, first["access_token"])).status_code == 401


async def test_other_grants_of_the_user_are_unaffected(setup: Setup) -> None:
    first = await tokens(setup)
    second = await tokens(setup)
    await refresh(setup, first["refresh_token"])
    await refresh(setup, first["refresh_token"])
    assert (await me(setup, first["access_token"])).status_code == 401
    assert (await me(setup, second["access_token"])).status_code == 200


async def test_concurrent_refreshes_of_one_token_issue_one(setup: Setup) -> None:
    first = await tokens(setup)
    answers = await asyncio.gather(*(refresh(setup, first["refresh_token"]) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]


async def test_refresh_token_lives_90_days(setup: Setup, clock: ControllableClock) -> None:
    first = await tokens(setup)
    clock.advance(90 * 86400 - 1)
    second = await refresh(setup, first["refresh_token"])
    assert second.status_code == 200
    clock.advance(90 * 86400)
    late = await refresh(setup, second.json()["refresh_token"])
    assert (late.status_code, late.json()) == (400, INVALID_REFRESH)


@pytest.mark.parametrize("value", ["", "nonsense"])
async def test_unknown_refresh_token(setup: Setup, value: str) -> None:
    answer = await refresh(setup, value)
    assert (answer.status_code, answer.json()) == (400, INVALID_REFRESH)


async def test_refresh_token_only_works_for_its_own_app(setup: Setup) -> None:
    first = await tokens(setup)
    other = await new_user_oauth_app(setup.api, setup.tenant.account.id)
    answer = await token_request(
        setup.api, other, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert (answer.status_code, answer.json()) == (400, INVALID_REFRESH)
    assert (await refresh(setup, first["refresh_token"])).status_code == 200


# --- grant types and clients ---------------------------------------------------------------------------


async def test_app_types_keep_to_their_grants(setup: Setup) -> None:
    unauthorized = {
        "reason": "The client is not authorized to use this grant type",
        "error": "unauthorized_client",
    }
    s2s = await setup.api.client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI},
        headers={"Authorization": setup.tenant.basic},
    )
    assert (s2s.status_code, s2s.json()) == (400, unauthorized)
    s2s_refresh = await setup.api.client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": setup.tenant.basic},
    )
    assert (s2s_refresh.status_code, s2s_refresh.json()) == (400, unauthorized)
    user_app = await token_request(
        setup.api, setup.client, grant_type="account_credentials", account_id=setup.tenant.account.id
    )
    assert (user_app.status_code, user_app.json()) == (400, unauthorized)


async def test_wrong_client_secret_is_invalid_client(setup: Setup) -> None:
    code = await code_for(setup)
    wrong = UserOAuthApp(setup.client.app, "not-the-secret")
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    }
    answer = await token_request(setup.api, wrong, **params)
    assert (answer.status_code, answer.json()) == (
        401,
        {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
    )


# --- revoke --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
async def test_revoke_ends_the_grant(setup: Setup, which: str) -> None:
    issued = await tokens(setup)
    answer = await setup.api.client.post(
        "/oauth/revoke", params={"token": issued[which]}, headers={"Authorization": setup.client.basic}
    )
    assert (answer.status_code, answer.json()) == (200, {"status": "success"})
    assert (await me(setup, issued["access_token"])).json() == INVALID_TOKEN_124
    assert (await refresh(setup, issued["refresh_token"])).json() == INVALID_REFRESH


async def test_revoke_by_another_app_or_of_nonsense_changes_nothing(setup: Setup) -> None:
    issued = await tokens(setup)
    other = await new_user_oauth_app(setup.api, setup.tenant.account.id)
    for client, token in (
        (other, issued["access_token"]),
        (other, issued["refresh_token"]),
        (setup.client, "nonsense"),
    ):
        answer = await setup.api.client.post(
            "/oauth/revoke", data={"token": token}, headers={"Authorization": client.basic}
        )
        assert (answer.status_code, answer.json()) == (200, {"status": "success"})
    assert (await me(setup, issued["access_token"])).status_code == 200


async def test_revoke_errors(setup: Setup) -> None:
    missing = await setup.api.client.post("/oauth/revoke", headers={"Authorization": setup.client.basic})
    assert (missing.status_code, missing.json()) == (
        400,
        {"reason": "Token cannot be empty.", "error": "invalid_request"},
    )
    anonymous = await setup.api.client.post("/oauth/revoke", params={"token": "x"})
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
    )


# --- the consent page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "nobody"}, "Invalid client_id."),
        ({"client_id": None}, "Invalid client_id."),
        ({"redirect_uri": "https://evil.example/callback"}, "Redirect URI mismatch."),
        ({"redirect_uri": None}, "Redirect URI mismatch."),
        ({"response_type": "token"}, "Unsupported response_type: only &#x27;code&#x27; is supported."),
        (
            {"code_challenge": "c" * 43, "code_challenge_method": "plain"},
            "Unsupported code_challenge_method: only &#x27;S256&#x27; is supported.",
        ),
        (
            {"code_challenge": "c" * 43},
            "Unsupported code_challenge_method: only &#x27;S256&#x27; is supported.",
        ),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "Invalid code_challenge."),
    ],
)
async def test_bad_authorization_requests_get_an_error_page_not_a_redirect(
    setup: Setup, change: dict[str, str | None], message: str
) -> None:
    query: dict[str, str | None] = {
        "response_type": "code",
        "client_id": setup.client.app.client_id,
        "redirect_uri": REDIRECT_URI,
        **change,
    }
    page = await setup.api.client.get(
        "/oauth/authorize", params={k: v for k, v in query.items() if v is not None}
    )
    assert page.status_code == 400 and "location" not in page.headers
    assert f"<p>{message}</p>" in page.text
    assert page.headers["content-security-policy"] == CSP


async def test_s2s_apps_have_no_consent_page(setup: Setup) -> None:
    query = {"response_type": "code", "client_id": setup.tenant.app.client_id, "redirect_uri": REDIRECT_URI}
    page = await setup.api.client.get("/oauth/authorize", params=query)
    assert page.status_code == 400 and "Invalid client_id." in page.text


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong"), ("nobody@example.com", PASSWORD), ("owner@example.com", PASSWORD), ("", "")],
)
async def test_wrong_sign_in_re_renders_the_form_without_saying_why(
    setup: Setup, email: str, password: str
) -> None:
    response = await authorize(setup.api, setup.client, email=email, password=password)
    assert response.status_code == 401 and "location" not in response.headers
    assert "Incorrect email or password." in response.text
    assert consent_form(response.text)["client_id"] == setup.client.app.client_id
    assert response.headers["content-security-policy"] == CSP


async def test_a_user_of_another_account_cannot_sign_in(setup: Setup) -> None:
    other = await setup.api.new_tenant("boss@elsewhere.example")
    await create_user_in_account(
        setup.api.deps,
        account_id=other.account.id,
        email="x@elsewhere.example",
        first_name="",
        last_name="",
        password=PASSWORD,
    )
    response = await authorize(setup.api, setup.client, email="x@elsewhere.example", password=PASSWORD)
    assert response.status_code == 401


async def test_deny_redirects_with_access_denied(setup: Setup) -> None:
    response = await authorize(setup.api, setup.client, email="", password="", action="deny")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query) == {
        "error": ["access_denied"],
        "state": ["st4te"],
    }


async def test_the_form_needs_its_csrf_token_and_cookie(setup: Setup) -> None:
    query = {"response_type": "code", "client_id": setup.client.app.client_id, "redirect_uri": REDIRECT_URI}
    page = await setup.api.client.get("/oauth/authorize", params=query)
    form = consent_form(page.text) | {"email": EMAIL, "password": PASSWORD}
    token = form["csrf_token"]
    # A middle character: the last one of unpadded base64 carries bits the decoder may drop.
    forged = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    tampered = await setup.api.client.post("/oauth/authorize", data=form | {"csrf_token": forged})
    assert tampered.status_code == 403
    changed = await setup.api.client.post("/oauth/authorize", data=form | {"state": "another"})
    assert changed.status_code == 403
    setup.api.client.cookies.clear()
    no_cookie = await setup.api.client.post("/oauth/authorize", data=form)
    assert no_cookie.status_code == 403


async def test_the_form_expires_after_an_hour(setup: Setup, clock: ControllableClock) -> None:
    query = {"response_type": "code", "client_id": setup.client.app.client_id, "redirect_uri": REDIRECT_URI}
    page = await setup.api.client.get("/oauth/authorize", params=query)
    clock.advance(3601)
    form = consent_form(page.text) | {"email": EMAIL, "password": PASSWORD}
    assert (await setup.api.client.post("/oauth/authorize", data=form)).status_code == 403


async def test_everything_user_controlled_is_escaped(setup: Setup) -> None:
    client = await new_user_oauth_app(setup.api, setup.tenant.account.id, name="<script>alert(1)</script>")
    state = '"><script>alert(2)</script>'
    query = {
        "response_type": "code",
        "client_id": client.app.client_id,
        "redirect_uri": REDIRECT_URI,
        "state": state,
    }
    page = await setup.api.client.get("/oauth/authorize", params=query)
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert consent_form(page.text)["state"] == state
    form = consent_form(page.text) | {"email": '"><b>x</b>', "password": "nope"}
    again = await setup.api.client.post("/oauth/authorize", data=form)
    assert again.status_code == 401 and "<b>" not in again.text
    ok = await setup.api.client.post("/oauth/authorize", data=form | {"email": EMAIL, "password": PASSWORD})
    assert parse_qs(urlsplit(ok.headers["location"]).query)["state"] == [state]


async def test_redirect_uri_with_a_query_keeps_it(setup: Setup) -> None:
    uri = "https://app.example/cb?tenant=7"
    client = await new_user_oauth_app(setup.api, setup.tenant.account.id, redirect_uris=(REDIRECT_URI, uri))
    response = await authorize(setup.api, client, email=EMAIL, password=PASSWORD, redirect_uri=uri)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["tenant"] == ["7"] and query["state"] == ["st4te"] and query["code"]
