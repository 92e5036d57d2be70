"""The rate limiter's counters: in memory (one process), or in Redis (shared by every process on it).

Both count *chains* of steps: each step increments one counter (created with an expiry) and gives its
count, and once a count passes its step's limit the rest of the chain is not counted (a request refused
per second is not counted against the day). A step whose expiry is 0 (``PEEK``) reads its counter without
counting (0 when it does not exist).

In Redis, one small Lua script runs a whole batch of chains atomically, and every request that asks in
the same event-loop turn shares one batch: one round trip, one command and one reply for all of them.
The client is a minimal RESP speaker on one pipelined connection because a general-purpose client spends
several times more CPU per round trip than the request it guards can afford (redis-py: about 65 us a call,
coredis through ``limits``: about 110; this: about 15, shared by the batch).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("moot.ratelimits")

# (key, seconds until a new counter expires, limit): the steps of a chain after the first whose count
# passes its limit are not counted.
Step = tuple[str, int, int]
PEEK = 0  # as a step's expiry: read the counter, do not count


class _Counter:
    __slots__ = ("count", "expires")

    def __init__(self, expires: float) -> None:
        self.count = 1
        self.expires = expires  # time.monotonic()


class MemoryCounters:
    """Counters in a dict, expired by monotonic time and purged of expired ones now and then."""

    PURGE_SECONDS = 10.0

    def __init__(self) -> None:
        self._items: dict[str, _Counter] = {}
        self._next_purge = time.monotonic() + self.PURGE_SECONDS

    def incr(self, steps: Sequence[Step]) -> list[int]:
        """The counts after this request, one per step counted."""
        now = time.monotonic()
        if now >= self._next_purge:
            self._purge(now)
        items = self._items
        counts: list[int] = []
        for key, expiry, limit in steps:
            counter = items.get(key)
            if expiry == PEEK:
                count = counter.count if counter is not None and counter.expires > now else 0
            elif counter is None or counter.expires <= now:
                items[key] = _Counter(now + expiry)
                count = 1
            else:
                count = counter.count = counter.count + 1
            counts.append(count)
            if count > limit:
                break
        return counts

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def _purge(self, now: float) -> None:
        self._next_purge = now + self.PURGE_SECONDS
        expired = [key for key, counter in self._items.items() if counter.expires <= now]
        for key in expired:
            del self._items[key]


# KEYS: every step's key; ARGV: for each step, its expiry (0: read, do not count), its limit and 1 when it
# starts a chain. Answers each step's count, 0 for those not counted.
SCRIPT = b"""
local counts = {}
local over = false
for i, key in ipairs(KEYS) do
  local j = 3 * i
  if ARGV[j] == '1' then over = false end
  if over then
    counts[i] = 0
  elseif ARGV[j - 2] == '0' then
    local n = tonumber(redis.call('GET', key) or '0')
    counts[i] = n
    over = n > tonumber(ARGV[j - 1])
  else
    local n = redis.call('INCR', key)
    if n == 1 then redis.call('EXPIRE', key, ARGV[j - 2]) end
    counts[i] = n
    over = n > tonumber(ARGV[j - 1])
  end
end
return counts
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT, usedforsecurity=False).hexdigest().encode()
# The prefix the `limits` library gave its keys: processes of earlier versions count in the same keys.
KEY_PREFIX = b"LIMITS:"


class RedisError(Exception):
    """An error reply from Redis, or no answer from it."""


def command(*args: bytes) -> bytes:
    """One command in RESP."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


_INCOMPLETE = object()


def parse(buffer: bytearray, pos: int) -> tuple[object, int]:
    """One RESP2 reply from ``buffer`` at ``pos`` and where the next one starts; ``_INCOMPLETE`` as
    the reply while the buffer does not hold all of it yet."""
    end = buffer.find(b"\r\n", pos)
    if end < 0:
        return _INCOMPLETE, pos
    kind = buffer[pos]
    line = buffer[pos + 1 : end]
    pos = end + 2
    if kind == 58:  # ':' integer
        return int(line), pos
    if kind == 42:  # '*' array
        size = int(line)
        if size < 0:
            return None, pos
        items: list[object] = []
        for _ in range(size):
            item, pos = parse(buffer, pos)
            if item is _INCOMPLETE:
                return _INCOMPLETE, pos
            items.append(item)
        return items, pos
    if kind == 36:  # '$' bulk string
        size = int(line)
        if size < 0:
            return None, pos
        if len(buffer) < pos + size + 2:
            return _INCOMPLETE, pos
        return bytes(buffer[pos : pos + size]), pos + size + 2
    if kind == 43:  # '+' simple string
        return bytes(line), pos
    if kind == 45:  # '-' error
        return RedisError(line.decode(errors="replace")), pos
    raise RedisError(f"unexpected reply from Redis: {chr(kind)}{bytes(line)!r}")


@dataclass(frozen=True, slots=True)
class RedisAddress:
    host: str = "127.0.0.1"
    port: int = 6379
    unix_path: str | None = None
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    db: int = 0

    @classmethod
    def parse(cls, url: str) -> RedisAddress:
        """``redis://[[user]:password@]host[:port][/db]``, ``rediss://`` (TLS) or ``unix:///path[?db=N]``."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("redis", "rediss", "unix", "redis+unix"):
            raise ValueError(f"a Redis URL is redis://, rediss:// or unix://, not {scheme}://")
        unix = scheme in ("unix", "redis+unix")
        if unix and not parts.path:
            raise ValueError("a unix:// Redis URL names a socket: unix:///path/to/redis.sock")
        db_text = parse_qs(parts.query).get("db", [""])[0] or ("" if unix else parts.path.strip("/"))
        try:
            db = int(db_text or 0)
        except ValueError:
            raise ValueError(f"not a Redis database number: {db_text!r}") from None
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            unix_path=parts.path if unix else None,
            tls=scheme == "rediss",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            db=db,
        )

    def setup(self) -> list[bytes]:
        """The commands that open a connection: authentication, the database, the script."""
        commands = []
        if self.password is not None:
            credentials = [self.username.encode()] if self.username else []
            commands.append(command(b"AUTH", *credentials, self.password.encode()))
        if self.db:
            commands.append(command(b"SELECT", str(self.db).encode()))
        commands.append(command(b"SCRIPT", b"LOAD", SCRIPT))
        return commands


# A batch: each caller's chain and the future its counts go to.
Batch = list[tuple[Sequence[Step], asyncio.Future[list[int] | None]]]


class _Connection(asyncio.Protocol):
    """One pipelined connection: commands go out as they come, and their replies come back in order.
    A reply that does not come within ``timeout`` seconds, or one it cannot read, ends the connection
    and fails every command waiting on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self.loop = loop
        self._loop = loop
        self._timeout = timeout
        self._buffer = bytearray()
        self._waiting: deque[tuple[Callable[[object], None], float]] = deque()  # (takes the reply, sent)
        self._timer: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[None] = loop.create_future()
        self.lost = False

    def send(self, data: bytes, on_reply: Callable[[object], None]) -> None:
        assert self.transport is not None
        now = self._loop.time()
        self._waiting.append((on_reply, now))
        if self._timer is None:
            self._timer = self._loop.call_at(now + self._timeout, self._check_timeout)
        self.transport.write(data)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not asyncio.Transport's

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        pos = 0
        try:
            while pos < len(buffer):
                reply, end = parse(buffer, pos)
                if reply is _INCOMPLETE:
                    break
                pos = end
                on_reply, _ = self._waiting.popleft()
                on_reply(reply)
        except Exception as error:  # a reply it cannot read: nothing after it can be trusted
            self._abort(error)
            return
        del buffer[:pos]
        if not self._waiting and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisError(f"connection lost: {describe(exc) if exc else 'closed'}"))

    def close(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.close()

    def _check_timeout(self) -> None:
        self._timer = None
        if not self._waiting:
            return
        deadline = self._waiting[0][1] + self._timeout
        if deadline <= self._loop.time():
            self._abort(RedisError(f"no answer in {self._timeout:g} s"))
        else:
            self._timer = self._loop.call_at(deadline, self._check_timeout)

    def _abort(self, error: Exception) -> None:
        if self.transport is not None:
            self.transport.abort()
        self._fail(error)

    def _fail(self, error: Exception) -> None:
        if self.lost:
            return
        self.lost = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.ready.done():
            self.ready.set_exception(error)
        waiting, self._waiting = self._waiting, deque()
        for on_reply, _ in waiting:
            on_reply(error)


async def _open(connection: _Connection, address: RedisAddress) -> None:
    """Connect, authenticate, select the database, load the script and PING (callers bound the time)."""
    loop = connection.loop
    if address.unix_path is not None:
        await loop.create_unix_connection(lambda: connection, address.unix_path)
    else:
        tls = ssl.create_default_context() if address.tls else None
        await loop.create_connection(lambda: connection, address.host, address.port, ssl=tls)
    for data in address.setup():
        connection.send(data, _check_setup(connection))
    connection.send(command(b"PING"), _check_setup(connection, last=True))
    await connection.ready


async def ping(url: str, reply_seconds: float = 2.0) -> None:
    """Open a connection to the Redis at ``url`` as the counters do, and close it (readiness checks; the
    caller bounds the whole); raises what went wrong."""
    connection = _Connection(asyncio.get_running_loop(), reply_seconds)
    try:
        await _open(connection, RedisAddress.parse(url))
    finally:
        connection.close()


class RedisCounters:
    """Counters in Redis. Callers in one event-loop turn share one batch: one script call, one reply.

    When Redis cannot be reached, or does not answer within ``timeout`` seconds, the counts are None
    (the limiter then lets the request through) and a warning is logged; after a failed connection it
    tries again ``retry_seconds`` later, answering None meanwhile."""

    def __init__(self, address: RedisAddress, timeout: float = 2.0, retry_seconds: float = 1.0) -> None:
        self.address = address
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: Batch = []
        self._flush_scheduled = False
        self._connection: _Connection | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._unready: Batch = []  # batches waiting for the connection
        self._retry_at = 0.0

    @classmethod
    def from_url(cls, url: str) -> RedisCounters:
        return cls(RedisAddress.parse(url))

    async def incr(self, steps: Sequence[Step]) -> list[int] | None:
        """The counts after this request, one per step counted; None when Redis is unreachable."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        future: asyncio.Future[list[int] | None] = loop.create_future()
        self._pending.append((steps, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    async def close(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            self._connecting = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        batch, self._unready = self._unready, []
        _answer(batch, None)

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start afresh on another event loop (what the last one left cannot be used from this one)."""
        if self._connection is not None and self._loop is not None and not self._loop.is_closed():
            self._connection.close()
        self._loop = loop
        self._pending, self._unready, self._flush_scheduled = [], [], False
        self._connection = self._connecting = None
        self._retry_at = 0.0

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._pending = self._pending, []
        connection = self._connection
        if connection is not None and not connection.lost:
            self._send(connection, batch)
            return
        assert self._loop is not None
        if self._loop.time() < self._retry_at:
            _answer(batch, None)
            return
        self._unready += batch
        if self._connecting is None:
            self._connecting = self._loop.create_task(self._connect())

    async def _connect(self) -> None:
        assert self._loop is not None
        loop = self._loop
        connection = _Connection(loop, self.timeout)
        try:
            async with asyncio.timeout(self.timeout):
                await _open(connection, self.address)
        except Exception as error:
            connection.close()
            self._retry_at = loop.time() + self.retry_seconds
            log.warning("rate-limit counters unreachable (%s); requests allowed", describe(error))
            batch, self._unready = self._unready, []
            _answer(batch, None)
            return
        finally:
            self._connecting = None
        self._connection = connection
        batch, self._unready = self._unready, []
        if batch:
            self._send(connection, batch)

    def _send(self, connection: _Connection, batch: Batch, script: bytes = b"EVALSHA") -> None:
        if connection.lost:
            _answer(batch, None)
            return
        keys: list[bytes] = []
        args: list[bytes] = []
        for steps, _ in batch:
            first = b"1"
            for key, expiry, limit in steps:
                keys.append(KEY_PREFIX + key.encode())
                args += (b"%d" % expiry, b"%d" % limit, first)
                first = b"0"
        body = SCRIPT_SHA if script == b"EVALSHA" else SCRIPT

        def on_reply(reply: object) -> None:
            if isinstance(reply, list):
                at = 0
                for steps, future in batch:
                    counts = [count for count in reply[at : at + len(steps)] if count]
                    at += len(steps)
                    if not future.done():
                        future.set_result(counts)
            elif isinstance(reply, RedisError) and str(reply).startswith("NOSCRIPT") and script != b"EVAL":
                self._send(connection, batch, b"EVAL")  # Redis lost the script: send it whole
            else:
                log.warning("rate-limit counters unreachable (%s); requests allowed", reply)
                _answer(batch, None)

        connection.send(command(script, body, b"%d" % len(keys), *keys, *args), on_reply)


def describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _answer(batch: Batch, counts: list[int] | None) -> None:
    for _, future in batch:
        if not future.done():
            future.set_result(counts)


def _check_setup(connection: _Connection, last: bool = False) -> Callable[[object], None]:
    """Takes the reply to one of the commands opening ``connection``: an error fails the opening, and
    the reply to the last one completes it."""

    def on_reply(reply: object) -> None:
        if connection.ready.done():
            return
        if isinstance(reply, RedisError):
            connection.ready.set_exception(reply)
        elif last:
            connection.ready.set_result(None)

    return on_reply
