"""SSRF through redirects: a webhook receiver that answers with a redirect (to the cloud-metadata address,
or to another path of a loopback server) is not followed. The redirect is the answer: a failed delivery
attempt (only 200 and 204 deliver, tests/webhooks/test_delivery.py::test_200_and_204_deliver_other_2xx_do_not)
or a failed URL validation. Resolution-time checks: tests/webhooks/test_ssrf.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from moot.webhooks import endpoints
from moot.webhooks.http import WebhookClient

TARGETS = {
    "/to-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "/to-loopback": "/internal-only",
}


class Redirecting:
    """A receiver answering every POST to a path of TARGETS with a redirect there, counting requests."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    (
                        int(v)
                        for k, _, v in (x.partition(":") for x in lines[1:])
                        if k.lower() == "content-length"
                    ),
                    0,
                )
                await reader.readexactly(length)
                path = lines[0].split(" ")[1]
                self.paths.append(path)
                status = 307 if path.endswith("307") else 302
                location = TARGETS.get(path.removesuffix("-307"), "/")
                writer.write(
                    f"HTTP/1.1 {status} Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def redirecting() -> AsyncIterator[Redirecting]:
    server = Redirecting()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listening.close()


@pytest.fixture
async def client() -> AsyncIterator[WebhookClient]:
    made = WebhookClient(timeout=2.0)
    try:
        yield made
    finally:
        await made.aclose()


@pytest.mark.parametrize("path", ["/to-metadata", "/to-loopback", "/to-metadata-307", "/to-loopback-307"])
async def test_a_redirect_is_the_answer_and_is_not_followed(
    redirecting: Redirecting, client: WebhookClient, path: str
) -> None:
    response = await client.post(redirecting.url(path), b"{}", {"content-type": "application/json"})
    assert response.status == (307 if path.endswith("307") else 302)
    assert redirecting.paths == [path]  # the internal path was never asked for


async def test_a_redirect_fails_url_validation(redirecting: Redirecting, client: WebhookClient) -> None:
    error = await endpoints.challenge(client, redirecting.url("/to-metadata"), "secret", now=1_700_000_000.0)
    assert error == "answered HTTP 302, expected 200"
    assert redirecting.paths == ["/to-metadata"]
