"""``bigbluebutton``: BigBlueButton's API: ``create`` the meeting's room, then a signed ``join`` URL.

Every call carries ``checksum = sha(callName + queryString + sharedSecret)``. BigBlueButton checks it
against either the query string as received or that query parsed and re-encoded (Apache
``URLEncodedUtils.format``, in some server versions), so moot encodes the query the way that re-encoding
does: both readings give the same string.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote_plus, urlsplit

import httpx

from moot.video.base import RoomEntry, VideoUnavailable, room_name

ChecksumAlgorithm = Literal["sha1", "sha256", "sha384", "sha512"]
CREATED_FOR = timedelta(seconds=60)  # joins within this long after a create do not create again
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_REMEMBERED = 1024
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
log = logging.getLogger("moot.video")


def bbb_encode(value: str) -> str:
    """``URLEncodedUtils.format``'s encoding: letters, digits and ``-_.*`` kept, space as ``+``."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def bbb_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{bbb_encode(key)}={bbb_encode(value)}" for key, value in params.items())


def bbb_checksum(call: str, query: str, secret: str, algorithm: ChecksumAlgorithm = "sha1") -> str:
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def api_base(url: str) -> str:
    """The API endpoint, also from the ``.../bigbluebutton/`` URL that ``bbb-conf --secret`` prints."""
    base = url.rstrip("/")
    return base if base.endswith("/api") else f"{base}/api"


def _text(value: str) -> str:
    return _CONTROL_CHARACTERS.sub(" ", value).strip()


def meeting_name(topic: str, room: str) -> str:
    """BigBlueButton 2.4+ wants a name of 2 to 64 characters."""
    name = _text(topic)[:64].strip()
    return name if len(name) >= 2 else room


def unavailable(reason: str) -> VideoUnavailable:
    log.warning("%s", reason)
    return VideoUnavailable(reason)


class BigBlueButtonVideo:
    """Creates the room (idempotent on BigBlueButton's side; remembered here for ``CREATED_FOR``), then
    sends each person to a signed join URL with ``role`` MODERATOR (the host) or VIEWER."""

    name = "bigbluebutton"

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        checksum: ChecksumAlgorithm = "sha1",
        password_join: bool = False,
        created_for: timedelta = CREATED_FOR,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ValueError(f"MOOT_BBB_URL must be an http(s) URL, not {url!r}")
        self.api_url = api_base(url)
        self.secret = secret
        self.checksum = checksum
        self.password_join = password_join
        self.created_for = created_for
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._created: dict[str, datetime] = {}  # room -> until when it counts as created
        self._creating: dict[str, asyncio.Task[None]] = {}

    def signed_url(self, call: str, params: Mapping[str, str]) -> str:
        query = bbb_query(params)
        return (
            f"{self.api_url}/{call}?{query}&checksum={bbb_checksum(call, query, self.secret, self.checksum)}"
        )

    def password(self, room: str, moderator: bool) -> str:
        """A room's attendee or moderator password (``bbb_password_join``), derived from the secret: the
        same on every moot instance, never stored."""
        role = "moderator" if moderator else "attendee"
        return hmac.new(self.secret.encode(), f"{room}:{role}".encode(), hashlib.sha256).hexdigest()[:20]

    def join_url(self, entry: RoomEntry) -> str:
        room = room_name(entry.meeting_id)
        params = {
            "fullName": _text(entry.display_name) or entry.participant_id,
            "meetingID": room,
            "role": "MODERATOR" if entry.moderator else "VIEWER",
            "userID": entry.participant_id,
            "redirect": "true",
        }
        if self.password_join:
            params["password"] = self.password(room, entry.moderator)
        return self.signed_url("join", params)

    async def entry_url(self, entry: RoomEntry, now: datetime) -> str | None:
        await self.ensure_room(entry, now)
        return self.join_url(entry)

    async def ensure_room(self, entry: RoomEntry, now: datetime) -> None:
        """``create`` unless done lately; concurrent joins of one room share a single call."""
        room = room_name(entry.meeting_id)
        until = self._created.get(room)
        if until is not None and now < until:
            return
        task = self._creating.get(room)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._create(room, entry.topic, now))
            self._creating[room] = task
            task.add_done_callback(lambda _: self._creating.pop(room, None))
        await asyncio.shield(task)

    async def _create(self, room: str, topic: str, now: datetime) -> None:
        params = {"name": meeting_name(topic, room), "meetingID": room}
        if self.password_join:
            params["attendeePW"] = self.password(room, moderator=False)
            params["moderatorPW"] = self.password(room, moderator=True)
        await self._call("create", params)
        if len(self._created) >= MAX_REMEMBERED:
            self._created = {r: until for r, until in self._created.items() if until > now}
        self._created[room] = now + self.created_for

    async def _call(self, call: str, params: Mapping[str, str]) -> ET.Element:
        where = f"BigBlueButton at {self.api_url}"
        try:
            response = await self._http().get(self.signed_url(call, params))
        except httpx.HTTPError as exc:
            raise unavailable(f"{where} did not answer {call}: {type(exc).__name__} {exc}") from exc
        if response.status_code != 200:
            raise unavailable(f"{where} answered {call} with HTTP {response.status_code}")
        try:
            # BBB is the operator's own server; the stdlib parser (expat >= 2.4) bounds entity expansion.
            root = ET.fromstring(response.content)  # noqa: S314
        except ET.ParseError as exc:
            raise unavailable(f"{where} answered {call} with something other than XML") from exc
        if root.findtext("returncode") != "SUCCESS":
            key = root.findtext("messageKey") or "no messageKey"
            message = root.findtext("message") or "no message"
            raise unavailable(f"{where} refused {call} for {params.get('meetingID')}: {key}: {message}")
        return root

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
