"""A moot emulator inside the test process: the app, an in-memory store of its own, a controllable
clock and the webhook dispatcher, on the private event loop (``moot.testing.loop``).

It starts in a few milliseconds (the schema comes from the cached script, not the migrations), so each
test can have its own. It is reached through httpx transports that hand requests to the app on that
loop: ``transport`` for ``httpx.Client``, ``async_transport`` for ``httpx.AsyncClient`` (from any event
loop), and by :func:`moot.testing.mock_zoom` for code that calls Zoom's own URLs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

import httpx

from moot.testing import loop
from moot.testing.credentials import Credentials
from moot.testing.handle import MootHandle

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message

    from moot.services.context import Deps

IN_PROCESS_URL = "http://moot.test"


class _Lifespan:
    """Runs the app's ASGI lifespan (which starts and stops the webhook dispatcher)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}

        async def run() -> None:
            await self._app(scope, self._to_app.get, self._from_app.put)

        self._task = asyncio.get_running_loop().create_task(run())
        await self._expect("lifespan.startup")

    async def shutdown(self) -> None:
        if self._task is not None:
            await self._expect("lifespan.shutdown")
            await self._task

    async def _expect(self, event: str) -> None:
        assert self._task is not None
        await self._to_app.put({"type": event})
        answered = asyncio.ensure_future(self._from_app.get())
        await asyncio.wait({answered, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not answered.done():  # the app returned (or raised) without answering
            answered.cancel()
            self._task.result()
            raise RuntimeError(f"the app ended its lifespan without answering {event}")
        answer = answered.result()
        if answer["type"] != f"{event}.complete":
            raise RuntimeError(f"{event} failed: {answer.get('message', answer)}")


async def _seed(deps: Deps, data: dict[str, Any]) -> None:
    from moot.domain.errors import ValidationFailed
    from moot.emulator.seed import apply_seed

    try:
        await apply_seed(deps, data)
    except ValidationFailed as exc:
        wrong = "".join(f"\n  {error.field or '(top)'}: {error.message}" for error in exc.errors)
        raise ValueError(f"data is not valid seed data:{wrong}") from None


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    read = timeout.get("read")
    return float(read) if read is not None else None


class InProcessMoot(MootHandle):
    """``moot emulate`` without a process or a port. ``now`` / ``frozen`` start the clock as
    ``--now`` / ``--frozen`` do; ``data`` is seed data (docs/emulator.md) applied before the baseline
    that :meth:`reset` returns to; ``public_url`` is the base of the join and start URLs it hands out."""

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        now: datetime | str | None = None,
        frozen: bool = False,
        data: dict[str, Any] | None = None,
        public_url: str = IN_PROCESS_URL,
    ) -> None:
        super().__init__(IN_PROCESS_URL, credentials or Credentials.at(IN_PROCESS_URL))
        self._now = now
        self._frozen = frozen
        self._data = data
        self._public_url = public_url
        self._deps: Deps | None = None
        self._asgi: httpx.ASGITransport | None = None
        self._lifespan: _Lifespan | None = None

    # --- life -----------------------------------------------------------------------------------------

    def start(self) -> Self:
        loop.run(self._start())
        return self

    async def _start(self) -> None:
        from moot.api.app import build_deps, create_app
        from moot.config import Settings
        from moot.domain.clock import ControllableClock
        from moot.emulator.control import ClockStart, Emulator
        from moot.emulator.server import Options, emulator_settings
        from moot.services.accounts import ensure_bootstrap

        settings = emulator_settings(Options(public_url=self._public_url), 0, Settings())
        start = self._start_time()
        frozen = self._frozen or start is not None
        clock = ControllableClock(start, frozen=frozen)
        deps = self._deps = await build_deps(settings, clock)
        try:
            await ensure_bootstrap(deps)
            if self._data is not None:
                await _seed(deps, self._data)
            at = datetime.fromtimestamp(clock.timestamp(), UTC) if frozen else None
            emulator = Emulator(deps, ClockStart(frozen, at))
            await emulator.take_baseline()
            app = create_app(settings, deps=deps, dispatch=True, emulator=emulator)
            self._lifespan = _Lifespan(app)
            await self._lifespan.startup()
        except BaseException:
            self._deps = None
            await deps.store.close()
            raise
        self._asgi = httpx.ASGITransport(app=app)

    def _start_time(self) -> datetime | None:
        from moot.emulator.server import parse_now

        if self._now is None:
            return None
        if isinstance(self._now, datetime):
            return self._now if self._now.tzinfo else self._now.replace(tzinfo=UTC)
        return parse_now(self._now)

    def close(self) -> None:
        self.close_clients()
        if self._deps is not None:
            loop.run(self._stop())

    async def _stop(self) -> None:
        deps, self._deps = self._deps, None
        try:
            if self._lifespan is not None:
                await self._lifespan.shutdown()
        finally:
            if deps is not None:
                await deps.store.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def reset(self) -> None:
        """Back to the state it started with (as ``POST /moot/api/reset``)."""
        self.admin.reset()

    # --- requests -------------------------------------------------------------------------------------

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        if self._asgi is None:
            raise RuntimeError("this in-process moot is not running")
        try:
            async with asyncio.timeout(_read_timeout(request)):
                answer = await self._asgi.handle_async_request(request)
                raw = b"".join([part async for part in answer.aiter_raw()])
        except TimeoutError:
            raise httpx.ReadTimeout("moot did not answer within the read timeout", request=request) from None
        return httpx.Response(
            answer.status_code, headers=answer.headers, stream=httpx.ByteStream(raw), request=request
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` (from any thread): only its path and query matter, not its host."""
        request.read()
        return loop.run(self._handle(request))

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from any event loop."""
        await request.aread()
        return await loop.run_async(self._handle(request))

    def transport(self) -> httpx.BaseTransport:
        return MootTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        return AsyncMootTransport(self)


class MootTransport(httpx.BaseTransport):
    """Every request goes to the in-process moot, whatever its host."""

    def __init__(self, moot: InProcessMoot) -> None:
        self.moot = moot

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.moot.handle(request)


class AsyncMootTransport(httpx.AsyncBaseTransport):
    def __init__(self, moot: InProcessMoot) -> None:
        self.moot = moot

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.moot.ahandle(request)
