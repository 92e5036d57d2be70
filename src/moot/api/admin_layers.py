"""The admin API's layers around the app: fault injection and the request journal. Installed only while
the admin API is on, so a plain ``moot serve`` pays nothing for them."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from moot.api.faults import FaultInjector
from moot.api.journal import JournalRecorder
from moot.config import Settings
from moot.domain.faults import FaultBook
from moot.domain.journal import Journal
from moot.webhooks.faults import DeliveryFaults


def with_admin_layers(edge: ASGIApp, app: Starlette, settings: Settings) -> ASGIApp:
    """``edge`` (the app behind ZoomEdge) inside the fault injector, inside the journal (which so sees
    every answer as the client does, faults included). Their state goes on ``app.state``: ``faults``,
    ``journal``, and ``delivery_faults`` for the webhook dispatcher."""
    book = FaultBook(settings.fault_seed)
    journal = Journal(settings.journal_capacity)
    app.state.faults = book
    app.state.journal = journal
    app.state.delivery_faults = DeliveryFaults(book)
    faulty = FaultInjector(edge, book, app)
    return JournalRecorder(faulty, journal, app, body_bytes=settings.journal_body_bytes)
