"""``mock_zoom()``: code with Zoom's URLs hard-coded talks to an in-process moot instead, unchanged.

While a mock is active, requests made with httpx (sync and async) or requests to
``https://api.zoom.us/v2/...`` and ``https://zoom.us/oauth/...`` are answered by a fresh in-process moot
emulator (:class:`moot.testing.inprocess.InProcessMoot`); every other request goes out untouched. It
patches classes, not instances, so clients made before the mock started and clients made in other threads
are covered too: ``httpx.HTTPTransport.handle_request``, ``httpx.AsyncHTTPTransport.handle_async_request``
and ``requests.Session.get_adapter``. Mocks nest (the innermost answers); the patches go when the last
one ends.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

import httpx

from moot.testing.credentials import Credentials
from moot.testing.inprocess import InProcessMoot

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

F = TypeVar("F", bound=Callable[..., Any])

ZOOM_PUBLIC_URL = "https://zoom.us"


def is_zoom_url(scheme: str, host: str, path: str) -> bool:
    """Whether a URL is one of Zoom's that moot answers: the REST API and OAuth."""
    if scheme not in ("https", "http"):
        return False
    if host == "api.zoom.us":
        return path == "/v2" or path.startswith("/v2/")
    return host == "zoom.us" and path.startswith("/oauth/")


# --- the patches -------------------------------------------------------------------------------------

_lock = threading.Lock()
_active: list[InProcessMoot] = []
_adapters: dict[int, BaseAdapter] = {}
_originals: list[tuple[type, str, Any]] = []


def _answering(url: httpx.URL) -> InProcessMoot | None:
    if not _active or not is_zoom_url(url.scheme, url.host, url.path):
        return None
    return _active[-1]


def _install() -> None:
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        moot = _answering(request.url)
        return sync_send(self, request) if moot is None else moot.handle(request)

    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        moot = _answering(request.url)
        return await (async_send(self, request) if moot is None else moot.ahandle(request))

    _patch(httpx.HTTPTransport, "handle_request", handle_request)
    _patch(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    if importlib.util.find_spec("requests") is not None:
        _install_requests()


def _install_requests() -> None:
    import requests

    from moot.testing.requests_adapter import MootAdapter

    get_adapter = requests.Session.get_adapter

    def patched_get_adapter(self: requests.Session, url: str) -> BaseAdapter:
        parts = urlsplit(url)
        if _active and is_zoom_url(parts.scheme.lower(), (parts.hostname or "").lower(), parts.path):
            with _lock:
                moot = _active[-1]
                adapter = _adapters.get(id(moot))
                if adapter is None:
                    adapter = _adapters[id(moot)] = MootAdapter(moot)
                return adapter
        return get_adapter(self, url)

    _patch(requests.Session, "get_adapter", patched_get_adapter)


def _patch(owner: type, name: str, replacement: Any) -> None:
    _originals.append((owner, name, owner.__dict__[name]))
    setattr(owner, name, replacement)


def _uninstall() -> None:
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)


def _push(moot: InProcessMoot) -> None:
    with _lock:
        if not _active:
            _install()
        _active.append(moot)


def _pop(moot: InProcessMoot) -> None:
    with _lock:
        _active.remove(moot)
        adapter = _adapters.pop(id(moot), None)
        if adapter is not None:
            adapter.close()
        if not _active:
            _uninstall()


def active_mock() -> InProcessMoot:
    """The moot answering Zoom's URLs now (the innermost active mock), e.g. in a decorated test."""
    with _lock:
        if not _active:
            raise RuntimeError("no mock_zoom() is active")
        return _active[-1]


# --- the public face ---------------------------------------------------------------------------------


class MockZoom:
    """A context manager (``with mock_zoom() as zoom``) and a decorator (``@mock_zoom()``) for sync and
    async functions and test classes. Each ``with`` and each call of a decorated function gets a fresh
    moot."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._moot: InProcessMoot | None = None

    def __enter__(self) -> InProcessMoot:
        if self._moot is not None:
            raise RuntimeError("this mock_zoom() is active already: make another one to nest")
        options: dict[str, Any] = {"credentials": Credentials(), "public_url": ZOOM_PUBLIC_URL}
        options |= self._options
        moot = InProcessMoot(**options).start()
        _push(moot)
        self._moot = moot
        return moot

    def __exit__(self, *exc_info: object) -> None:
        moot, self._moot = self._moot, None
        if moot is not None:
            try:
                _pop(moot)
            finally:
                moot.close()

    def __call__(self, func: F) -> F:
        options = self._options
        if isinstance(func, type):  # a test class: each of its test methods
            for name, member in list(vars(func).items()):
                if name.startswith("test") and callable(member):
                    setattr(func, name, MockZoom(**options)(member))
            return func
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with MockZoom(**options):
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with MockZoom(**options):
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]


@overload
def mock_zoom(func: F, /) -> F: ...


@overload
def mock_zoom(
    *,
    now: Any = None,
    frozen: bool = False,
    data: dict[str, Any] | None = None,
    public_url: str = ZOOM_PUBLIC_URL,
) -> MockZoom: ...


def mock_zoom(func: Any = None, /, **options: Any) -> Any:
    """Answer Zoom's API and OAuth URLs from an in-process moot: ``with mock_zoom() as zoom:``,
    ``@mock_zoom()`` or ``@mock_zoom``. ``now`` / ``frozen`` start the clock (as ``moot emulate --now`` /
    ``--frozen``), ``data`` seeds it (docs/emulator.md), ``public_url`` is the base of the join and start
    URLs it hands out. ``zoom`` has ``credentials`` (the emulator's app at Zoom's URLs), ``clock``,
    ``admin`` (faults, journal, state, deliveries), ``client`` (a :class:`moot.client.Client`) and
    ``reset()``."""
    if func is not None:
        return MockZoom()(func)
    return MockZoom(**options)
