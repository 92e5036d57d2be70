"""Jitsi: the token prosody's mod_auth_token verifies, and the URL that carries it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from moot.video.jitsi import JitsiVideo, jitsi_subject
from tests.video.entries import GUEST, HOST, wall_clock

SECRET = "jitsi-shared-secret-0123456789abcdef"
TTL = 3 * 3600


def provider(url: str = "https://meet.example.com", subject: str | None = None) -> JitsiVideo:
    return JitsiVideo(url, "moot-app", SECRET, token_ttl=TTL, subject=subject)


def decode(token: str, secret: str = SECRET) -> dict[str, object]:
    return dict(jwt.decode(token, secret, algorithms=["HS256"], audience="jitsi", issuer="moot-app"))


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jwt"][0]


async def test_the_host_token_carries_every_claim_jitsi_reads() -> None:
    now = wall_clock()
    url = await provider().entry_url(HOST, now)
    assert url is not None
    assert decode(token_of(url)) == {
        "aud": "jitsi",
        "iss": "moot-app",
        "sub": "meet.example.com",
        "room": "moot-85746065432",
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()) - 30,
        "exp": int(now.timestamp()) + TTL,
        "context": {
            "user": {
                "id": "u-host-1",
                "name": "Hana Host",
                "email": "hana@example.com",
                "moderator": "true",
                "affiliation": "owner",
            }
        },
    }
    assert jwt.get_unverified_header(token_of(url)) == {"alg": "HS256", "typ": "JWT"}


async def test_a_visitor_is_a_member_not_a_moderator() -> None:
    url = await provider().entry_url(GUEST, wall_clock())
    assert url is not None
    assert decode(token_of(url))["context"] == {
        "user": {
            "id": "p-guest-2",
            "name": "Gus Guest",
            "email": "gus@example.org",
            "moderator": "false",
            "affiliation": "member",
        }
    }


async def test_the_url_is_the_room_under_the_deployment_with_the_token() -> None:
    url = await provider("https://meet.example.com/").entry_url(GUEST, wall_clock())
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        "https",
        "meet.example.com",
        "/moot-85746065432",
        "",
    )
    assert list(parse_qs(parts.query)) == ["jwt"]
    assert url == f"https://meet.example.com/moot-85746065432?jwt={token_of(url)}"


async def test_every_occurrence_of_a_series_meets_in_one_room() -> None:
    now = wall_clock()
    later = dataclasses.replace(GUEST, topic="Weekly sync (moved)", participant_id="p-guest-9")
    first, second = await provider().entry_url(GUEST, now), await provider().entry_url(later, now)
    assert first is not None and second is not None
    assert urlsplit(first).path == urlsplit(second).path == "/moot-85746065432"
    assert decode(token_of(first))["room"] == decode(token_of(second))["room"] == "moot-85746065432"


async def test_a_token_signed_with_another_secret_is_refused() -> None:
    url = await provider().entry_url(HOST, wall_clock())
    assert url is not None
    with pytest.raises(jwt.InvalidSignatureError):
        decode(token_of(url), secret="not-the-jitsi-secret-0123456789abcdef")


async def test_the_token_expires_after_the_configured_ttl() -> None:
    issued = wall_clock() - timedelta(seconds=TTL + 5)
    url = await provider().entry_url(HOST, issued)
    assert url is not None
    with pytest.raises(jwt.ExpiredSignatureError):
        decode(token_of(url))
    fresh = await provider().entry_url(HOST, wall_clock() - timedelta(seconds=TTL - 5))
    assert fresh is not None
    assert decode(token_of(fresh))["room"] == "moot-85746065432"


async def test_a_token_is_not_yet_valid_well_before_it_was_issued() -> None:
    url = await provider().entry_url(HOST, wall_clock() + timedelta(minutes=5))
    assert url is not None
    with pytest.raises(jwt.ImmatureSignatureError):
        decode(token_of(url))


def test_the_subject_is_the_domain_or_the_tenant() -> None:
    assert jitsi_subject("https://Meet.Example.com") == "meet.example.com"
    assert jitsi_subject("https://meet.example.com:8443/") == "meet.example.com"
    assert jitsi_subject("https://meet.example.com/Team-A") == "team-a"
    assert provider(subject="*").subject == "*"


async def test_a_tenant_deployment_puts_the_room_under_the_tenant() -> None:
    url = await provider("https://meet.example.com/team-a/").entry_url(GUEST, wall_clock())
    assert url is not None
    assert urlsplit(url).path == "/team-a/moot-85746065432"
    assert decode(token_of(url))["sub"] == "team-a"


def test_the_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="MOOT_JITSI_URL must be an http"):
        provider("meet.example.com")


async def test_close_is_harmless() -> None:
    jitsi = provider()
    await jitsi.close()
    await jitsi.close()
