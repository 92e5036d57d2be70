"""Fault injection on webhook deliveries: the ``webhook`` rules of a ``FaultBook`` (moot's admin API),
applied by the dispatcher to each delivery it claims (``Dispatcher.webhook_faults``).

- ``timeout``: nothing is sent; the attempt is recorded as a receiver that never answers leaves it
  ("no answer within 3 seconds"), and Zoom's retry schedule follows.
- ``duplicate``: the delivery is sent twice in a row; the first attempt is the one recorded.
- ``out_of_order``: moot hands one app a meeting's events one at a time, in order, so holding an event
  back would hold back the rest too. Instead the held event is marked done (its attempt says it was
  held), the meeting's next event is sent, and the held one right after it: the receiver sees the two
  swapped. With no next event within ``hold_seconds`` (10 by default) it is sent on its own. A held
  event lives in this process's memory only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace

from moot.domain.deliveries import DELIVERY_TIMEOUT, Attempt, Delivery, DeliveryState
from moot.domain.faults import FaultBook, FaultRule
from moot.domain.times import format_zoom
from moot.webhooks.dispatcher import Dispatcher

log = logging.getLogger("moot.webhooks")


@dataclass
class _Held:
    delivery: Delivery  # with the hold counted as its last attempt
    body: str
    timer: asyncio.TimerHandle | None = None


class DeliveryFaults:
    def __init__(self, book: FaultBook) -> None:
        self._book = book
        self._held: dict[tuple[str, str], _Held] = {}  # (client_id, order_key) -> the held delivery
        self._releases: set[asyncio.Task[None]] = set()

    async def intercept(self, dispatcher: Dispatcher, delivery: Delivery, body: str) -> bool:
        held = self._held.pop((delivery.client_id, delivery.order_key), None)
        if held is not None:  # the event that overtakes the held one
            await dispatcher.record(delivery, await dispatcher.attempt(delivery, body))
            await self._release(dispatcher, held)
            return True
        if not self._book.has_webhook_rules:
            return False
        rule = self._book.for_delivery(delivery.event, delivery.account_id)
        if rule is None or rule.spec.webhook is None:
            return False
        kind = rule.spec.webhook.kind
        if kind == "timeout":
            await dispatcher.record(delivery, await _unanswered(dispatcher, delivery))
        elif kind == "duplicate":
            first = await dispatcher.attempt(delivery, body)
            again = await dispatcher.attempt(delivery, body)
            log.info(
                "fault %s: delivery %s sent twice (%s, %s)",
                rule.id,
                delivery.id,
                first.status_code,
                again.status_code,
            )
            await dispatcher.record(delivery, first)
        else:
            await self._hold(dispatcher, delivery, body, rule)
        return True

    async def _hold(self, dispatcher: Dispatcher, delivery: Delivery, body: str, rule: FaultRule) -> None:
        deps = dispatcher.deps
        note = Attempt(
            delivery.id,
            delivery.attempts + 1,
            format_zoom(deps.clock.now()),
            await _url(dispatcher, delivery),
            None,
            0.0,
            f"held back by fault {rule.id} (out_of_order): sent after this meeting's next event",
            "",
        )
        await deps.store.outbox.finish(
            note,
            owner=dispatcher.owner,
            state=DeliveryState.DELIVERED,  # so the meeting's next event is due (see the module doc)
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=None,
        )
        key = (delivery.client_id, delivery.order_key)
        held = _Held(replace(delivery, attempts=note.number), body)
        self._held[key] = held
        assert rule.spec.webhook is not None
        held.timer = asyncio.get_running_loop().call_later(
            rule.spec.webhook.hold, self._expire, dispatcher, key, held
        )

    def _expire(self, dispatcher: Dispatcher, key: tuple[str, str], held: _Held) -> None:
        if self._held.get(key) is not held:
            return
        del self._held[key]
        task = asyncio.get_running_loop().create_task(self._release(dispatcher, held))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    async def _release(self, dispatcher: Dispatcher, held: _Held) -> None:
        if held.timer is not None:
            held.timer.cancel()
        await dispatcher.record(held.delivery, await dispatcher.attempt(held.delivery, held.body))


async def _url(dispatcher: Dispatcher, delivery: Delivery) -> str:
    app = await dispatcher.deps.store.get_app(delivery.client_id)
    return app.webhook.url if app is not None and app.webhook is not None else ""


async def _unanswered(dispatcher: Dispatcher, delivery: Delivery) -> Attempt:
    """The attempt a receiver that never answers causes, without sending anything."""
    return Attempt(
        delivery.id,
        delivery.attempts + 1,
        format_zoom(dispatcher.deps.clock.now()),
        await _url(dispatcher, delivery),
        None,
        DELIVERY_TIMEOUT * 1000,
        f"no answer within {DELIVERY_TIMEOUT:g} seconds",
        "",
    )
