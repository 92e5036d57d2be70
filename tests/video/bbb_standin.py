"""A stand-in for BigBlueButton's API on a loopback port: checks every checksum as BBB does and answers
``create`` with BBB's XML. Written from BBB's API docs, independently of moot.video.bigbluebutton."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SECRET = "8cd8ef52e8e101574e400365b55e11a6"
ALGORITHMS = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}  # by hex length, as BBB picks
APACHE_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*")


def apache_format(pairs: list[tuple[str, str]]) -> str:
    """Apache HttpClient's ``URLEncodedUtils.format``: what some BBB versions re-encode a query to."""

    def encode(text: str) -> str:
        out = []
        for byte in text.encode():
            if byte in APACHE_SAFE:
                out.append(chr(byte))
            elif byte == 0x20:
                out.append("+")
            else:
                out.append(f"%{byte:02X}")
        return "".join(out)

    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


def split_checksum(query: str) -> tuple[str, str]:
    """(query without the checksum parameter, checksum), as BBB's GetChecksum takes it apart."""
    head, _, checksum = query.rpartition("&checksum=")
    return head, checksum


def expected_checksum(call: str, query: str, secret: str, algorithm: str) -> str:
    return hashlib.new(algorithm, (call + query + secret).encode("utf-8")).hexdigest()


def checksum_ok(call: str, raw_query: str, secret: str = SECRET) -> bool:
    query, checksum = split_checksum(raw_query)
    algorithm = ALGORITHMS.get(len(checksum))
    if algorithm is None:
        return False
    reformatted = apache_format(parse_qsl(query, keep_blank_values=True))
    return (
        checksum
        == expected_checksum(call, query, secret, algorithm)
        == expected_checksum(call, reformatted, secret, algorithm)
    )


@dataclass
class Call:
    name: str
    params: dict[str, str]
    algorithm: str


@dataclass
class StandIn:
    base_url: str = ""
    mode: str = "ok"  # ok | duplicate | failed | http500 | garbage | slow
    calls: list[Call] = field(default_factory=list)
    meetings: set[str] = field(default_factory=set)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bigbluebutton/api"

    def creates(self) -> list[dict[str, str]]:
        return [call.params for call in self.calls if call.name == "create"]

    def answer(self, call: str, raw_query: str) -> tuple[int, str]:
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "http500":
            return 500, "<html>Internal Server Error</html>"
        if self.mode == "garbage":
            return 200, "<html><body>not the API</body>"
        if not checksum_ok(call, raw_query):
            return 200, xml("FAILED", messageKey="checksumError", message="Checksums do not match")
        query, checksum = split_checksum(raw_query)
        params = dict(parse_qsl(query, keep_blank_values=True))
        self.calls.append(Call(call, params, ALGORITHMS[len(checksum)]))
        if call != "create":
            return 404, "<html>Not Found</html>"
        if self.mode == "failed":
            return 200, xml(
                "FAILED", messageKey="idNotUnique", message="A meeting already exists with that meeting ID."
            )
        meeting_id = params["meetingID"]
        existed = meeting_id in self.meetings or self.mode == "duplicate"
        self.meetings.add(meeting_id)
        extra = (
            {
                "messageKey": "duplicateWarning",
                "message": "This conference was already in existence and may currently be in progress.",
            }
            if existed
            else {}
        )
        return 200, xml(
            "SUCCESS",
            meetingID=meeting_id,
            internalMeetingID="640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613",
            attendeePW=params.get("attendeePW", "ap"),
            moderatorPW=params.get("moderatorPW", "mp"),
            createTime="1531155809613",
            hasUserJoined="false",
            duration="0",
            **extra,
        )


def xml(returncode: str, **fields: str) -> str:
    body = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    return f"<response><returncode>{returncode}</returncode>{body}</response>"


@contextmanager
def running(standin: StandIn | None = None) -> Iterator[StandIn]:
    """A real HTTP server on a free loopback port answering as ``standin`` says, stopped at the end."""
    state = standin or StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            prefix = "/bigbluebutton/api/"
            status, body = (
                state.answer(parts.path.removeprefix(prefix), parts.query)
                if parts.path.startswith(prefix)
                else (404, "<html>Not Found</html>")
            )
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
