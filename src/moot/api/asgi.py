"""The app as an ASGI server imports it in each worker process, configured from ``MOOT_*`` variables.

``moot serve --workers N`` uses it; so can any ASGI server, after ``moot db upgrade``::

    uvicorn --factory moot.api.asgi:create --workers 4
    gunicorn -k uvicorn.workers.UvicornWorker -w 4 'moot.api.asgi:create()'
"""

from __future__ import annotations

import gc

from starlette.types import ASGIApp

from moot.api.app import create_app
from moot.config import Settings


def create() -> ASGIApp:
    app = create_app(Settings())
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """Move everything start-up allocated out of the collector's view and collect young objects less
    often: a request allocates many short-lived objects, and full collections would keep re-scanning
    the long-lived ones (measured: +17 % create throughput, no change for reads)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
