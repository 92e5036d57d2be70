"""Webhook deliveries: one per event and subscribed endpoint, with Zoom's retry schedule."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Zoom retries a failed delivery three times: 5 minutes after the first failure, 20 minutes after the
# second, 60 minutes after the third; then gives up on that event (contract.md §8).
RETRY_DELAYS: tuple[int, ...] = (300, 1200, 3600)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
# A receiver must answer 200 or 204 within this many seconds.
DELIVERY_TIMEOUT = 3.0
SUCCESS_STATUSES = frozenset({200, 204})
# How much of a receiver's answer an attempt keeps.
RESPONSE_SNIPPET = 512


class DeliveryState(StrEnum):
    PENDING = "pending"  # due now or at next_attempt_at
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed, or the endpoint is gone


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: int
    event: str  # the event's name
    account_id: str
    client_id: str
    order_key: str
    state: DeliveryState
    attempts: int
    next_attempt_at: float  # Clock seconds
    tracking_id: str
    created_at: str
    delivered_at: str | None
    last_status: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    delivery_id: int
    number: int
    at: str
    url: str
    status_code: int | None
    latency_ms: float
    error: str | None
    response: str

    @property
    def succeeded(self) -> bool:
        return self.status_code in SUCCESS_STATUSES


@dataclass(frozen=True, slots=True)
class LoggedAttempt:
    """An attempt in the log of every attempt, with what it was for."""

    id: int
    attempt: Attempt
    event: str
    account_id: str
    client_id: str
    state: DeliveryState  # the delivery's state now


def next_attempt_delay(attempts_made: int, scale: float) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failures, or None when none is left."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts_made - 1] * scale


def delivery_to_wire(delivery: Delivery, attempts: list[Attempt] | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event": delivery.event,
        "account_id": delivery.account_id,
        "client_id": delivery.client_id,
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "tracking_id": delivery.tracking_id,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
    }
    if attempts is not None:
        body["attempt_log"] = [attempt_to_wire(a) for a in attempts]
    return body


def logged_attempt_to_wire(logged: LoggedAttempt) -> dict[str, object]:
    return {
        "id": logged.id,
        "delivery_id": logged.attempt.delivery_id,
        "event": logged.event,
        "account_id": logged.account_id,
        "client_id": logged.client_id,
        "delivery_state": logged.state.value,
        **attempt_to_wire(logged.attempt),
    }


def attempt_to_wire(attempt: Attempt) -> dict[str, object]:
    return {
        "number": attempt.number,
        "at": attempt.at,
        "url": attempt.url,
        "status_code": attempt.status_code,
        "latency_ms": round(attempt.latency_ms, 3),
        "error": attempt.error,
        "response": attempt.response,
    }
