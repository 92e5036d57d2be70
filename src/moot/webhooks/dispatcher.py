"""The dispatcher: delivers committed webhook events, retries on Zoom's schedule, re-validates endpoints.

One runs in every moot process. Each cycle it fans new outbox events out to the apps subscribed to
them, leases what is due and sends it, at most ``webhook_concurrency`` requests at a time. A write
that commits events wakes it at once; otherwise it looks every ``webhook_poll_interval`` seconds (which
is how it notices other processes' events, retries coming due on the Clock, and expired leases).

Cycles are few and large: with nothing in flight a cycle starts at once (a lone event goes out within
milliseconds of its commit); while deliveries are in flight it waits until a quarter of the slots are
free, or ``CLAIM_DELAY`` at most once one is. Each claim looks up its deliveries' apps once, and the
outbox writes the attempts that finish together in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from moot.domain.accounts import App
from moot.domain.deliveries import (
    DELIVERY_TIMEOUT,
    RESPONSE_SNIPPET,
    SUCCESS_STATUSES,
    Attempt,
    Delivery,
    DeliveryState,
    next_attempt_delay,
)
from moot.domain.times import format_zoom
from moot.services.context import Deps
from moot.webhooks import endpoints, signing
from moot.webhooks.http import RequestFailed, WebhookClient

if TYPE_CHECKING:
    pass

log = logging.getLogger("moot.webhooks")

FAN_OUT_BATCH = 500
CLAIM_DELAY = 0.005  # seconds a free slot waits at most for others before a claim (while some are busy)
VALIDATION_CHECK_INTERVAL = 1.0  # process seconds between looks for endpoints due a challenge
RECHALLENGE_AFTER = 10.0  # process seconds before an endpoint that failed its challenge gets another


class WebhookFaults(Protocol):
    """Fault injection on deliveries (moot's admin API; ``moot.webhooks.faults``)."""

    async def intercept(self, dispatcher: Dispatcher, delivery: Delivery, body: str) -> bool:
        """Deal with a claimed delivery itself (True), or leave it to the dispatcher (False)."""
        ...


class Dispatcher:
    def __init__(self, deps: Deps, *, client: WebhookClient | None = None) -> None:
        self._deps = deps
        settings = deps.settings
        self._scale = settings.webhook_retry_scale
        self._poll = settings.webhook_poll_interval
        self._lease = settings.webhook_lease_seconds
        self._slots = settings.webhook_concurrency
        self._claim_at = max(1, self._slots // 4)  # free slots worth a claim while others are busy
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._client = client or WebhookClient(
            timeout=DELIVERY_TIMEOUT, max_per_host=self._slots, deny_private=settings.webhook_deny_private
        )
        self._own_client = client is None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._apps: dict[str, App | None] = {}  # the apps of the last claim's deliveries
        self._claim_timer: asyncio.TimerHandle | None = None
        self._overdue = False  # a slot has been free for CLAIM_DELAY: claim however few are free
        self._task: asyncio.Task[None] | None = None
        self._wake = deps.wakeup.attach()
        self._stopping = False
        self._validation_checked = 0.0
        self._challenged: dict[tuple[str, str], float] = {}  # (client_id, url) -> when it failed
        self.webhook_faults: WebhookFaults | None = None  # sees each claimed delivery first when set

    # -- running -------------------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="moot-webhook-dispatcher")

    async def stop(self) -> None:
        """Stop taking work; deliveries in flight finish (each within its 3-second limit) and are recorded."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._cancel_claim_timer()
        if self._own_client:
            await self._client.aclose()

    def nudge(self) -> None:
        """Look at everything now, endpoint challenges included (after the Clock moved)."""
        self._validation_checked = float("-inf")
        self._overdue = True
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.cycle()
            except Exception:  # a database hiccup must not end delivery for good
                log.exception("webhook dispatcher cycle failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()

    async def cycle(self) -> bool:
        """One round: validate due endpoints, fan out, start due deliveries. Whether it found work.

        Fan-out and claims wait while too few slots are free (see the module's documentation)."""
        await self._check_endpoints()
        if self._stopping:
            return False
        if not self._worth_claiming():
            self._claim_soon()
            return False
        self._overdue = False
        self._cancel_claim_timer()
        fanned = await self._fan_out()
        started = await self._start_due()
        return fanned > 0 or started > 0

    async def drain(self, seconds: float = 30.0) -> None:
        """Run cycles until nothing is due and nothing is in flight (tests and the emulator)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            busy = await self.cycle()
            if self._in_flight:
                await asyncio.wait(self._in_flight, timeout=max(0.0, deadline - time.monotonic()))
                continue
            if not busy:
                return
        raise TimeoutError("webhook deliveries still due after the drain timeout")

    # -- when to claim -------------------------------------------------------------------------------

    def _worth_claiming(self) -> bool:
        free = self._slots - len(self._in_flight)
        return free > 0 and (not self._in_flight or free >= self._claim_at or self._overdue)

    def _claim_soon(self) -> None:
        """Wake a cycle now if a claim is worth it, else in ``CLAIM_DELAY`` if any slot is free."""
        if self._worth_claiming():
            self._wake.set()
        elif self._claim_timer is None and len(self._in_flight) < self._slots:
            self._claim_timer = asyncio.get_running_loop().call_later(CLAIM_DELAY, self._claim_overdue)

    def _claim_overdue(self) -> None:
        self._claim_timer = None
        self._overdue = True
        self._wake.set()

    def _cancel_claim_timer(self) -> None:
        if self._claim_timer is not None:
            self._claim_timer.cancel()
            self._claim_timer = None

    # -- fan-out -------------------------------------------------------------------------------------

    async def _fan_out(self) -> int:
        store, clock = self._deps.store, self._deps.clock
        apps: dict[str, list[App]] = {}

        async def subscribers(account_id: str, event: str) -> Sequence[str]:
            if account_id not in apps:
                apps[account_id] = await store.list_apps(account_id)
            return [a.client_id for a in apps[account_id] if a.webhook is not None and a.webhook.wants(event)]

        total = 0
        while True:
            taken = await store.outbox.fan_out(
                FAN_OUT_BATCH, subscribers, due=clock.timestamp(), created_at=format_zoom(clock.now())
            )
            total += taken
            if taken < FAN_OUT_BATCH:
                return total

    # -- delivery ------------------------------------------------------------------------------------

    async def _start_due(self) -> int:
        free = self._slots - len(self._in_flight)
        if free <= 0 or self._stopping:
            return 0
        real_now = time.time()
        claimed = await self._deps.store.outbox.claim(
            now=self._deps.clock.timestamp(),
            real_now=real_now,
            lease_until=real_now + self._lease,
            owner=self.owner,
            limit=free,
        )
        if not claimed:
            return 0
        apps: dict[str, App | None] = {}
        for delivery, _ in claimed:
            if delivery.client_id not in apps:
                apps[delivery.client_id] = await self._deps.store.get_app(delivery.client_id)
        self._apps = apps
        loop = asyncio.get_running_loop()
        for delivery, body in claimed:
            task = loop.create_task(self._deliver(delivery, body, apps[delivery.client_id]))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery task failed", exc_info=task.exception())
        if not self._stopping:
            self._claim_soon()  # a slot is free, and the meeting's next event may be due

    async def _deliver(self, delivery: Delivery, body: str, app: App | None) -> None:
        if self.webhook_faults is not None and await self.webhook_faults.intercept(self, delivery, body):
            return
        number = delivery.attempts + 1
        await self.record(
            delivery, await send(self._deps, self._client, delivery, body, number=number, app=app)
        )

    @property
    def deps(self) -> Deps:
        return self._deps

    async def attempt(self, delivery: Delivery, body: str) -> Attempt:
        """Send the delivery once, now, with this dispatcher's client."""
        client_id = delivery.client_id
        app = self._apps[client_id] if client_id in self._apps else await self._deps.store.get_app(client_id)
        return await send(self._deps, self._client, delivery, body, number=delivery.attempts + 1, app=app)

    async def record(self, delivery: Delivery, attempt: Attempt) -> None:
        """Store an attempt: delivered, due again on Zoom's retry schedule, or failed for good."""
        clock = self._deps.clock
        if attempt.succeeded:
            state, next_at, delivered_at = DeliveryState.DELIVERED, delivery.next_attempt_at, attempt.at
        else:
            delay = next_attempt_delay(attempt.number, self._scale)
            delivered_at = None
            if delay is None:
                state, next_at = DeliveryState.FAILED, delivery.next_attempt_at
            else:
                state, next_at = DeliveryState.PENDING, clock.timestamp() + delay
        await self._deps.store.outbox.finish(
            attempt, owner=self.owner, state=state, next_attempt_at=next_at, delivered_at=delivered_at
        )

    # -- endpoint validation -------------------------------------------------------------------------

    async def _check_endpoints(self) -> None:
        real_now = time.monotonic()
        if real_now - self._validation_checked < VALIDATION_CHECK_INTERVAL:
            return
        self._validation_checked = real_now
        now = self._deps.clock.now()
        for app in await self._deps.store.list_apps():
            endpoint = app.webhook
            if endpoint is None or not endpoints.due_for_validation(endpoint, now):
                continue
            key = (app.client_id, endpoint.url)
            if real_now - self._challenged.get(key, -RECHALLENGE_AFTER) < RECHALLENGE_AFTER:
                continue
            checked = await endpoints.validated(self._deps, self._client, app, endpoint)
            if checked.active:
                self._challenged.pop(key, None)
            else:
                self._challenged[key] = real_now
                log.warning(
                    "webhook endpoint %s of app %s failed validation: %s",
                    endpoint.url,
                    app.client_id,
                    checked.last_error,
                )
            current = await self._deps.store.get_app(app.client_id)
            if current is not None and current.webhook == endpoint:  # unchanged meanwhile
                await endpoints.save_endpoint(self._deps, app.client_id, checked)


async def send(
    deps: Deps, client: WebhookClient, delivery: Delivery, body: str, *, number: int, app: App | None
) -> Attempt:
    """POST the event to ``app``'s endpoint (the app as it is now); the attempt, whatever happened."""
    clock = deps.clock
    at = format_zoom(clock.now())
    endpoint = app.webhook if app is not None else None
    if endpoint is None or not endpoint.active:
        reason = "the app has no active event-notification endpoint"
        return Attempt(delivery.id, number, at, endpoint.url if endpoint else "", None, 0.0, reason, "")
    content = body.encode()
    headers = signing.headers(
        endpoint.secret_token, content, int(clock.timestamp()), delivery.tracking_id, delivery.client_id
    )
    status: int | None = None
    error: str | None = None
    snippet = ""
    started = time.perf_counter()
    try:
        response = await client.post(endpoint.url, content, headers, keep=4 * RESPONSE_SNIPPET)
    except TimeoutError:
        error = f"no answer within {DELIVERY_TIMEOUT:g} seconds"
    except RequestFailed as exc:
        error = f"request failed: {endpoints.describe(exc)}"
    else:
        status = response.status
        snippet = response.text(RESPONSE_SNIPPET)
        if status not in SUCCESS_STATUSES:
            error = f"answered HTTP {status}; Zoom counts only 200 and 204 as delivered"
    latency = (time.perf_counter() - started) * 1000
    return Attempt(delivery.id, number, at, endpoint.url, status, latency, error, snippet)


async def replay(deps: Deps, client: WebhookClient | None, delivery_id: int, *, owner: str) -> Attempt | None:
    """Send one delivery again now, whatever its state; a success marks it delivered. It goes through
    ``client``, or a client of its own when None."""
    outbox = deps.store.outbox
    delivery = await outbox.get_delivery(delivery_id)
    if delivery is None:
        return None
    body = await outbox.event_body(delivery.event_id)
    if body is None:
        return None
    app = await deps.store.get_app(delivery.client_id)
    number = delivery.attempts + 1
    if client is not None:
        attempt = await send(deps, client, delivery, body, number=number, app=app)
    else:
        own = WebhookClient(
            timeout=DELIVERY_TIMEOUT, max_per_host=1, deny_private=deps.settings.webhook_deny_private
        )
        try:
            attempt = await send(deps, own, delivery, body, number=number, app=app)
        finally:
            await own.aclose()
    state = DeliveryState.DELIVERED if attempt.succeeded else delivery.state
    await outbox.finish(
        attempt,
        owner=owner,
        state=state,
        next_attempt_at=delivery.next_attempt_at,
        delivered_at=attempt.at if attempt.succeeded else delivery.delivered_at,
    )
    return attempt
