"""LiveKit: an access token LiveKit's own verifier accepts, opened in LiveKit Meet's custom page."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from livekit.api import TokenVerifier, VideoGrants

from moot.video.livekit import LiveKitVideo
from tests.video.entries import GUEST, HOST, wall_clock

KEY = "APImootTest01"
SECRET = "livekit-api-secret-0123456789abcdefghijklmnop"
SERVER = "wss://lk.example.com"
MEET = "https://meet.example.com/custom"
TTL = 3 * 3600


def provider(meet_url: str = MEET) -> LiveKitVideo:
    return LiveKitVideo(SERVER, KEY, SECRET, meet_url, token_ttl=TTL)


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def test_livekit_verifies_the_host_token_with_an_admin_grant() -> None:
    url = await provider().entry_url(HOST, wall_clock())
    assert url is not None
    claims = TokenVerifier(KEY, SECRET).verify(token_of(url))
    assert (claims.identity, claims.name) == ("u-host-1", "Hana Host")
    assert claims.video == VideoGrants(
        room_join=True, room="moot-85746065432", can_publish=True, can_subscribe=True, room_admin=True
    )


async def test_a_visitor_joins_without_admin() -> None:
    url = await provider().entry_url(GUEST, wall_clock())
    assert url is not None
    claims = TokenVerifier(KEY, SECRET).verify(token_of(url))
    assert (claims.identity, claims.name) == ("p-guest-2", "Gus Guest")
    assert claims.video == VideoGrants(room_join=True, room="moot-85746065432", room_admin=None)


async def test_the_token_is_a_plain_hs256_jwt_with_the_video_grant() -> None:
    now = wall_clock()
    url = await provider().entry_url(HOST, now)
    assert url is not None
    token = token_of(url)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert jwt.decode(token, SECRET, algorithms=["HS256"], issuer=KEY) == {
        "iss": KEY,
        "sub": "u-host-1",
        "name": "Hana Host",
        "nbf": int(now.timestamp()) - 30,
        "exp": int(now.timestamp()) + TTL,
        "video": {
            "roomJoin": True,
            "room": "moot-85746065432",
            "roomAdmin": True,
            "canPublish": True,
            "canSubscribe": True,
            "canPublishData": True,
        },
    }


async def test_a_token_signed_with_another_secret_is_refused() -> None:
    url = await provider().entry_url(GUEST, wall_clock())
    assert url is not None
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier(KEY, "another-secret-0123456789abcdefghijklmnop").verify(token_of(url))


async def test_the_token_expires_after_the_configured_ttl() -> None:
    url = await provider().entry_url(GUEST, wall_clock() - timedelta(seconds=TTL + 120))
    assert url is not None
    with pytest.raises(jwt.ExpiredSignatureError):
        TokenVerifier(KEY, SECRET).verify(token_of(url))


async def test_the_url_is_livekit_meets_custom_connection_page() -> None:
    url = await provider().entry_url(GUEST, wall_clock())
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "meet.example.com", "/custom")
    assert parts.query == f"liveKitUrl=wss%3A%2F%2Flk.example.com&token={token_of(url)}"
    assert parse_qs(parts.query) == {"liveKitUrl": [SERVER], "token": [token_of(url)]}


async def test_a_meet_url_with_a_query_gets_the_parameters_appended() -> None:
    url = await provider("https://meet.example.com/custom?codec=vp9").entry_url(GUEST, wall_clock())
    assert url is not None
    assert url.startswith(
        "https://meet.example.com/custom?codec=vp9&liveKitUrl=wss%3A%2F%2Flk.example.com&token="
    )


def test_urls_must_be_websocket_or_http() -> None:
    with pytest.raises(ValueError, match="MOOT_LIVEKIT_URL"):
        LiveKitVideo("lk.example.com", KEY, SECRET, MEET, token_ttl=TTL)
    with pytest.raises(ValueError, match="MOOT_LIVEKIT_MEET_URL"):
        LiveKitVideo(SERVER, KEY, SECRET, "meet.example.com/custom", token_ttl=TTL)


def test_livekit_api_is_imported_only_when_livekit_is_configured() -> None:
    script = (
        "import sys\n"
        "from moot.api.app import create_app\n"
        "from moot.config import Settings\n"
        "create_app(Settings(video_provider='jitsi', jitsi_url='https://meet.example.com',"
        " jitsi_app_id='a', jitsi_app_secret='s'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('livekit')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"
