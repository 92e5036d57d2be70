"""Prometheus metrics (``prometheus-client``), served at ``/metrics``.

Per request the edge (``ZoomEdge``) calls :meth:`Metrics.observe`: one dict lookup for the cached
counter and histogram children, one increment, one observation. The webhook backlog is read from the
outbox when scraped. With ``PROMETHEUS_MULTIPROC_DIR`` set (``moot serve --workers N`` sets it) every
worker writes its values there and any worker's ``/metrics`` sums them all.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from moot.domain.deliveries import Attempt, Delivery, next_attempt_delay
from moot.services.context import Deps
from moot.webhooks.dispatcher import Dispatcher

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram
    from prometheus_client.metrics_core import Metric

log = logging.getLogger("moot.api")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; moot answers most calls in a millisecond or two.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
OUTCOMES = ("delivered", "retrying", "failed")
CONTENT_TYPE = "text/plain; version=1.0.0; charset=utf-8"  # prometheus_client.CONTENT_TYPE_LATEST


class Metrics:
    """One app's metrics; each app has its own registry (tests build many apps in one process).
    prometheus-client is imported only here (about 50 ms, which ``moot emulate`` need not pay)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram
        from prometheus_client.multiprocess import MultiProcessCollector

        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "moot_requests",
            "HTTP requests answered, by operation (Zoom's operationId; unknown when no route matched), "
            "method and status.",
            ["operation", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "moot_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by operation.",
            ["operation"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.attempts = Counter(
            "moot_webhook_attempts",
            "Webhook delivery attempts by this process, by outcome: delivered, retrying (failed, due "
            "again) or failed (failed for good).",
            ["outcome"],
            registry=self.registry,
        )
        self._backlog = _Backlog()
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            self.exposed = CollectorRegistry(auto_describe=False)
            MultiProcessCollector(self.exposed)  # type: ignore[no-untyped-call]
        else:
            self.exposed = self.registry
        self.exposed.register(self._backlog)
        self._counted: dict[tuple[int, str, int], Counter] = {}
        self._timed: dict[int, Histogram] = {}

    def observe(self, route: BaseRoute | None, method: str, status: int, seconds: float) -> None:
        """Count one answered request (``route``: the matched route, None when none did)."""
        key = (id(route), method, status)  # routes live as long as the app (and are not hashable)
        counter = self._counted.get(key)
        if counter is None:
            known = method if method in METHODS else "other"  # clients choose methods: bound the labels
            counter = self._counted[key] = self.requests.labels(_operation(route), known, str(status))
        counter.inc()
        timer = self._timed.get(key[0])
        if timer is None:
            timer = self._timed[key[0]] = self.duration.labels(_operation(route))
        timer.observe(seconds)

    async def exposition(self, deps: Deps) -> bytes:
        from prometheus_client import generate_latest

        try:
            self._backlog.value = float(await deps.store.outbox.backlog())
        except Exception:
            log.exception("could not read the webhook backlog for /metrics")
            self._backlog.value = None
        return generate_latest(self.exposed)


class _Backlog:
    """``moot_webhook_backlog``: read from the outbox right before each scrape (the same in every
    process, so it is not summed across workers)."""

    def __init__(self) -> None:
        self.value: float | None = None

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.metrics_core import GaugeMetricFamily

        if self.value is not None:
            yield GaugeMetricFamily(
                "moot_webhook_backlog",
                "Webhook events not yet fanned out plus deliveries pending (all processes).",
                value=self.value,
            )


def _operation(route: BaseRoute | None) -> str:
    name = getattr(route, "name", None)
    return name if isinstance(name, str) and name else "unknown"


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    body = await metrics.exposition(request.app.state.deps)
    return Response(body, media_type=CONTENT_TYPE)


class MeteredDispatcher(Dispatcher):
    """The dispatcher, counting each recorded attempt's outcome in ``moot_webhook_attempts_total``."""

    def __init__(self, deps: Deps, metrics: Metrics) -> None:
        super().__init__(deps)
        self._outcomes = {outcome: metrics.attempts.labels(outcome) for outcome in OUTCOMES}

    async def record(self, delivery: Delivery, attempt: Attempt) -> None:
        await super().record(delivery, attempt)
        self._outcomes[outcome_of(attempt, self.deps.settings.webhook_retry_scale)].inc()


def outcome_of(attempt: Attempt, retry_scale: float) -> str:
    if attempt.succeeded:
        return "delivered"
    return "failed" if next_attempt_delay(attempt.number, retry_scale) is None else "retrying"
