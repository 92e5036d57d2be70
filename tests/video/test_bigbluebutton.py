"""BigBlueButton: create the room once, then a signed join URL; every checksum checked as BBB does."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from moot.video import VideoUnavailable
from moot.video.bigbluebutton import BigBlueButtonVideo, ChecksumAlgorithm, api_base
from tests.support.live_server import free_port
from tests.video.bbb_standin import SECRET, StandIn, checksum_ok, running, split_checksum
from tests.video.entries import GUEST, HOST

NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
OTHER = dataclasses.replace(GUEST, meeting_id=91122233344, topic="Board meeting", participant_id="p-3")


@pytest.fixture
def bbb() -> Iterator[StandIn]:
    with running() as standin:
        yield standin


def make(url: str, secret: str = SECRET, **options: object) -> BigBlueButtonVideo:
    return BigBlueButtonVideo(url, secret, **options)  # type: ignore[arg-type]


@pytest.fixture
async def video(bbb: StandIn) -> AsyncIterator[BigBlueButtonVideo]:
    provider = make(bbb.api_url)
    yield provider
    await provider.close()


def join_params(url: str, standin: StandIn) -> dict[str, str]:
    """The join URL's parameters, after checking its address and its checksum independently."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{standin.api_url}/join"
    assert checksum_ok("join", parts.query)
    query, checksum = split_checksum(parts.query)
    assert checksum == hashlib.sha1(f"join{query}{SECRET}".encode()).hexdigest()
    return dict(parse_qsl(query))


async def test_the_host_is_sent_to_a_signed_moderator_join(bbb: StandIn, video: BigBlueButtonVideo) -> None:
    url = await video.entry_url(HOST, NOW)
    assert url is not None
    assert join_params(url, bbb) == {
        "fullName": "Hana Host",
        "meetingID": "moot-85746065432",
        "role": "MODERATOR",
        "userID": "u-host-1",
        "redirect": "true",
    }
    assert bbb.creates() == [{"name": "Weekly sync", "meetingID": "moot-85746065432"}]


async def test_a_visitor_joins_as_viewer(bbb: StandIn, video: BigBlueButtonVideo) -> None:
    url = await video.entry_url(GUEST, NOW)
    assert url is not None
    assert join_params(url, bbb)["role"] == "VIEWER"
    assert join_params(url, bbb)["userID"] == "p-guest-2"


async def test_create_is_called_once_per_meeting_across_joins(
    bbb: StandIn, video: BigBlueButtonVideo
) -> None:
    for entry in (HOST, GUEST, OTHER, GUEST, HOST, OTHER):
        assert await video.entry_url(entry, NOW + timedelta(seconds=30)) is not None
    assert bbb.creates() == [
        {"name": "Weekly sync", "meetingID": "moot-85746065432"},
        {"name": "Board meeting", "meetingID": "moot-91122233344"},
    ]
    assert [call.algorithm for call in bbb.calls] == ["sha1", "sha1"]


async def test_simultaneous_joins_share_one_create(bbb: StandIn, video: BigBlueButtonVideo) -> None:
    urls = await asyncio.gather(*(video.entry_url(GUEST, NOW) for _ in range(8)))
    assert len(set(urls)) == 1
    assert len(bbb.creates()) == 1


async def test_the_room_is_created_again_once_the_memory_lapses(
    bbb: StandIn, video: BigBlueButtonVideo
) -> None:
    await video.entry_url(GUEST, NOW)
    await video.entry_url(GUEST, NOW + timedelta(seconds=59))
    await video.entry_url(GUEST, NOW + timedelta(seconds=60))
    assert len(bbb.creates()) == 2  # the second answered duplicateWarning: still SUCCESS


async def test_an_existing_meeting_duplicate_warning_is_success(
    bbb: StandIn, video: BigBlueButtonVideo
) -> None:
    bbb.mode = "duplicate"
    url = await video.entry_url(HOST, NOW)
    assert url is not None
    assert join_params(url, bbb)["meetingID"] == "moot-85746065432"


async def test_names_with_spaces_accents_and_symbols_keep_the_checksum_valid(
    bbb: StandIn, video: BigBlueButtonVideo
) -> None:
    entry = dataclasses.replace(
        HOST, topic="Réunion d'équipe: Q&A ~ 50% *live* + café ☕", display_name="Zoë O'Brien-Ñúñez ~/?#"
    )
    url = await video.entry_url(entry, NOW)
    assert url is not None
    assert join_params(url, bbb)["fullName"] == "Zoë O'Brien-Ñúñez ~/?#"
    assert bbb.creates()[0]["name"] == "Réunion d'équipe: Q&A ~ 50% *live* + café ☕"


async def test_topics_are_fitted_to_bbbs_name_limits(bbb: StandIn, video: BigBlueButtonVideo) -> None:
    await video.entry_url(dataclasses.replace(HOST, topic="x" * 100), NOW)
    await video.entry_url(dataclasses.replace(OTHER, topic=" \n"), NOW)
    assert [create["name"] for create in bbb.creates()] == ["x" * 64, "moot-91122233344"]


async def test_a_failed_create_is_unavailable_and_not_remembered(
    bbb: StandIn, video: BigBlueButtonVideo
) -> None:
    bbb.mode = "failed"
    with pytest.raises(
        VideoUnavailable, match=r"refused create for moot-85746065432: idNotUnique: A meeting"
    ):
        await video.entry_url(HOST, NOW)
    bbb.mode = "ok"
    assert await video.entry_url(HOST, NOW) is not None
    assert len(bbb.creates()) == 2


async def test_a_wrong_secret_is_a_checksum_error(bbb: StandIn) -> None:
    video = make(bbb.api_url, secret="not-the-shared-secret")
    try:
        with pytest.raises(VideoUnavailable, match="checksumError: Checksums do not match"):
            await video.entry_url(HOST, NOW)
    finally:
        await video.close()
    assert bbb.calls == []


@pytest.mark.parametrize("mode", ["http500", "garbage"])
async def test_an_answer_that_is_not_the_api_is_unavailable(
    bbb: StandIn, video: BigBlueButtonVideo, mode: str
) -> None:
    bbb.mode = mode
    expected = "with HTTP 500" if mode == "http500" else "something other than XML"
    with pytest.raises(VideoUnavailable, match=expected):
        await video.entry_url(HOST, NOW)


async def test_a_server_that_is_down_is_unavailable_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    api_url = f"http://127.0.0.1:{free_port()}/bigbluebutton/api"
    video = make(api_url)
    try:
        with pytest.raises(VideoUnavailable, match="did not answer create: ConnectError") as raised:
            await video.entry_url(HOST, NOW)
    finally:
        await video.close()
    assert str(raised.value).startswith(f"BigBlueButton at {api_url} did not answer create")
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("moot.video", "WARNING", str(raised.value))
    ]


async def test_a_server_that_is_too_slow_is_unavailable(bbb: StandIn) -> None:
    bbb.mode = "slow"
    video = make(bbb.api_url, timeout=httpx.Timeout(0.2))
    try:
        with pytest.raises(VideoUnavailable, match="did not answer create: ReadTimeout"):
            await video.entry_url(HOST, NOW)
    finally:
        await video.close()


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
async def test_stronger_checksums_on_request(bbb: StandIn, algorithm: ChecksumAlgorithm) -> None:
    video = make(bbb.api_url, checksum=algorithm)
    try:
        url = await video.entry_url(GUEST, NOW)
    finally:
        await video.close()
    assert url is not None
    query, checksum = split_checksum(urlsplit(url).query)
    assert checksum == hashlib.new(algorithm, f"join{query}{SECRET}".encode()).hexdigest()
    assert [call.algorithm for call in bbb.calls] == [algorithm]


async def test_password_join_for_servers_before_2_4(bbb: StandIn) -> None:
    video = make(bbb.api_url, password_join=True)
    try:
        host, guest = await video.entry_url(HOST, NOW), await video.entry_url(GUEST, NOW)
    finally:
        await video.close()
    assert host is not None and guest is not None
    (create,) = bbb.creates()
    assert create["attendeePW"] != create["moderatorPW"]
    assert len(create["attendeePW"]) == len(create["moderatorPW"]) == 20
    host_params, guest_params = join_params(host, bbb), join_params(guest, bbb)
    assert (host_params["password"], host_params["role"]) == (create["moderatorPW"], "MODERATOR")
    assert (guest_params["password"], guest_params["role"]) == (create["attendeePW"], "VIEWER")
    again = make(bbb.api_url, password_join=True)  # another moot instance derives the same passwords
    assert again.password("moot-85746065432", moderator=True) == create["moderatorPW"]


def test_the_api_url_may_be_what_bbb_conf_prints() -> None:
    assert api_base("https://bbb.example.com/bigbluebutton/") == "https://bbb.example.com/bigbluebutton/api"
    assert (
        api_base("https://bbb.example.com/bigbluebutton/api/") == "https://bbb.example.com/bigbluebutton/api"
    )
    with pytest.raises(ValueError, match="MOOT_BBB_URL must be an http"):
        make("bbb.example.com/bigbluebutton/api")


async def test_close_closes_the_client_and_can_be_repeated(bbb: StandIn) -> None:
    video = make(bbb.api_url)
    await video.close()  # never used: nothing to close
    await video.entry_url(GUEST, NOW)
    await video.close()
    await video.close()
    assert await video.entry_url(OTHER, NOW) is not None  # a new client, should pages still call it
    await video.close()
