"""What the ``live_server`` fixture yields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    account_id: str
    client_id: str
    client_secret: str
    owner_email: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
