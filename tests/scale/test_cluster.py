"""Three ``moot serve`` processes behind nginx, sharing one PostgreSQL database and one Redis.

Concurrent clients create, update and delete meetings through the balancer while one process is killed
with SIGKILL and started again. Afterwards: every meeting acknowledged with 201 exists with its last
acknowledged state, no id collides, every acknowledged change's webhook event arrived at least once and
none twice unless its delivery was cut off by the kill, and a burst through the balancer gets at most one
account's per-second limit of 2xx in any second (one limit across processes, counted in Redis).
This is the deployment docs/deploy.md ("A cluster behind nginx") describes.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import math
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from moot.api.app import build_deps
from moot.config import Settings
from moot.domain.accounts import Plan
from moot.domain.ratelimits import PER_SECOND_MESSAGE
from moot.services.accounts import create_account, create_app
from tests.scale.checks import event_problems, meeting_events, missing_events
from tests.support.cluster import Node, cluster, free_ports, nginx, nginx_binary, wait_for
from tests.support.databases import POSTGRES_URL_ENV
from tests.support.live_server import server_env
from tests.support.receiver import Delivery, Receiver
from tests.support.stored import stored_app
from tests.support.workload import Ledger, join_writers, listed_meetings, run_writers

REDIS_URL_ENV = "MOOT_TEST_REDIS_URL"
ACCOUNT_ID = "clusterAccount00000001"
CLIENT_ID = "clusterClient000000001"
CLIENT_SECRET = "clusterSecret0000000000000000001"
SECRET = "cluster-w3bh00k-secret"
NODES = 3
WRITERS = 6
SEED = 20261129
LEASE_SECONDS = 4
# A delivery cut off by the kill was sent by the dead process shortly before it died (answers take
# milliseconds; the delivery timeout is 3 s): only such a delivery may arrive a second time.
CUT_OFF_WINDOW = 5.0
# Bytes the dead process had written reach the receiver after it died (the kernel still sends a killed
# process's socket buffers before closing them): such a copy may arrive a little after the death.
IN_FLIGHT_GRACE = 1.0
BURST = 60
LIGHT_FREE_X5 = 20  # GET /users/{userId} is Light: 4/s on the free plan, times 5

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(POSTGRES_URL_ENV), reason=f"{POSTGRES_URL_ENV} is not set"),
    pytest.mark.skipif(not os.environ.get(REDIS_URL_ENV), reason=f"{REDIS_URL_ENV} is not set"),
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (apt-get install nginx-light)"),
]


def access_token(base_url: str, account_id: str, client_id: str, client_secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    response = httpx.post(
        f"{base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": account_id},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def limited_account(db_url: str) -> tuple[str, str, str]:
    """An account on the free plan with Zoom's limits times 5, and an app on it: account id, client id
    and secret (as ``moot accounts create --plan free --rate-limits x5`` and ``moot apps create`` do)."""

    async def create() -> tuple[str, str, str]:
        deps = await build_deps(Settings(db_url=db_url))
        try:
            account, _ = await create_account(
                deps, owner_email="limited@example.com", plan=Plan.FREE, rate_limits="x5"
            )
            app, secret = await create_app(deps, account_id=account.id)
            return account.id, app.client_id, secret
        finally:
            await deps.store.close()

    return asyncio.run(create())


@dataclass(frozen=True)
class Answer:
    sent: float
    answered: float
    status: int
    headers: dict[str, str]
    body: bytes


def burst(base_url: str, token: str) -> list[Answer]:
    """``BURST`` concurrent GET /users/me through the balancer, each on a connection opened beforehand,
    released together just after a second starts."""
    host, port = base_url.removeprefix("http://").split(":")

    def to_next_second() -> None:
        time.sleep(math.ceil(time.time()) - time.time() + 0.02)

    barrier = threading.Barrier(BURST, action=to_next_second)

    def one(_: int) -> Answer:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            sent = time.time()
            connection.request("GET", "/v2/users/me", headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            answer = Answer(sent, time.time(), response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()
        return answer

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(one, range(BURST)))


def per_second(answers: list[Answer]) -> dict[int, list[Answer]]:
    """Answers by the second they were surely counted in (sent and answered within it)."""
    seconds: dict[int, list[Answer]] = {}
    for answer in answers:
        if math.floor(answer.sent) == math.floor(answer.answered):
            seconds.setdefault(math.floor(answer.sent), []).append(answer)
    return seconds


def assert_one_limit_across_processes(base_url: str, token: str) -> None:
    for _ in range(3):  # a burst that did not fit in one second on a slow machine is sent again
        answers = burst(base_url, token)
        assert {a.status for a in answers} <= {200, 429}, [a.body for a in answers]
        for second, inside in per_second(answers).items():
            ok = [a for a in inside if a.status == 200]
            assert len(ok) <= LIGHT_FREE_X5, f"{len(ok)} answers 200 in second {second}"
        for answer in answers:
            if answer.status == 429:
                assert json.loads(answer.body) == {"code": 429, "message": PER_SECOND_MESSAGE}
                headers = {name.lower(): value for name, value in answer.headers.items()}
                assert (headers["x-ratelimit-type"], headers["x-ratelimit-limit"]) == (
                    "QPS",
                    str(LIGHT_FREE_X5),
                )
        if any(len(inside) > LIGHT_FREE_X5 for inside in per_second(answers).values()):
            return  # the limit was exceeded within one second, and held
    raise AssertionError(f"no burst of {BURST} requests fitted in one second")


def endpoint_active(db_url: str) -> bool:
    found = stored_app(db_url, CLIENT_ID)
    return found is not None and found.webhook is not None and found.webhook.active


def test_a_cluster_behind_nginx_survives_a_sigkill(tmp_path: Path, fresh_postgres_url: str) -> None:
    database = fresh_postgres_url
    binary = nginx_binary()
    assert binary is not None
    rng = random.Random(SEED)
    (*ports,) = free_ports(NODES)
    with Receiver(SECRET) as receiver:
        env = server_env(
            MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
            MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
            MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
            MOOT_BOOTSTRAP_USER_EMAIL="cluster@example.com",
            MOOT_BOOTSTRAP_RATE_LIMITS="off",
            MOOT_BOOTSTRAP_WEBHOOK_URL=receiver.url,
            MOOT_BOOTSTRAP_WEBHOOK_SECRET=SECRET,
            MOOT_REDIS_URL=os.environ[REDIS_URL_ENV],
            MOOT_WEBHOOK_LEASE_SECONDS=str(LEASE_SECONDS),
            MOOT_WEBHOOK_POLL_INTERVAL="0.2",
        )
        with nginx(binary, tmp_path / "nginx", ports) as balancer:
            nodes = [Node(tmp_path, port, database, env, public_url=balancer.url) for port in ports]
            with cluster(nodes):
                wait_for(lambda: endpoint_active(database), timeout=15, what="the webhook endpoint is active")
                token = access_token(balancer.url, ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET)
                ledger = Ledger()
                stop = threading.Event()
                writers = run_writers(
                    balancer.url, token, ledger, count=WRITERS, seed=SEED, stop=stop, prefix="w"
                )
                try:
                    acked = ledger.acknowledged
                    wait_for(lambda: acked() >= 60, timeout=30, what="60 acknowledged writes")
                    victim = rng.choice(nodes)
                    killed_at = time.time()
                    victim.kill()
                    dead_at = time.time()
                    before = acked()
                    wait_for(lambda: acked() >= before + 60, timeout=30, what="writes while a node is down")
                    victim.start()
                    before = acked()
                    wait_for(lambda: acked() >= before + 90, timeout=30, what="writes after the restart")
                finally:
                    stop.set()
                    join_writers(writers)

                assert httpx.get(f"{balancer.url}/metrics").status_code == 403
                with httpx.Client(base_url=balancer.url, timeout=30) as http:
                    listed = listed_meetings(http, token)
                problems = ledger.verify(listed)
                assert not problems, "\n".join(problems[:20])
                assert ledger.statuses["POST 201"] >= 60, ledger.statuses
                unexpected = {k for k in ledger.statuses if k.split()[1] not in ("201", "204", "404", "502")}
                assert not unexpected, ledger.statuses

                wait_for(
                    lambda: not missing_events(receiver.deliveries, ledger),
                    timeout=30,
                    what="every acknowledged change's event",
                )

                def cut_off_by_the_kill(copies: list[Delivery]) -> bool:
                    first, *again = copies
                    return (
                        len(again) == 1
                        and killed_at - CUT_OFF_WINDOW <= first.received_at <= dead_at + IN_FLIGHT_GRACE
                        and again[0].received_at >= killed_at
                    )

                limited = access_token(balancer.url, *limited_account(database))
                assert_one_limit_across_processes(balancer.url, limited)
            # Every process has stopped: nothing is on its way any more.
            copies = Counter(d.body for d in meeting_events(receiver.deliveries))
            print(f"answers: {dict(ledger.statuses)}; sent twice: {sum(n > 1 for n in copies.values())}")
            first_copies = sorted(
                min(d.received_at for d in meeting_events(receiver.deliveries) if d.body == body) - dead_at
                for body, n in copies.items()
                if n > 1
            )
            print("first copies of those, seconds after the death:", [round(t, 3) for t in first_copies])
            problems = event_problems(receiver.deliveries, ledger, duplicate_allowed=cut_off_by_the_kill)
            killed = f"killed at {killed_at:.3f}, dead at {dead_at:.3f}"
            assert not problems, "\n".join([killed, *problems[:20]])
