"""The rate limiter's counters: in memory, and in Redis (a scripted stand-in server, and the real one
when MOOT_TEST_REDIS_URL is set)."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from moot.services import counters
from moot.services.counters import (
    SCRIPT_SHA,
    MemoryCounters,
    RedisAddress,
    RedisCounters,
    RedisError,
    command,
    parse,
)

REDIS_URL = os.environ.get("MOOT_TEST_REDIS_URL")


# --- in memory -------------------------------------------------------------------------------------------


def test_memory_counts_each_key_and_stops_a_chain_past_a_limit() -> None:
    memory = MemoryCounters()
    assert memory.incr([("a", 10, 2), ("b", 10, 100)]) == [1, 1]
    assert memory.incr([("a", 10, 2), ("b", 10, 100)]) == [2, 2]
    assert memory.incr([("a", 10, 2), ("b", 10, 100)]) == [3]  # over a's limit: b is not counted
    assert memory.incr([("b", 10, 100)]) == [3]
    memory.clear()
    assert memory.incr([("a", 10, 2)]) == [1]


def test_memory_counters_expire_and_are_purged(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(counters.time, "monotonic", lambda: now[0])
    memory = MemoryCounters()
    memory.incr([("second", 2, 10), ("day", 100, 10)])
    memory.incr([("second", 2, 10), ("day", 100, 10)])
    now[0] += 2
    assert memory.incr([("second", 2, 10), ("day", 100, 10)]) == [1, 3]  # the second's counter expired
    memory.incr([("other", 1, 10)])
    now[0] += MemoryCounters.PURGE_SECONDS
    memory.incr([("day", 100, 10)])
    assert len(memory) == 1  # "second" and "other" purged


# --- RESP --------------------------------------------------------------------------------------------------


def test_parse_reads_whole_replies_and_waits_for_the_rest() -> None:
    reply = b"*3\r\n:1\r\n$3\r\nabc\r\n*2\r\n+OK\r\n$-1\r\n-ERR oops\r\n"
    first_end = reply.index(b"-ERR")
    buffer = bytearray(reply)
    value, end = parse(buffer, 0)
    assert (value, end) == ([1, b"abc", [b"OK", None]], first_end)
    error, end = parse(buffer, end)
    assert isinstance(error, RedisError) and str(error) == "ERR oops" and end == len(reply)
    for cut in range(first_end):  # any prefix of a reply is incomplete
        assert parse(bytearray(reply[:cut]), 0)[0] is counters._INCOMPLETE
    with pytest.raises(RedisError):
        parse(bytearray(b"?what\r\n"), 0)


def test_command_is_an_array_of_bulk_strings() -> None:
    assert command(b"INCR", b"k") == b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"
    assert parse(bytearray(command(b"A", b"", b"bc")), 0)[0] == [b"A", b"", b"bc"]


def test_redis_urls() -> None:
    assert RedisAddress.parse("redis://127.0.0.1:6379/0") == RedisAddress("127.0.0.1", 6379)
    assert RedisAddress.parse("redis://:s%40cret@cache:6380/2") == RedisAddress(
        "cache", 6380, password="s@cret", db=2
    )
    tls = RedisAddress.parse("rediss://user:pw@cache?db=3")
    assert (tls.tls, tls.username, tls.password, tls.db, tls.port) == (True, "user", "pw", 3, 6379)
    assert RedisAddress.parse("unix:///run/redis.sock?db=1") == RedisAddress(
        unix_path="/run/redis.sock", db=1
    )
    assert "pw" not in repr(tls)
    for bad in ("http://cache", "redis://cache/x", "unix://"):
        with pytest.raises(ValueError):
            RedisAddress.parse(bad)
    assert RedisAddress.parse("redis://:pw@h/4").setup()[:2] == [
        command(b"AUTH", b"pw"),
        command(b"SELECT", b"4"),
    ]


# --- a scripted stand-in for Redis -------------------------------------------------------------------------


@dataclass
class FakeRedis:
    """Answers what the counters send, running the script in Python; can forget the script, stay
    silent, hang up or answer a byte at a time."""

    port: int = 0
    received: list[list[bytes]] = field(default_factory=list)
    values: dict[bytes, int] = field(default_factory=dict)
    expiries: dict[bytes, int] = field(default_factory=dict)
    scripts: set[bytes] = field(default_factory=set)
    forget_scripts: bool = False
    silent: bool = False
    hang_up: bool = False
    trickle: bool = False

    def run(self, keys: list[bytes], argv: list[bytes]) -> bytes:
        counts, over = [], False
        for i, key in enumerate(keys):
            expiry, limit, first = argv[3 * i : 3 * i + 3]
            over = over and first != b"1"
            if over:
                counts.append(0)
                continue
            self.values[key] = self.values.get(key, 0) + 1
            self.expiries.setdefault(key, int(expiry))
            counts.append(self.values[key])
            over = self.values[key] > int(limit)
        return b"*%d\r\n" % len(counts) + b"".join(b":%d\r\n" % n for n in counts)

    def answer(self, request: list[bytes]) -> bytes | None:
        self.received.append(request)
        name = request[0].upper()
        if name in (b"AUTH", b"SELECT"):
            return b"+OK\r\n"
        if name == b"PING":
            return b"+PONG\r\n"
        if name == b"SCRIPT":
            if not self.forget_scripts:
                self.scripts.add(SCRIPT_SHA)
            return b"$40\r\n" + SCRIPT_SHA + b"\r\n"
        if self.silent:
            return None
        if name == b"EVALSHA" and request[1] not in self.scripts:
            self.forget_scripts = False
            return b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
        count = int(request[2])
        return self.run(request[3 : 3 + count], request[3 + count :])

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        while data := await reader.read(65536):
            buffer += data
            while True:
                request, end = parse(buffer, 0)
                if request is counters._INCOMPLETE:
                    break
                del buffer[:end]
                assert isinstance(request, list)
                if self.hang_up and request[0].upper().startswith(b"EVAL"):
                    writer.close()
                    return
                reply = self.answer(request)
                if reply is None:
                    continue
                if self.trickle:
                    for i in range(len(reply)):
                        writer.write(reply[i : i + 1])
                        await writer.drain()
                        await asyncio.sleep(0)
                else:
                    writer.write(reply)
        writer.close()

    def evals(self) -> list[list[bytes]]:
        return [request for request in self.received if request[0].startswith(b"EVAL")]


@pytest.fixture
async def fake() -> AsyncIterator[FakeRedis]:
    fake = FakeRedis()
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    async with server:
        yield fake
        server.close()


def counters_on(fake: FakeRedis, url: str = "", **options: float) -> RedisCounters:
    return RedisCounters(RedisAddress.parse(url or f"redis://127.0.0.1:{fake.port}/0"), **options)


async def test_requests_of_one_loop_turn_share_one_script_call(fake: FakeRedis) -> None:
    redis = counters_on(fake)
    chain = [("moot:w:a", 2, 3), ("moot:d:a", 172_800, 100)]
    results = await asyncio.gather(*(redis.incr(chain) for _ in range(5)), redis.incr([("moot:h:u", 9, 1)]))
    assert results == [[1, 1], [2, 2], [3, 3], [4], [5], [1]]  # past 3 a second, the day is not counted
    assert len(fake.evals()) == 1 and fake.evals()[0][0] == b"EVALSHA"
    assert fake.values == {b"LIMITS:moot:w:a": 5, b"LIMITS:moot:d:a": 3, b"LIMITS:moot:h:u": 1}
    assert fake.expiries == {b"LIMITS:moot:w:a": 2, b"LIMITS:moot:d:a": 172_800, b"LIMITS:moot:h:u": 9}
    assert await redis.incr([("moot:h:u", 9, 1)]) == [2]
    assert len(fake.evals()) == 2
    await redis.close()


async def test_it_authenticates_and_selects_the_database(fake: FakeRedis) -> None:
    redis = counters_on(fake, f"redis://:pw@127.0.0.1:{fake.port}/5")
    assert await redis.incr([("k", 1, 1)]) == [1]
    assert fake.received[:2] == [[b"AUTH", b"pw"], [b"SELECT", b"5"]]
    await redis.close()


async def test_a_forgotten_script_is_sent_whole(fake: FakeRedis) -> None:
    fake.forget_scripts = True
    redis = counters_on(fake)
    assert await asyncio.gather(redis.incr([("k", 1, 9)]), redis.incr([("k", 1, 9)])) == [[1], [2]]
    assert [request[0] for request in fake.evals()] == [b"EVALSHA", b"EVAL"]
    assert await redis.incr([("k", 1, 9)]) == [3]
    await redis.close()


async def test_replies_in_pieces_are_put_together(fake: FakeRedis) -> None:
    fake.trickle = True
    redis = counters_on(fake)
    assert await asyncio.gather(*(redis.incr([(f"k{i}", 1, 9), ("all", 1, 99)]) for i in range(12))) == [
        [1, n] for n in range(1, 13)
    ]
    await redis.close()


async def test_no_answer_in_time_lets_requests_through_and_warns(
    fake: FakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    fake.silent = True
    redis = counters_on(fake, timeout=0.2)
    with caplog.at_level(logging.WARNING, "moot.ratelimits"):
        assert await asyncio.wait_for(redis.incr([("k", 1, 9)]), 2) is None
    assert "no answer in 0.2 s" in caplog.text
    fake.silent = False
    assert await redis.incr([("k", 1, 9)]) == [1]  # on a new connection
    await redis.close()


async def test_a_dropped_connection_lets_requests_through_then_reconnects(
    fake: FakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    redis = counters_on(fake)
    assert await redis.incr([("k", 1, 9)]) == [1]
    fake.hang_up = True
    with caplog.at_level(logging.WARNING, "moot.ratelimits"):
        assert await redis.incr([("k", 1, 9)]) is None
    assert "connection lost" in caplog.text
    fake.hang_up = False
    assert await redis.incr([("k", 1, 9)]) == [2]
    await redis.close()


async def test_unreachable_redis_lets_requests_through_and_retries_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on the port any more
    redis = RedisCounters(RedisAddress.parse(f"redis://127.0.0.1:{port}"), retry_seconds=60)
    with caplog.at_level(logging.WARNING, "moot.ratelimits"):
        assert await asyncio.gather(redis.incr([("k", 1, 9)]), redis.incr([("k", 1, 9)])) == [None, None]
        assert await redis.incr([("k", 1, 9)]) is None  # no new attempt before retry_seconds
    assert [r.message for r in caplog.records if "unreachable" in r.message] and len(caplog.records) == 1
    await redis.close()


# --- the real Redis ----------------------------------------------------------------------------------------

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="MOOT_TEST_REDIS_URL is not set")


@needs_redis
async def test_two_clients_on_one_redis_count_exactly_once_each() -> None:
    assert REDIS_URL is not None
    key = f"moot:test:{uuid.uuid4().hex}"
    one, two = RedisCounters.from_url(REDIS_URL), RedisCounters.from_url(REDIS_URL)
    chain = [(key, 30, 1_000), (f"{key}:day", 30, 50)]
    results = await asyncio.gather(*(client.incr(chain) for _ in range(60) for client in (one, two)))
    assert sorted(counts[0] for counts in results if counts) == list(range(1, 121))
    days = sorted(counts[1] for counts in results if counts)
    assert days == list(range(1, 121))  # the first step's limit is not reached: every request counted
    over = await asyncio.gather(*(one.incr([(f"{key}:x", 30, 2), (f"{key}:y", 30, 99)]) for _ in range(4)))
    assert over == [[1, 1], [2, 2], [3], [4]]
    await one.close()
    await two.close()
