"""A lean HTTP/1.1 client for webhook deliveries: asyncio protocols and httptools' response parser.

httpx spends 0.6-2 ms of CPU per POST here (pool bookkeeping, its async-library detection on every
call); this client spends tens of microseconds, which is what lets one process deliver thousands of
events a second. It does only what a delivery needs:

- ``POST`` with a ``Content-Length`` body, to ``http`` or ``https`` URLs (the default SSL context:
  certificates verified, SNI sent; user:password in the URL is sent as Basic authorization); no
  proxies (``HTTP_PROXY`` and the like are ignored), no redirects, no compression, no cookies;
- keep-alive connections, pooled per (scheme, host, port) up to ``max_per_host`` (more requests wait
  for a free connection); a connection idle for ``IDLE_SECONDS`` is closed rather than used again;
- responses delimited by ``Content-Length``, chunked, or the server closing the connection; at most
  ``keep`` bytes of the body are kept, the rest is read and dropped up to ``DRAIN_LIMIT`` bytes in all,
  past which the connection is closed instead;
- ``timeout`` seconds in all per request (connecting included): ``TimeoutError``; every other failure
  raises :class:`RequestFailed` with a short reason;
- server-side request forgery kept out: the host is resolved once per connection and, if any of its
  addresses is one :func:`refusal` refuses (link-local, cloud metadata, unspecified, multicast, reserved;
  with ``deny_private`` also loopback, private and CGNAT), nothing is sent (:class:`AddressRefused`).
  Otherwise the connection goes to the vetted address itself, never to the name again (no DNS
  rebinding between the check and the connection); Host and SNI stay the URL's host name.

A request is written only to a connection that is still open: one the server closed while it sat
idle is dropped before anything is sent, and the request goes on a new connection. A request that
was written is never sent again: if the connection then closes without an answer, that is the
failure reported (the receiver may have seen it).
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import ipaddress
import socket
import ssl
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import quote, unquote, urlsplit

import httptools

from moot.domain.deliveries import DELIVERY_TIMEOUT

IDLE_SECONDS = 2.0  # below the keep-alive timeouts of common servers (uvicorn, Node: 5 s)
DRAIN_LIMIT = 64 * 1024  # bytes of a response read at most to keep its connection
MAX_CACHED_URLS = 1024
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


class RequestFailed(Exception):
    """No usable answer: ``str(error)`` says why, briefly (e.g. ``connection refused by 127.0.0.1:80``)."""


class AddressRefused(RequestFailed):
    """The host resolves to an address moot does not send to (``refused: 169.254.169.254 is a link-local
    address``); nothing was sent."""


_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")  # AWS/GCP/Azure/..., AWS v6, Alibaba
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_V4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # a.b.c.d through a NAT64 gateway


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, IPv4-compatible, or NAT64."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if (ip in _V4_COMPATIBLE and int(ip) > 1) or ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(address: str, *, deny_private: bool) -> str | None:
    """Why moot does not send to ``address`` (an IP address, as a resolver gives it), or None.

    Always refused: link-local, cloud metadata, unspecified, multicast and reserved addresses. With
    ``deny_private``, also loopback, private (RFC 1918, fc00::/7) and CGNAT (100.64.0.0/10) ones. IPv6
    forms of an IPv4 address (mapped, compatible, NAT64) are judged as that IPv4 address."""
    ip: _IPAddress = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip) or ip
    kind: str | None
    if ip.is_unspecified or ip in _THIS_NETWORK:
        kind = "an unspecified"
    elif ip.is_link_local:
        kind = "a link-local"
    elif ip in _METADATA:
        kind = "a cloud metadata"
    elif ip.is_multicast:
        kind = "a multicast"
    elif ip.is_loopback:
        kind = "a loopback" if deny_private else None
    elif any(ip in network for network in _PRIVATE):
        kind = "a private" if deny_private else None
    elif ip in _CGNAT:
        kind = "a carrier-grade NAT (100.64.0.0/10)" if deny_private else None
    elif ip.is_reserved:
        kind = "a reserved"
    else:
        kind = None
    return None if kind is None else f"{address} is {kind} address"


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes  # the first ``keep`` bytes of the body
    content_type: str
    complete: bool  # the whole body was read

    def text(self, limit: int | None = None) -> str:
        """The kept body decoded (``content-type``'s charset, else UTF-8), ``limit`` characters at most."""
        decoded = self.body.decode(_charset(self.content_type), "replace")
        return decoded if limit is None else decoded[:limit]


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                break
    return "utf-8"


@dataclass(frozen=True, slots=True)
class _Target:
    key: tuple[str, str, int]  # scheme, host, port: a pool of connections
    head: bytes  # the request line and the Host (and Authorization) header


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise RequestFailed(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RequestFailed(
            f"unsupported URL scheme {scheme!r} in {url!r}" if scheme else f"invalid URL {url!r}"
        )
    if not host:
        raise RequestFailed(f"invalid URL {url!r}: no host")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise RequestFailed(f"invalid URL {url!r}: bad host name") from None
    default = 443 if scheme == "https" else 80
    port = port or default
    authority = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if port != default:
        authority += f":{port}"
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    lines = [f"POST {target} HTTP/1.1", f"Host: {authority}"]
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        lines.append(f"Authorization: Basic {base64.b64encode(credentials).decode()}")
    return _Target((scheme, ascii_host, port), ("\r\n".join(lines) + "\r\n").encode())


def _header_block(headers: Mapping[str, str], length: int) -> bytes:
    lines = [f"{name}: {value}\r\n" for name, value in headers.items()]
    block = "".join(lines) + f"Content-Length: {length}\r\n\r\n"
    if block.count("\n") != len(lines) + 2 or "\r" in block.replace("\r\n", ""):
        raise RequestFailed("a header contains a line break")
    try:
        return block.encode("latin-1")
    except UnicodeEncodeError:
        raise RequestFailed("a header is not Latin-1 text") from None


def default_ssl_context() -> ssl.SSLContext:
    """Certificates verified against the system's CAs (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured) and,
    as httpx does, certifi's bundle when it is installed."""
    context = ssl.create_default_context()
    try:
        import certifi
    except ImportError:
        return context
    context.load_verify_locations(certifi.where())
    return context


class _Connection(asyncio.Protocol):
    """One connection; at most one request on it at a time."""

    def __init__(self, key: tuple[str, str, int]) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._start(0)

    def _start(self, keep: int) -> None:
        self.keep = keep
        self.status = 0
        self.headers_done = False
        self.informational = False
        self.complete = False
        self.keep_alive = False
        self.delimited = False  # by Content-Length or chunks, rather than by the server closing
        self.content_type = b""
        self.body = bytearray()
        self.received = 0
        self.failure: str | None = None

    # -- used by the client
    def usable(self, now: float) -> bool:
        transport = self.transport
        return (
            not self.closed
            and transport is not None
            and not transport.is_closing()
            and now - self.idle_since < IDLE_SECONDS
        )

    async def exchange(self, request: bytes, keep: int) -> Response:
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise RequestFailed("the connection was closed before the request was sent")
        self._start(keep)
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            transport.write(request)
            await self._waiter
        finally:
            self._waiter = None
        if self.failure is not None:
            raise RequestFailed(self.failure)
        return Response(self.status, bytes(self.body), self.content_type.decode("latin-1"), self.complete)

    @property
    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _resolve(self, failure: str | None = None) -> None:
        if failure is not None:
            self.failure = failure
            self.abort()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():  # nothing was asked: the connection is unusable
            self.abort()
            return
        self.received += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._resolve("the server switched protocols")
        except httptools.HttpParserError as exc:
            self._resolve(f"invalid HTTP response: {exc}")
        else:
            overlong = self.received > DRAIN_LIMIT and len(self.body) >= self.keep
            if overlong and self.headers_done and not self.complete:  # answered; the rest is not worth it
                self._resolve()
                self.abort()

    def eof_received(self) -> bool | None:
        return None  # close the transport; connection_lost settles any request

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is None or self._waiter.done():
            return
        if self.headers_done and not self.delimited and not self.informational:
            self.complete = True  # the server closing the connection ends this body
            self._resolve()
        elif self.received == 0:
            self._resolve("the connection was closed without an answer")
        else:
            self._resolve("the connection was closed in the middle of the answer")

    # -- httptools callbacks
    def on_message_begin(self) -> None:
        if self.complete:  # more than the one answer asked for: do not trust the connection again
            self.keep_alive = False
            self.closed = True

    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"content-type":
            self.content_type = value
        elif lowered in (b"content-length", b"transfer-encoding"):
            self.delimited = True

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.informational = 100 <= self.status < 200
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        room = self.keep - len(self.body)
        if room > 0:
            self.body += body[:room]

    def on_message_complete(self) -> None:
        if self.informational:  # 100 Continue and the like: the answer follows
            self.headers_done = self.informational = self.delimited = False
            self.content_type = b""
            return
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()
        self._resolve()


class _Pool:
    def __init__(self) -> None:
        self.idle: list[_Connection] = []  # most recently used last
        self.open = 0  # connections open or being opened
        self.waiters: deque[asyncio.Future[_Connection | None]] = deque()


class WebhookClient:
    """Keep-alive HTTP/1.1 POSTs; see the module's documentation. Close it with :meth:`aclose`."""

    def __init__(
        self,
        *,
        timeout: float = DELIVERY_TIMEOUT,
        max_per_host: int = 64,
        ssl_context: ssl.SSLContext | None = None,
        deny_private: bool = False,
    ) -> None:
        """``deny_private``: refuse loopback, private and CGNAT addresses too (see :func:`refusal`)."""
        self.timeout = timeout
        self.deny_private = deny_private
        self._max = max(1, max_per_host)
        self._ssl = ssl_context
        self._pools: dict[tuple[str, str, int], _Pool] = {}
        self._targets: dict[str, _Target] = {}
        self._sweeper: asyncio.TimerHandle | None = None

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        keep: int = 2048,
    ) -> Response:
        """POST ``body`` with ``headers`` (plus Host and Content-Length); the status and the first ``keep``
        bytes of the answer. ``TimeoutError`` after the client's ``timeout`` seconds in all,
        :class:`RequestFailed` for any other failure."""
        target = self._targets.get(url)
        if target is None:
            target = _target(url)
            if len(self._targets) >= MAX_CACHED_URLS:
                self._targets.clear()
            self._targets[url] = target
        request = target.head + _header_block(headers, len(body)) + body
        async with asyncio.timeout(self.timeout):
            connection = await self._acquire(target.key)
            try:
                response = await connection.exchange(request, keep)
            except BaseException:
                connection.abort()
                self._release(connection)
                raise
            self._release(connection)
            return response

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            for connection in pool.idle:
                connection.abort()
            pool.idle.clear()
            for waiter in pool.waiters:
                waiter.cancel()

    # -- the pool
    async def _acquire(self, key: tuple[str, str, int]) -> _Connection:
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool()
        now = asyncio.get_running_loop().time()
        while pool.idle:
            connection = pool.idle.pop()
            if connection.usable(now):
                return connection
            connection.abort()  # closed by the server while idle, or idle too long: nothing was sent
            pool.open -= 1
        if pool.open >= self._max:
            waiter: asyncio.Future[_Connection | None] = asyncio.get_running_loop().create_future()
            pool.waiters.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._hand_back(pool, waiter.result())
                elif waiter in pool.waiters:
                    pool.waiters.remove(waiter)
                raise
            if handed is not None and handed.usable(asyncio.get_running_loop().time()):
                return handed
            if handed is not None:  # closed since it was handed over: its place is ours
                handed.abort()
        else:
            pool.open += 1
        try:  # a place in the pool is ours: open a connection in it
            return await self._connect(key)
        except BaseException:
            self._hand_back(pool, None)
            raise

    def _release(self, connection: _Connection) -> None:
        pool = self._pools.get(connection.key)
        if pool is None:  # the client was closed meanwhile
            connection.abort()
            return
        if connection.reusable:
            connection.idle_since = asyncio.get_running_loop().time()
            self._hand_back(pool, connection)
        else:
            connection.abort()
            self._hand_back(pool, None)

    def _hand_back(self, pool: _Pool, connection: _Connection | None) -> None:
        """Give a connection (or, with None, the place of one that closed) to the next waiter, if any."""
        while pool.waiters:
            waiter = pool.waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is None:
            pool.open -= 1
            return
        pool.idle.append(connection)
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(IDLE_SECONDS, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle for ``IDLE_SECONDS`` (oldest first in each pool); again later while
        any connection is idle."""
        self._sweeper = None
        now = asyncio.get_running_loop().time()
        for key, pool in list(self._pools.items()):
            while pool.idle and not pool.idle[0].usable(now):
                pool.idle.pop(0).abort()
                pool.open -= 1
            if not pool.idle and not pool.open and not pool.waiters:
                del self._pools[key]
        if any(pool.idle for pool in self._pools.values()):
            self._sweeper = asyncio.get_running_loop().call_later(IDLE_SECONDS / 2, self._sweep)

    async def _connect(self, key: tuple[str, str, int]) -> _Connection:
        scheme, host, port = key
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = default_ssl_context()
            context = self._ssl
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise RequestFailed(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not addresses:
            raise RequestFailed(f"cannot resolve host {host!r}: no address")
        for address in addresses:  # every one, so that no answer of the resolver can get through
            reason = refusal(address, deny_private=self.deny_private)
            if reason is not None:
                raise AddressRefused(f"refused: {reason}")
        failure = ""
        for address in addresses:  # the vetted addresses themselves: the name is not resolved again
            try:
                _, connection = await loop.create_connection(
                    lambda: _Connection(key),
                    address,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                )
            except ssl.SSLCertVerificationError as exc:
                raise RequestFailed(f"TLS certificate verification failed: {exc.verify_message}") from None
            except ssl.SSLError as exc:
                raise RequestFailed(f"TLS handshake failed: {exc.reason or exc}") from None
            except ConnectionRefusedError:
                failure = f"connection refused by {host}:{port}"
            except OSError as exc:
                failure = f"cannot connect to {host}:{port}: {exc.strerror or exc}"
            else:
                return connection
        raise RequestFailed(failure)
