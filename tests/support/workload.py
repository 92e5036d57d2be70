"""Clients that create, update and delete meetings, and a ledger of what the server acknowledged.

Each client owns the meetings it created, so one meeting's writes never race. An answer is:

- **acknowledged**: the expected 2xx; the change is committed and must survive anything;
- **refused**: a 4xx (e.g. 429): nothing was committed;
- **unknown**: a 5xx from the balancer (a 502 while a process dies), a dropped connection or a timeout:
  the change may or may not have been committed by a process that is now dead. An unknown create may
  have left a meeting behind (recognised later by its unique topic); an unknown update or delete is
  sent again until it is acknowledged (a delete answered 404 then means it had been done).

:meth:`Ledger.verify` compares the ledger with the server's list of meetings and settles every unknown
outcome from what the server holds.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

START_TIME = "2031-06-09T17:00:00Z"
RETRY_PAUSE = 0.05


@dataclass(frozen=True)
class Version:
    topic: str
    duration: int


@dataclass
class Tracked:
    id: int
    uuid: str
    acked: Version
    maybe: list[Version] = field(default_factory=list)  # sent after the last acknowledged one, unanswered
    deleted: bool = False
    maybe_deleted: bool = False


class Ledger:
    """What the server acknowledged, shared by every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.meetings: dict[int, Tracked] = {}
        self.uuids: set[str] = set()
        self.unknown_creates: dict[str, Version] = {}  # by topic: may exist on the server
        self.acked_creates: list[int] = []
        self.acked_updates: list[tuple[int, Version]] = []
        self.acked_deletes: list[int] = []
        self.statuses: Counter[str] = Counter()

    def count(self, outcome: str) -> None:
        with self.lock:
            self.statuses[outcome] += 1

    def created(self, body: dict[str, Any], version: Version) -> None:
        with self.lock:
            meeting_id, uuid = int(body["id"]), str(body["uuid"])
            assert meeting_id not in self.meetings, f"meeting id {meeting_id} acknowledged twice"
            assert uuid not in self.uuids, f"meeting uuid {uuid} acknowledged twice"
            assert (body["topic"], body["duration"]) == (version.topic, version.duration), body
            self.meetings[meeting_id] = Tracked(meeting_id, uuid, version)
            self.uuids.add(uuid)
            self.acked_creates.append(meeting_id)

    def verify(self, listed: dict[int, Version]) -> list[str]:
        """Check the server's meetings against the ledger; settle unknown outcomes. Returns problems."""
        problems = []
        with self.lock:
            for meeting in self.meetings.values():
                found = listed.get(meeting.id)
                if meeting.deleted:
                    if found is not None:
                        problems.append(
                            f"meeting {meeting.id} was deleted (acknowledged) but exists: {found}"
                        )
                    continue
                if found is None:
                    if meeting.maybe_deleted:
                        meeting.deleted, meeting.maybe_deleted = True, False
                    else:
                        problems.append(f"acknowledged meeting {meeting.id} ({meeting.acked}) is missing")
                    continue
                if found != meeting.acked and found not in meeting.maybe:
                    problems.append(
                        f"meeting {meeting.id} is {found}, last acknowledged {meeting.acked}"
                        + (f" (or unanswered {meeting.maybe})" if meeting.maybe else "")
                    )
                meeting.acked, meeting.maybe, meeting.maybe_deleted = found, [], False
            for meeting_id, found in listed.items():
                if meeting_id in self.meetings:
                    continue
                if self.unknown_creates.pop(found.topic, None) == found:  # a create whose answer was lost
                    self.meetings[meeting_id] = Tracked(meeting_id, "", found)
                else:
                    problems.append(f"meeting {meeting_id} {found} was never asked for")
        return problems

    def acknowledged(self) -> int:
        """How many writes were acknowledged so far."""
        with self.lock:
            return len(self.acked_creates) + len(self.acked_updates) + len(self.acked_deletes)


def listed_meetings(http: httpx.Client, token: str) -> dict[int, Version]:
    """Every scheduled meeting of the token's user, by id (all pages)."""
    found: dict[int, Version] = {}
    params = {"page_size": "300", "type": "scheduled"}
    while True:
        response = http.get(
            "/v2/users/me/meetings", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        for item in body["meetings"]:
            assert int(item["id"]) not in found, f"meeting {item['id']} listed twice"
            found[int(item["id"])] = Version(item["topic"], int(item["duration"]))
        if not body.get("next_page_token"):
            return found
        params["next_page_token"] = body["next_page_token"]


class Writer:
    """One client: a thread that writes until ``stop`` is set, recording what was acknowledged."""

    def __init__(
        self, name: str, base_url: str, token: str, ledger: Ledger, seed: int, stop: threading.Event
    ) -> None:
        self.name = name
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.stop = stop
        self.token = token
        self.http = httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
        self.owned: list[int] = []
        self.sequence = 0
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.step()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.http.close()

    def step(self) -> None:
        choice = self.rng.random()
        if len(self.owned) < 2 or choice < 0.45:
            self.create()
        elif choice < 0.85:
            self.update(self.rng.choice(self.owned))
        else:
            meeting_id = self.rng.choice(self.owned)
            self.owned.remove(meeting_id)
            self.delete(meeting_id)

    def _version(self) -> Version:
        self.sequence += 1
        return Version(f"{self.name} #{self.sequence}", self.rng.randint(15, 240))

    def _send(self, method: str, url: str, json: dict[str, Any] | None = None) -> httpx.Response | None:
        try:
            response = self.http.request(method, url, json=json)
        except httpx.TransportError as error:
            self.ledger.count(f"{method} {type(error).__name__}")
            return None
        self.ledger.count(f"{method} {response.status_code}")
        return response

    def create(self) -> None:
        version = self._version()
        with self.ledger.lock:
            self.ledger.unknown_creates[version.topic] = version
        response = self._send(
            "POST",
            "/v2/users/me/meetings",
            {"topic": version.topic, "type": 2, "start_time": START_TIME, "duration": version.duration},
        )
        if response is None or response.status_code >= 500:
            return  # unknown: stays in unknown_creates
        with self.ledger.lock:
            del self.ledger.unknown_creates[version.topic]
        if response.status_code == 201:
            self.ledger.created(response.json(), version)
            self.owned.append(int(response.json()["id"]))
        else:
            assert response.status_code == 429, response.text

    def update(self, meeting_id: int) -> None:
        version = self._version()
        body = {"topic": version.topic, "duration": version.duration}
        while True:
            with self.ledger.lock:
                self.ledger.meetings[meeting_id].maybe.append(version)
            response = self._send("PATCH", f"/v2/meetings/{meeting_id}", body)
            if response is not None and response.status_code == 204:
                with self.ledger.lock:
                    tracked = self.ledger.meetings[meeting_id]
                    tracked.acked, tracked.maybe = version, []
                    self.ledger.acked_updates.append((meeting_id, version))
                return
            if response is not None and response.status_code < 500:
                assert response.status_code == 429, (meeting_id, response.status_code, response.text)
                with self.ledger.lock:
                    self.ledger.meetings[meeting_id].maybe.remove(version)
                return
            if self.stop.is_set():
                return  # left unknown: settled by the next verify
            time.sleep(RETRY_PAUSE)

    def delete(self, meeting_id: int) -> None:
        with self.ledger.lock:
            self.ledger.meetings[meeting_id].maybe_deleted = True
        while True:
            response = self._send("DELETE", f"/v2/meetings/{meeting_id}")
            if response is not None and response.status_code in (204, 404):
                # 404: an earlier attempt, answered by no one (or retried by the balancer), deleted it.
                assert response.status_code == 204 or response.json()["code"] == 3001, response.text
                with self.ledger.lock:
                    tracked = self.ledger.meetings[meeting_id]
                    tracked.deleted, tracked.maybe_deleted = True, False
                    if response.status_code == 204:
                        self.ledger.acked_deletes.append(meeting_id)
                return
            if response is not None and response.status_code < 500:
                assert response.status_code == 429, (meeting_id, response.status_code, response.text)
                with self.ledger.lock:
                    self.ledger.meetings[meeting_id].maybe_deleted = False
                self.owned.append(meeting_id)
                return
            if self.stop.is_set():
                return
            time.sleep(RETRY_PAUSE)


def run_writers(
    base_url: str, token: str, ledger: Ledger, *, count: int, seed: int, stop: threading.Event, prefix: str
) -> list[Writer]:
    writers = [Writer(f"{prefix}{n}", base_url, token, ledger, seed * 1000 + n, stop) for n in range(count)]
    for writer in writers:
        writer.thread.start()
    return writers


def join_writers(writers: list[Writer], timeout: float = 60.0) -> None:
    for writer in writers:
        writer.thread.join(timeout)
        assert not writer.thread.is_alive(), f"{writer.name} did not stop"
    errors = [writer.error for writer in writers if writer.error is not None]
    if errors:
        raise errors[0]
