"""The deliveries' HTTP client against real local servers: keep-alive and its pool, every way a response
can end, timeouts, refused / unresolvable / invalid URLs, broken answers, and TLS verification."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from moot.webhooks import http
from moot.webhooks.http import RequestFailed, WebhookClient
from tests.support.live_server import free_port
from tests.support.receiver import Receiver
from tests.webhooks.conftest import SECRET


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes


Writer = asyncio.StreamWriter
Answer = Callable[[Seen, Writer], Awaitable[bool]]  # writes the answer; whether to keep the connection


def ok(body: bytes = b"ok", *, extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


async def answer(seen: Seen, writer: Writer) -> bool:
    """What the scripted server answers, by path."""
    path = seen.path
    if path == "/ok":
        writer.write(ok(b'{"fine": true}', extra="Content-Type: application/json\r\n"))
    elif path == "/chunked":
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nhello, \r\n")
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(b"5\r\nworld\r\n0\r\n\r\n")
    elif path == "/until-close":
        writer.write(b"HTTP/1.1 202 Accepted\r\nConnection: close\r\n\r\nthe body ends ")
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(b"when the connection does")
        return False
    elif path == "/http10":
        writer.write(b"HTTP/1.0 204 No Content\r\n\r\n")
        return False
    elif path == "/continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"after 100"))
    elif path == "/latin1":
        writer.write(ok("café".encode("latin-1"), extra="Content-Type: text/plain; charset=ISO-8859-1\r\n"))
    elif path == "/big":
        body = b"x" * (4 * http.DRAIN_LIMIT)
        writer.write(ok(body))
    elif path == "/slow":
        await asyncio.sleep(10)
    elif path == "/garbage":
        writer.write(b"this is not HTTP at all\r\n\r\n")
    elif path == "/hang-up":
        return False  # the request was read: it reached the receiver, which closes without a word
    elif path == "/ok-then-close":
        writer.write(ok())
        await writer.drain()
        await asyncio.sleep(0.05)
        return False  # a server closing a kept-alive connection while it is idle
    elif path == "/wait":
        await asyncio.sleep(0.1)
        writer.write(ok())
    else:
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    return True


@dataclass
class Scripted:
    """An asyncio HTTP/1.1 server answering as :func:`answer` says, keeping count of what it saw."""

    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    server_names: list[str | None] = field(default_factory=list)

    def url(self, path: str, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                fields = (line.partition(":") for line in lines[1:] if line)
                headers = {name.lower(): value.strip() for name, _, value in fields}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = Seen(lines[0].split(" ")[1], headers, body)
                self.requests.append(seen)
                keep = await answer(seen, writer)
                await writer.drain()
                if not keep:
                    return
        finally:
            self.open_now -= 1
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[Scripted]:
    scripted = Scripted()
    listening = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
    scripted.port = listening.sockets[0].getsockname()[1]
    try:
        yield scripted
    finally:
        listening.close()


@pytest.fixture
async def client() -> AsyncIterator[WebhookClient]:
    made = WebhookClient(timeout=1.0, max_per_host=4)
    try:
        yield made
    finally:
        await made.aclose()


async def test_keep_alive_connections_are_used_again(server: Scripted, client: WebhookClient) -> None:
    for i in range(5):
        response = await client.post(server.url("/ok"), f"event {i}".encode(), {"x-n": str(i)})
        assert (response.status, response.body, response.complete) == (200, b'{"fine": true}', True)
        assert response.content_type == "application/json"
    assert server.connections == 1
    assert [(r.body, r.headers["x-n"], r.headers["content-length"]) for r in server.requests] == [
        (f"event {i}".encode(), str(i), "7") for i in range(5)
    ]
    assert server.requests[0].headers["host"] == f"127.0.0.1:{server.port}"


async def test_paths_queries_and_credentials_in_the_url(server: Scripted, client: WebhookClient) -> None:
    url = f"http://hook:p%40ss@127.0.0.1:{server.port}/zoom hooks/é?team=a b&x=1"
    assert (await client.post(url, b"{}", {})).status == 404
    (seen,) = server.requests
    assert seen.path == "/zoom%20hooks/%C3%A9?team=a%20b&x=1"
    assert seen.headers["authorization"] == "Basic aG9vazpwQHNz"  # hook:p@ss


async def test_the_pool_caps_connections_per_host(server: Scripted) -> None:
    client = WebhookClient(timeout=5.0, max_per_host=2)
    try:
        answers = await asyncio.gather(*(client.post(server.url("/wait"), b"{}", {}) for _ in range(8)))
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [200] * 8
    assert (server.connections, server.most_open, len(server.requests)) == (2, 2, 8)


async def test_chunked_and_close_delimited_bodies(server: Scripted, client: WebhookClient) -> None:
    chunked = await client.post(server.url("/chunked"), b"{}", {})
    assert (chunked.status, chunked.body, chunked.complete) == (200, b"hello, world", True)
    until_close = await client.post(server.url("/until-close"), b"{}", {})
    assert (until_close.status, until_close.body, until_close.complete) == (
        202,
        b"the body ends when the connection does",
        True,
    )
    old = await client.post(server.url("/http10"), b"{}", {})
    assert (old.status, old.body) == (204, b"")
    after_continue = await client.post(server.url("/continue"), b"{}", {})
    assert (after_continue.status, after_continue.body) == (200, b"after 100")
    # chunked kept its connection; the close-delimited and HTTP/1.0 answers did not
    assert server.connections == 3


async def test_only_the_first_bytes_of_a_long_answer_are_kept(
    server: Scripted, client: WebhookClient
) -> None:
    big = await client.post(server.url("/big"), b"{}", {}, keep=10)
    assert (big.status, big.body, big.complete) == (200, b"x" * 10, False)  # the rest was not worth reading
    assert (await client.post(server.url("/ok"), b"{}", {})).status == 200  # on a new connection
    assert server.connections == 2
    latin1 = await client.post(server.url("/latin1"), b"{}", {})
    assert latin1.text() == "café"
    assert latin1.text(3) == "caf"


async def test_a_silent_server_times_out_and_frees_its_place(server: Scripted) -> None:
    client = WebhookClient(timeout=0.3, max_per_host=1)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimeoutError):
            await client.post(server.url("/slow"), b"{}", {})
        assert 0.25 < asyncio.get_running_loop().time() - started < 1.0
        assert (await client.post(server.url("/ok"), b"{}", {})).status == 200
    finally:
        await client.aclose()


async def test_broken_answers_are_request_failures(server: Scripted, client: WebhookClient) -> None:
    with pytest.raises(RequestFailed, match=r"^invalid HTTP response: "):
        await client.post(server.url("/garbage"), b"{}", {})
    with pytest.raises(RequestFailed, match=r"^the connection was closed without an answer$"):
        await client.post(server.url("/hang-up"), b"{}", {})
    assert [r.path for r in server.requests] == ["/garbage", "/hang-up"]


async def test_a_request_that_was_sent_is_never_sent_again(server: Scripted, client: WebhookClient) -> None:
    assert (await client.post(server.url("/ok"), b"first", {})).status == 200
    # The same kept-alive connection carries the next request; the server reads it and hangs up.
    with pytest.raises(RequestFailed, match="closed without an answer"):
        await client.post(server.url("/hang-up"), b"second", {})
    assert [r.body for r in server.requests] == [b"first", b"second"]
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_used(
    server: Scripted, client: WebhookClient
) -> None:
    assert (await client.post(server.url("/ok-then-close"), b"1", {})).status == 200
    await asyncio.sleep(0.2)  # the server has closed it by now
    assert (await client.post(server.url("/ok"), b"2", {})).status == 200
    assert [r.body for r in server.requests] == [b"1", b"2"]
    assert server.connections == 2


async def test_connections_idle_too_long_are_dropped(
    server: Scripted, client: WebhookClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "IDLE_SECONDS", 0.05)
    assert (await client.post(server.url("/ok"), b"1", {})).status == 200
    assert server.open_now == 1
    await asyncio.sleep(0.2)
    assert server.open_now == 0  # closed by the client, with no request to notice it
    assert (await client.post(server.url("/ok"), b"2", {})).status == 200
    assert server.connections == 2


async def test_unreachable_and_invalid_urls(client: WebhookClient) -> None:
    port = free_port()
    cases = {
        f"http://127.0.0.1:{port}/hook": f"connection refused by 127.0.0.1:{port}",
        "http://moot-no-such-host.invalid/hook": "cannot resolve host 'moot-no-such-host.invalid'",
        "not a url": "invalid URL 'not a url'",
        "ftp://127.0.0.1/hook": "unsupported URL scheme 'ftp'",
        "http://127.0.0.1:99999/hook": "invalid URL",
        "http:///hook": "invalid URL 'http:///hook': no host",
    }
    for url, reason in cases.items():
        with pytest.raises(RequestFailed) as failed:
            await client.post(url, b"{}", {})
        assert str(failed.value).startswith(reason), (url, str(failed.value))
    with pytest.raises(RequestFailed, match="line break"):
        await client.post("http://127.0.0.1:1/hook", b"{}", {"x-evil": "a\r\nx-injected: 1"})


async def test_against_the_test_receiver(client: WebhookClient) -> None:
    """Zoom's sample verifies what the client sends (HTTP/1.0 answers, one connection each)."""
    from moot.webhooks import headers, serialize

    with Receiver(SECRET) as receiver:
        body = serialize({"event": "meeting.created", "payload": {"account_id": "a"}, "event_ts": 1})
        sent = headers(SECRET, body, 1_700_000_000, "tracking", "client")
        for _ in range(2):
            response = await client.post(receiver.url, body, sent)
            assert response.status == 200 and b"Authorized request" in response.body
        arrived = receiver.wait_for(2)
    assert all(d.verified and d.method == "POST" and d.body == body for d in arrived)
    assert arrived[0].headers["x-zm-trackingid"] == "tracking"


# --- TLS ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (openssl's command line)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
            ),
            *("-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def tls_server(certificate: tuple[Path, Path]) -> AsyncIterator[Scripted]:
    scripted = Scripted()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)

    def sni(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        scripted.server_names.append(name)

    context.sni_callback = sni
    listening = await asyncio.start_server(scripted.handle, "127.0.0.1", 0, ssl=context)
    scripted.port = listening.sockets[0].getsockname()[1]
    try:
        yield scripted
    finally:
        listening.close()


async def test_an_unverifiable_certificate_is_refused(tls_server: Scripted, client: WebhookClient) -> None:
    with pytest.raises(RequestFailed, match=r"^TLS certificate verification failed: self.signed certificate"):
        await client.post(tls_server.url("/ok", "https", "localhost"), b"{}", {})
    assert tls_server.requests == []


async def test_https_with_a_trusted_certificate(tls_server: Scripted, certificate: tuple[Path, Path]) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    client = WebhookClient(timeout=2.0, ssl_context=trusting)
    try:
        for _ in range(2):
            response = await client.post(tls_server.url("/chunked", "https", "localhost"), b"{}", {})
            assert (response.status, response.body) == (200, b"hello, world")
        mismatch = r"^TLS certificate verification failed: .*(IP address|mismatch)"
        with pytest.raises(RequestFailed, match=mismatch):
            await client.post(tls_server.url("/ok", "https", "127.0.0.1"), b"{}", {})
    finally:
        await client.aclose()
    assert tls_server.server_names == ["localhost", None]  # SNI with a host name, none with an address
    assert tls_server.connections == 1  # kept alive for both requests (the refused one never got in)


def test_the_same_on_uvloop(certificate: tuple[Path, Path]) -> None:
    """moot serves on uvloop: its transports and TLS work the same."""
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> None:
        scripted = Scripted()
        plain = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
        scripted.port = plain.sockets[0].getsockname()[1]
        client = WebhookClient(timeout=1.0)
        try:
            for path in ("/ok", "/chunked", "/ok"):
                assert (await client.post(scripted.url(path), b"{}", {})).status == 200
            assert scripted.connections == 1
            with pytest.raises(RequestFailed, match="closed without an answer"):
                await client.post(scripted.url("/hang-up"), b"{}", {})
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.shield(client.post(scripted.url("/slow"), b"{}", {})), 5)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            secure = await asyncio.start_server(scripted.handle, "127.0.0.1", 0, ssl=context)
            port = secure.sockets[0].getsockname()[1]
            with pytest.raises(RequestFailed, match=r"^TLS certificate verification failed"):
                await client.post(f"https://localhost:{port}/ok", b"{}", {})
            secure.close()
        finally:
            await client.aclose()
            plain.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(scenario())
