"""A Python SDK for Zoom's meetings API (REST v2), for Zoom itself or for moot.

Needs only ``httpx``: nothing here imports the rest of moot.

    from moot.client import Client

    with Client(account_id=..., client_id=..., client_secret=..., base_url="http://127.0.0.1:8000") as zoom:
        start = datetime(2030, 6, 9, 17, tzinfo=UTC)
        meeting = zoom.meetings.create(topic="Planning", type=2, start_time=start, duration=30)
        for item in zoom.meetings.list():
            print(item["id"], item["topic"])
"""

from moot.client.auth import ServerToServer, Token, UserTokens
from moot.client.calls import ZOOM_API_URL, ZOOM_OAUTH_URL, zoom_time
from moot.client.client import AsyncClient, Client
from moot.client.errors import (
    AuthError,
    BadRequest,
    Conflict,
    FieldError,
    InvalidAccessToken,
    MeetingNotFound,
    MissingScopes,
    NotFound,
    OAuthError,
    RateLimited,
    ServerError,
    UserNotFound,
    ValidationFailed,
    ZoomAPIError,
)
from moot.client.models import (
    Invitation,
    Meeting,
    MeetingCreate,
    MeetingListItem,
    MeetingSettings,
    MeetingUpdate,
    Recurrence,
    Registrant,
    RegistrantCreate,
    RegistrantCreated,
    User,
    UserListItem,
    parse_time,
)
from moot.client.oauth import PKCE, async_exchange_code, authorization_url, exchange_code
from moot.client.pages import AsyncPages, Pages
from moot.client.retry import NO_RETRIES, RetryPolicy

__all__ = [
    "NO_RETRIES",
    "PKCE",
    "ZOOM_API_URL",
    "ZOOM_OAUTH_URL",
    "AsyncClient",
    "AsyncPages",
    "AuthError",
    "BadRequest",
    "Client",
    "Conflict",
    "FieldError",
    "InvalidAccessToken",
    "Invitation",
    "Meeting",
    "MeetingCreate",
    "MeetingListItem",
    "MeetingNotFound",
    "MeetingSettings",
    "MeetingUpdate",
    "MissingScopes",
    "NotFound",
    "OAuthError",
    "Pages",
    "RateLimited",
    "Recurrence",
    "Registrant",
    "RegistrantCreate",
    "RegistrantCreated",
    "RetryPolicy",
    "ServerError",
    "ServerToServer",
    "Token",
    "User",
    "UserListItem",
    "UserNotFound",
    "UserTokens",
    "ValidationFailed",
    "ZoomAPIError",
    "async_exchange_code",
    "authorization_url",
    "exchange_code",
    "parse_time",
    "zoom_time",
]
