"""``moot login --oauth``: sign a user in through the browser and keep their token pair in a profile.

The authorization-code flow with PKCE S256 and a ``state``, the redirect received by a one-shot HTTP
listener on ``http://127.0.0.1:{port}/callback`` (which must be one of the app's registered redirect
URIs). The authorize URL is always printed, so the flow also works where no browser can be opened: open
it anywhere that can reach this machine's loopback port (e.g. through ``ssh -L``).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import re
import sys
import time
import webbrowser
from dataclasses import dataclass
from html import escape, unescape
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import typer
from rich.markup import escape as markup_escape

from moot.client import PKCE, Token, authorization_url, exchange_code
from moot.client.oauth import new_state
from moot.commands.common import EXIT_AUTH, EXIT_ERROR, err

CALLBACK_PATH = "/callback"
DEFAULT_PORT = 8765
DEFAULT_TIMEOUT = 300.0


def redirect_uri_for(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


@dataclass(frozen=True)
class Callback:
    """What the redirect brought: a code, or an error (``access_denied``, ...)."""

    code: str = ""
    error: str = ""


class Listener(HTTPServer):
    """Answers the one redirect that carries this login's ``state``; every other request is refused."""

    def __init__(self, port: int, state: str) -> None:
        super().__init__(("127.0.0.1", port), _CallbackHandler)
        self.state = state
        self.result: Callback | None = None

    def wait(self, timeout: float) -> Callback | None:
        """The callback, or ``None`` when none came within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.result is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.timeout = min(0.5, remaining)
            self.handle_request()
        return self.result


_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>moot login</title></head>'
    '<body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto">'
    "<h1>{title}</h1><p>{text}</p></body></html>"
)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: Listener
    timeout = 10  # a connection that sends nothing does not hold the listener

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, "Not found", "This is moot login's sign-in listener.")
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if not hmac.compare_digest(query.get("state", ""), self.server.state):
            self._answer(400, "Sign-in not recognised", "This redirect does not belong to the running login.")
            return
        if query.get("error"):
            self.server.result = Callback(error=query["error"])
            self._answer(
                200, "Sign-in refused", f"The server answered: {query['error']}. Back to the terminal."
            )
        elif query.get("code"):
            self.server.result = Callback(code=query["code"])
            self._answer(200, "Signed in", "moot login has the authorization. You can close this window.")
        else:
            self._answer(400, "Sign-in incomplete", "The redirect carried neither a code nor an error.")

    def _answer(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=escape(title), text=escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request line carries the code."""


def graphical_browser_likely() -> bool:
    """Whether ``webbrowser.open`` would reach a desktop browser. Without a display (over ssh, in a
    container) it falls back to a text browser that would take over this terminal: better not to."""
    if os.environ.get("BROWSER") or sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _listen(port: int, state: str) -> Listener:
    try:
        return Listener(port, state)
    except OSError as error:
        err.print(
            f"[red]Cannot listen on 127.0.0.1:{port}:[/red] {markup_escape(str(error.strerror or error))}. "
            "Choose another port "
            f"with --port (and register http://127.0.0.1:PORT{CALLBACK_PATH} on the app)."
        )
        raise typer.Exit(EXIT_ERROR) from None


def _refusal(html: str) -> str:
    """The message of the server's error page (moot's: ``<h1>...</h1><p>message</p>``)."""
    found = re.search(r"<p[^>]*>(.*?)</p>", html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def _check_request(url: str, redirect_uri: str, client_id: str) -> None:
    """Ask for the consent page once before involving the user: a server that refuses the request
    (unknown client id, unregistered redirect URI) answers 4xx with its reason."""
    try:
        response = httpx.get(url, timeout=30.0)
    except httpx.HTTPError as error:
        err.print(f"[red]Cannot reach {url.split('?', 1)[0]}:[/red] {error}")
        raise typer.Exit(EXIT_ERROR) from None
    if response.status_code < 400:
        return
    reason = _refusal(response.text) or f"HTTP {response.status_code}"
    err.print(f"[red]The server refused the sign-in request:[/red] {markup_escape(reason)}")
    if "redirect" in reason.lower():
        err.print(
            f"The app must have {redirect_uri} among its redirect URIs, e.g. `moot apps create --type oauth "
            f"--redirect-uri {redirect_uri} ...` on the server; or pass --port with the port of one it has."
        )
    elif "client" in reason.lower():
        err.print(f"Is {client_id} the client id of a user OAuth app (`moot apps create --type oauth`)?")
    raise typer.Exit(EXIT_AUTH)


def sign_in(
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    port: int,
    open_browser: bool,
    timeout: float,
) -> Token:
    """Run the browser flow and exchange the code: the user's token pair (never printed)."""
    redirect_uri = redirect_uri_for(port)
    pkce, state = PKCE.new(), new_state()
    url = authorization_url(
        client_id=client_id, redirect_uri=redirect_uri, state=state, pkce=pkce, base_url=base_url
    )
    with _listen(port, state) as listener:
        _check_request(url, redirect_uri, client_id)
        err.print(f"Sign in with a browser at this address (waiting for {redirect_uri}):", soft_wrap=True)
        typer.echo(url, err=True)  # plain, unwrapped: it must stay copyable
        if open_browser and graphical_browser_likely():
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        result = listener.wait(timeout)
    if result is None:
        err.print(f"[red]No sign-in arrived within {timeout:.0f} s.[/red] Run `moot login --oauth` again.")
        raise typer.Exit(EXIT_ERROR)
    if result.error:
        err.print(f"[red]Sign-in refused:[/red] {markup_escape(result.error)}.")
        raise typer.Exit(EXIT_AUTH)
    return exchange_code(
        client_id=client_id,
        client_secret=client_secret,
        code=result.code,
        redirect_uri=redirect_uri,
        code_verifier=pkce.verifier,
        base_url=base_url,
    )
