"""One ``moot serve`` on SQLite, killed with SIGKILL at random moments under load, again and again.

After every kill the database passes ``PRAGMA integrity_check``; after every restart each write answered
2xx is there (creates, last acknowledged updates, deletes), nothing appears that no one asked for, and
the writes whose answer the kill cut off are either wholly there or wholly absent. At the end every
acknowledged change's webhook event has reached the receiver: deliveries pending at a kill resume.
The moments are drawn from a seeded generator, so a failing run repeats.
"""

from __future__ import annotations

import base64
import random
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.scale.checks import event_problems, missing_events
from tests.support.cluster import Node, free_ports, wait_for
from tests.support.live_server import server_env
from tests.support.receiver import Receiver
from tests.support.stored import stored_app
from tests.support.workload import Ledger, join_writers, listed_meetings, run_writers

ACCOUNT_ID = "crashAccount0000000001"
CLIENT_ID = "crashClient00000000001"
CLIENT_SECRET = "crashSecret00000000000000000001"
SECRET = "crash-w3bh00k-secret"
SEED = 7
KILLS = 20
BUDGET = 45.0  # seconds for the kill loop: a slow machine does fewer kills (at least MIN_KILLS)
MIN_KILLS = 5
WRITERS = 4


def access_token(base_url: str) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    response = httpx.post(
        f"{base_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ACCOUNT_ID},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def integrity(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def test_acknowledged_writes_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    path = tmp_path / "moot.db"
    db_url = f"sqlite:///{path}"
    with Receiver(SECRET) as receiver:
        env = server_env(
            MOOT_BOOTSTRAP_ACCOUNT_ID=ACCOUNT_ID,
            MOOT_BOOTSTRAP_CLIENT_ID=CLIENT_ID,
            MOOT_BOOTSTRAP_CLIENT_SECRET=CLIENT_SECRET,
            MOOT_BOOTSTRAP_USER_EMAIL="crash@example.com",
            MOOT_BOOTSTRAP_RATE_LIMITS="off",
            MOOT_BOOTSTRAP_WEBHOOK_URL=receiver.url,
            MOOT_BOOTSTRAP_WEBHOOK_SECRET=SECRET,
            MOOT_WEBHOOK_LEASE_SECONDS="4",
            MOOT_WEBHOOK_POLL_INTERVAL="0.2",
        )
        [port] = free_ports(1)
        node = Node(tmp_path, port, db_url, env)
        ledger = Ledger()
        kills = 0
        try:
            node.start()
            wait_for(
                lambda: (
                    (app := stored_app(db_url, CLIENT_ID)) is not None
                    and app.webhook is not None
                    and app.webhook.active
                ),
                timeout=15,
                what="the webhook endpoint is active",
            )
            token = access_token(node.base_url)
            with httpx.Client(base_url=node.base_url, timeout=30) as http:
                deadline = time.monotonic() + BUDGET
                for kill in range(KILLS):
                    if kill >= MIN_KILLS and time.monotonic() > deadline:
                        break
                    stop = threading.Event()
                    writers = run_writers(
                        node.base_url,
                        token,
                        ledger,
                        count=WRITERS,
                        seed=SEED + kill,
                        stop=stop,
                        prefix=f"k{kill}w",
                    )
                    try:
                        before = ledger.acknowledged()
                        wait_for(
                            lambda: ledger.acknowledged() >= before + 8,  # noqa: B023
                            timeout=30,
                            what="writes under way",
                        )
                        time.sleep(rng.uniform(0.0, 0.25))  # a random moment under load
                        node.kill()
                        kills += 1
                    finally:
                        stop.set()
                        join_writers(writers)
                    assert integrity(path) == ["ok"], f"after kill {kill + 1}"
                    node.start()
                    problems = ledger.verify(listed_meetings(http, token))
                    assert not problems, f"after kill {kill + 1}:\n" + "\n".join(problems[:20])
            print(f"{kills} kills; answers: {dict(ledger.statuses)}")  # shown when the test fails
            assert kills >= MIN_KILLS and len(ledger.acked_creates) >= kills * 2, ledger.statuses
            wait_for(
                lambda: not missing_events(receiver.deliveries, ledger),
                timeout=30,
                what="every acknowledged change's event",
            )
        finally:
            node.stop()
        # Duplicates are expected here: a delivery cut off by a kill is sent again after the restart.
        problems = event_problems(receiver.deliveries, ledger, duplicate_allowed=lambda copies: True)
        assert not problems, "\n".join(problems[:20])
        assert integrity(path) == ["ok"]
