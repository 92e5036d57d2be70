"""Server-side request forgery through webhook URLs: the addresses moot refuses to send to, literal or
resolved from a host name, and the connection going to the address that was vetted (no DNS rebinding)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from moot.webhooks import endpoints
from moot.webhooks.http import AddressRefused, WebhookClient, refusal
from tests.webhooks.conftest import SECRET
from tests.webhooks.test_http_client import Scripted

ALWAYS_REFUSED = {
    "169.254.169.254": "a link-local",
    "169.254.1.1": "a link-local",
    "fe80::1": "a link-local",
    "fd00:ec2::254": "a cloud metadata",
    "100.100.100.200": "a cloud metadata",
    "0.0.0.0": "an unspecified",
    "0.1.2.3": "an unspecified",
    "::": "an unspecified",
    "224.0.0.1": "a multicast",
    "ff02::1": "a multicast",
    "240.0.0.1": "a reserved",
    "255.255.255.255": "a reserved",
    "::ffff:169.254.169.254": "a link-local",  # IPv4-mapped
    "::169.254.169.254": "a link-local",  # IPv4-compatible
    "::ffff:100.100.100.200": "a cloud metadata",
    "64:ff9b::a9fe:a9fe": "a link-local",  # NAT64 of 169.254.169.254
}
PRIVATE = {
    "127.0.0.1": "a loopback",
    "127.8.9.10": "a loopback",
    "::1": "a loopback",
    "::ffff:127.0.0.1": "a loopback",
    "10.1.2.3": "a private",
    "172.16.0.1": "a private",
    "192.168.1.1": "a private",
    "fd12:3456::1": "a private",
    "::ffff:10.0.0.1": "a private",
    "100.64.0.1": "a carrier-grade NAT (100.64.0.0/10)",
    "::ffff:100.127.255.254": "a carrier-grade NAT (100.64.0.0/10)",
}
PUBLIC = ("93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "100.128.0.1")


def test_the_addresses_refused_with_and_without_deny_private() -> None:
    refused = {a: refusal(a, deny_private=False) for a in (*ALWAYS_REFUSED, *PRIVATE, *PUBLIC)}
    assert refused == {
        **{a: f"{a} is {kind} address" for a, kind in ALWAYS_REFUSED.items()},
        **dict.fromkeys(PRIVATE),
        **dict.fromkeys(PUBLIC),
    }
    denied = {a: refusal(a, deny_private=True) for a in (*ALWAYS_REFUSED, *PRIVATE, *PUBLIC)}
    assert denied == {
        **{a: f"{a} is {kind} address" for a, kind in (ALWAYS_REFUSED | PRIVATE).items()},
        **dict.fromkeys(PUBLIC),
    }


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
    made = WebhookClient(timeout=2.0)
    try:
        yield made
    finally:
        await made.aclose()


@pytest.fixture
async def strict() -> AsyncIterator[WebhookClient]:
    made = WebhookClient(timeout=2.0, deny_private=True)
    try:
        yield made
    finally:
        await made.aclose()


async def failure(client: WebhookClient, url: str) -> str:
    with pytest.raises(AddressRefused) as refused:
        await client.post(url, b"{}", {})
    return str(refused.value)


def fake_resolver(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]) -> list[str]:
    """The running loop's getaddrinfo answers ``answers[host]``'s next list of addresses (the last one
    again once they run out); other hosts resolve as usual. The hosts asked for, in order."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    asked: list[str] = []

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return await real(host, port, **kwargs)
        asked.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return asked


async def test_literal_addresses_are_refused_before_anything_is_sent(client: WebhookClient) -> None:
    urls = {
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
        "https://[fe80::1]/hook": "fe80::1 is a link-local address",
        "http://[fd00:ec2::254]/": "fd00:ec2::254 is a cloud metadata address",
        "http://100.100.100.200/latest/meta-data/": "100.100.100.200 is a cloud metadata address",
        "http://0.0.0.0:8080/hook": "0.0.0.0 is an unspecified address",
        "http://[::]:8080/hook": ":: is an unspecified address",
        "http://224.0.0.1/hook": "224.0.0.1 is a multicast address",
        "http://240.0.0.1/hook": "240.0.0.1 is a reserved address",
        "http://[::ffff:169.254.169.254]/": "::ffff:169.254.169.254 is a link-local address",
        "http://[::ffff:a9fe:a9fe]/": "::ffff:169.254.169.254 is a link-local address",  # as resolved
    }
    assert {url: await failure(client, url) for url in urls} == {
        url: f"refused: {reason}" for url, reason in urls.items()
    }


async def test_loopback_is_allowed_by_default_and_refused_with_deny_private(
    server: Scripted, client: WebhookClient, strict: WebhookClient
) -> None:
    for host in ("127.0.0.1", "localhost"):
        assert (await client.post(server.url("/ok", host=host), b"{}", {})).status == 200
    assert [r.headers["host"] for r in server.requests] == [
        f"127.0.0.1:{server.port}",
        f"localhost:{server.port}",
    ]
    server.requests.clear()
    connections = server.connections
    assert await failure(strict, server.url("/ok")) == "refused: 127.0.0.1 is a loopback address"
    assert await failure(strict, server.url("/ok", host="localhost")) in {
        "refused: 127.0.0.1 is a loopback address",
        "refused: ::1 is a loopback address",
    }
    assert await failure(strict, f"http://[::ffff:127.0.0.1]:{server.port}/ok") == (
        "refused: ::ffff:127.0.0.1 is a loopback address"
    )
    assert (server.requests, server.connections) == ([], connections)


async def test_host_names_are_judged_by_every_address_they_resolve_to(
    client: WebhookClient, strict: WebhookClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_resolver(
        monkeypatch,
        {
            "metadata.google.internal": [["169.254.169.254"]],
            "metadata.aws.example": [["fd00:ec2::254"]],
            "mixed.example": [["93.184.216.34", "169.254.169.254"]],
            "mapped.example": [["::ffff:169.254.169.254"]],
            "intranet.example": [["10.0.0.7"]],
            "cgnat.example": [["100.64.1.1"]],
        },
    )
    assert {
        host: await failure(client, f"http://{host}/hook")
        for host in ("metadata.google.internal", "metadata.aws.example", "mixed.example", "mapped.example")
    } == {
        "metadata.google.internal": "refused: 169.254.169.254 is a link-local address",
        "metadata.aws.example": "refused: fd00:ec2::254 is a cloud metadata address",
        "mixed.example": "refused: 169.254.169.254 is a link-local address",
        "mapped.example": "refused: ::ffff:169.254.169.254 is a link-local address",
    }
    assert await failure(strict, "http://intranet.example/hook") == "refused: 10.0.0.7 is a private address"
    assert await failure(strict, "http://cgnat.example/hook") == (
        "refused: 100.64.1.1 is a carrier-grade NAT (100.64.0.0/10) address"
    )


async def test_the_connection_goes_to_the_vetted_address(
    server: Scripted, client: WebhookClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolves to an allowed address, then (rebinding) to the metadata service: the request
    goes to the address that was checked, with the URL's host name in Host, and the name is resolved once."""
    asked = fake_resolver(monkeypatch, {"hooks.example": [["127.0.0.1"], ["169.254.169.254"]]})
    response = await client.post(f"http://hooks.example:{server.port}/ok", b"{}", {})
    assert (response.status, response.body) == (200, b'{"fine": true}')
    assert [(r.path, r.headers["host"]) for r in server.requests] == [("/ok", f"hooks.example:{server.port}")]
    assert asked == ["hooks.example"]


async def test_the_challenge_reports_the_refusal(client: WebhookClient) -> None:
    error = await endpoints.challenge(client, "http://169.254.169.254/", SECRET, now=1_700_000_000.0)
    assert error == "request failed: refused: 169.254.169.254 is a link-local address"
