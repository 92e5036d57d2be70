"""What a test needs to call a moot: the app's credentials and the two URLs Zoom clients are pointed at."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from moot.emulator.server import (
    EMULATOR_ACCOUNT_ID,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    EMULATOR_USER_EMAIL,
)

if TYPE_CHECKING:
    from moot.client import Client

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105 (a URL)


@dataclass(frozen=True)
class Credentials:
    """A Server-to-Server OAuth app and where to use it. By default the emulator's fixed app at Zoom's own
    URLs, which is what code under :func:`moot.testing.mock_zoom` uses. ``repr`` hides the secret."""

    account_id: str = EMULATOR_ACCOUNT_ID
    client_id: str = EMULATOR_CLIENT_ID
    client_secret: str = field(default=EMULATOR_CLIENT_SECRET, repr=False)
    user_email: str = EMULATOR_USER_EMAIL
    api_url: str = ZOOM_API_URL
    token_url: str = ZOOM_TOKEN_URL

    @classmethod
    def at(cls, base_url: str, **fields: Any) -> Credentials:
        """The credentials of a moot whose root is ``base_url`` (``http://127.0.0.1:8000``)."""
        root = base_url.rstrip("/")
        return cls(api_url=f"{root}/v2", token_url=f"{root}/oauth/token", **fields)

    def with_app(self, account_id: str, client_id: str, client_secret: str) -> Credentials:
        return replace(self, account_id=account_id, client_id=client_id, client_secret=client_secret)

    @property
    def basic_auth(self) -> str:
        """The ``Authorization`` header value of a token request."""
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def client(self, **options: Any) -> Client:
        """A :class:`moot.client.Client` for this app (close it, or use it in a ``with``)."""
        from moot.client import Client

        return Client(**self.client_options(), **options)

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments of :class:`moot.client.Client` / ``AsyncClient`` for this app."""
        return {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "base_url": self.api_url,
            "oauth_url": self.token_url,
        }
