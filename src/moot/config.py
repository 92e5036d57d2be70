"""Settings: one typed object built from MOOT_* environment variables and CLI flags.

It is passed in to whatever needs it; nothing reads it as a module global.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from moot.domain.accounts import Plan

DEFAULT_DB_URL = "sqlite:///moot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOOT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    db_url: str = DEFAULT_DB_URL
    public_url: str | None = Field(
        default=None,
        description="Base of the URLs moot hands out (api_url, join_url, start_url); "
        "defaults to http://{host}:{port}.",
    )
    credentials_file: Path | None = Field(
        default=None,
        description="Where the demo credentials are written; defaults to beside the SQLite file.",
    )
    sqlite_synchronous: Literal["normal", "full"] = Field(
        default="normal",
        description="normal: every acknowledged write survives a crash of the moot process; "
        "full: it also survives an operating-system crash or power loss, at a cost in throughput.",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db: rate-limit counters shared by every moot process using it; "
        "without it each process counts in memory.",
    )
    admin_token: str | None = Field(
        default=None,
        description="Turns on moot's admin API under /moot/api; every call must carry it as a Bearer token.",
    )
    admin_api: bool = Field(
        default=False,
        description="Admin API on without a token (the emulator); a set admin_token still applies.",
    )
    webhook_retry_scale: float = Field(
        default=1.0,
        gt=0,
        description="Factor on Zoom's webhook retry delays (5, 20, 60 minutes); e.g. 0.001 in tests.",
    )
    webhook_poll_interval: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between looks at the outbox when nothing wakes the dispatcher.",
    )
    webhook_lease_seconds: float = Field(
        default=15.0,
        gt=3,
        description="How long a delivery stays leased to the process sending it; a process that dies "
        "mid-delivery leaves it to another (or to itself after a restart) this long afterwards.",
    )
    webhook_concurrency: int = Field(default=64, ge=1, description="Deliveries in flight per process.")
    webhook_deny_private: bool = Field(
        default=False,
        description="Refuse webhook URLs that resolve to loopback, private (RFC 1918, fc00::/7) or CGNAT "
        "addresses, as an internet-facing deployment should; link-local and cloud-metadata addresses are "
        "refused either way.",
    )
    fault_seed: int | None = Field(
        default=None,
        description="Seeds the random draws of fault rules with a probability (admin API), so a run "
        "repeats; a rule's own seed takes precedence.",
    )
    journal_capacity: int = Field(
        default=10_000, ge=1, description="Requests the admin API's request journal keeps (oldest out)."
    )
    journal_body_bytes: int = Field(
        default=65_536, ge=0, description="Bytes of each request and response body the journal keeps."
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one (declared, or streamed chunked) is answered "
        "413 before more of it is read.",
    )
    # --- The video engine join and start pages lead to (moot.video). ---
    video_provider: Literal["none", "jitsi", "livekit", "bigbluebutton"] = Field(
        default="none",
        description="none: moot's own meeting-room page (participant list); jitsi, livekit or "
        "bigbluebutton: admitted visitors are sent to that server's room for the meeting.",
    )
    jitsi_url: str | None = Field(default=None, description="Base URL of the Jitsi Meet deployment.")
    jitsi_app_id: str | None = Field(default=None, description="Jitsi JWT app id (iss; aud is 'jitsi').")
    jitsi_app_secret: str | None = Field(default=None, description="Jitsi JWT app secret (HS256).")
    jitsi_sub: str | None = Field(
        default=None,
        description="Jitsi JWT sub: the XMPP domain or tenant ('*' for any); defaults to the tenant in "
        "jitsi_url's path, else its host.",
    )
    livekit_url: str | None = Field(default=None, description="LiveKit server URL (wss://...).")
    livekit_api_key: str | None = None
    livekit_api_secret: str | None = None
    livekit_meet_url: str | None = Field(
        default=None,
        description="LiveKit Meet style page that takes ?liveKitUrl=&token= (e.g. "
        "https://meet.livekit.io/custom).",
    )
    bbb_url: str | None = Field(
        default=None, description="BigBlueButton API base, e.g. https://bbb.example.com/bigbluebutton/api."
    )
    bbb_secret: str | None = Field(default=None, description="BigBlueButton shared secret.")
    bbb_checksum: Literal["sha1", "sha256", "sha384", "sha512"] = Field(
        default="sha1", description="BigBlueButton API checksum algorithm (sha256 and up need BBB 2.5+)."
    )
    bbb_password_join: bool = Field(
        default=False,
        description="Also send attendee/moderator passwords (BigBlueButton before 2.4 has no join role).",
    )
    video_token_ttl: int = Field(default=3 * 3600, ge=60, description="Seconds a video-provider token lives.")

    # --- Join, start and room pages (moot.pages). ---

    access_token_ttl: int = 3600
    zak_ttl: int = 7200
    log_level: str = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (time, level, logger, message, ...)."
    )
    access_log: bool = Field(
        default=False,
        description="Log every request (method, path, status, duration, tracking id) on logger moot.access.",
    )
    metrics: bool = Field(default=True, description="Prometheus metrics at /metrics; off removes the route.")
    workers: int = Field(default=1, ge=1, description="Server processes (`moot serve --workers`).")
    shutdown_timeout: float = Field(
        default=20.0,
        gt=0,
        description="Seconds a stopping server waits for requests in flight before closing connections.",
    )

    bootstrap_account_id: str | None = None
    bootstrap_client_id: str | None = None
    bootstrap_client_secret: str | None = None
    bootstrap_user_email: str | None = None
    bootstrap_plan: Plan = Plan.BUSINESS
    bootstrap_rate_limits: str = Field(default="zoom", description="zoom, off, or xN (Zoom's limits times N)")
    bootstrap_webhook_url: str | None = Field(
        default=None, description="Event-notification endpoint of the bootstrap app (validated once serving)."
    )
    bootstrap_webhook_secret: str | None = Field(default=None, description="Its secret token.")
    bootstrap_webhook_events: str = Field(default="all", description="Comma-separated events, or all.")

    @property
    def admin_enabled(self) -> bool:
        return self.admin_api or bool(self.admin_token)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def credentials_path(self) -> Path:
        if self.credentials_file is not None:
            return self.credentials_file
        if self.db_url.startswith("sqlite:///") and self.db_url != "sqlite:///:memory:":
            db = Path(self.db_url.removeprefix("sqlite:///"))
            return db.with_name(db.stem + ".credentials.json")
        return Path("moot.credentials.json")
