"""What the receiver got, compared with what the ledger says was acknowledged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from tests.support.receiver import Delivery
from tests.support.workload import Ledger


def meeting_events(deliveries: Sequence[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if (d.event or "").startswith("meeting.")]


def missing_events(deliveries: Sequence[Delivery], ledger: Ledger) -> list[str]:
    """Acknowledged changes whose event has not arrived (at least once) yet; empty when all did."""
    created: set[int] = set()
    updated: set[tuple[int, str]] = set()
    deleted: set[int] = set()
    for delivery in meeting_events(deliveries):
        obj = delivery.json["payload"]["object"]
        if delivery.event == "meeting.created":
            created.add(int(obj["id"]))
        elif delivery.event == "meeting.updated" and "topic" in obj:
            updated.add((int(obj["id"]), obj["topic"]))
        elif delivery.event == "meeting.deleted":
            deleted.add(int(obj["id"]))
    with ledger.lock:
        missing = [f"meeting.created {m}" for m in ledger.acked_creates if m not in created]
        missing += [
            f"meeting.updated {m} {v.topic!r}" for m, v in ledger.acked_updates if (m, v.topic) not in updated
        ]
        missing += [f"meeting.deleted {m}" for m in ledger.acked_deletes if m not in deleted]
    return missing


def event_problems(
    deliveries: Sequence[Delivery], ledger: Ledger, *, duplicate_allowed: Callable[[list[Delivery]], bool]
) -> list[str]:
    """Every delivery verified and answered; every event for a meeting the server holds (or held);
    a body received more than once only where ``duplicate_allowed`` says so."""
    problems = []
    copies: dict[bytes, list[Delivery]] = defaultdict(list)
    with ledger.lock:
        known = set(ledger.meetings)
    for delivery in meeting_events(deliveries):
        if not (delivery.verified and delivery.answered == 200):
            problems.append(f"unverified or unanswered delivery: {delivery.body[:200]!r}")
        meeting_id = int(delivery.json["payload"]["object"]["id"])
        if meeting_id not in known:
            problems.append(f"{delivery.event} for meeting {meeting_id}, which no one created")
        copies[delivery.body].append(delivery)
    for same in copies.values():
        if len(same) > 1 and not duplicate_allowed(sorted(same, key=lambda d: d.received_at)):
            times = [round(d.received_at, 3) for d in same]
            problems.append(
                f"{same[0].event} delivered {len(same)} times, at {times}: {same[0].body[:200]!r}"
            )
    return problems + missing_events(deliveries, ledger)
