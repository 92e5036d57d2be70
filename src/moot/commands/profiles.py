"""Profiles in a TOML file: where a server is and which credentials to use there.

A profile holds Server-to-Server credentials (``auth = "s2s"``), or a user OAuth app's client id and
secret with the signed-in user's tokens (``auth = "oauth"``, written by ``moot login --oauth`` and again
after every refresh, since refresh tokens are single-use).

The file is ``$MOOT_CONFIG``, else ``$XDG_CONFIG_HOME/moot/config.toml`` (``~/.config/moot/config.toml``),
written readable by its owner only, and replaced atomically (a crash mid-write never loses the refresh
token). ``MOOT_ACCOUNT_ID``, ``MOOT_CLIENT_ID``, ``MOOT_CLIENT_SECRET`` and ``MOOT_BASE_URL`` override a
profile's values; ``--base-url`` overrides them all.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_PROFILE = "default"
S2S, OAUTH = "s2s", "oauth"
_ENV = {
    "account_id": "MOOT_ACCOUNT_ID",
    "client_id": "MOOT_CLIENT_ID",
    "client_secret": "MOOT_CLIENT_SECRET",
    "base_url": "MOOT_BASE_URL",
}


@dataclass(frozen=True)
class Profile:
    base_url: str = DEFAULT_BASE_URL
    account_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    auth: str = S2S
    access_token: str = ""
    refresh_token: str = ""
    token_expires_at: float | None = None

    @property
    def oauth(self) -> bool:
        return self.auth == OAUTH

    def complete(self) -> bool:
        if self.oauth:
            return bool(self.client_id and self.client_secret and (self.refresh_token or self.access_token))
        return bool(self.account_id and self.client_id and self.client_secret)

    def __repr__(self) -> str:
        ids = f"account_id={self.account_id!r}, client_id={self.client_id!r}"
        return f"Profile(base_url={self.base_url!r}, auth={self.auth!r}, {ids})"


def _value(name: str, raw: object) -> Any:
    if name == "token_expires_at":
        return float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    return str(raw)


def _toml(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    return json.dumps(str(value))


def config_path() -> Path:
    if explicit := os.environ.get("MOOT_CONFIG"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "moot" / "config.toml"


def _read(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def current_name(path: Path | None = None) -> str:
    data = _read(path or config_path())
    return os.environ.get("MOOT_PROFILE") or str(data.get("current") or DEFAULT_PROFILE)


def stored(name: str | None, path: Path | None = None) -> Profile:
    """The named (or current) profile as the file has it, without environment overrides."""
    data = _read(path or config_path())
    profiles = data.get("profiles")
    found = profiles.get(name or current_name(path), {}) if isinstance(profiles, dict) else {}
    known = {f.name for f in fields(Profile)}
    return Profile(**{k: _value(k, v) for k, v in found.items() if k in known})


def load(name: str | None, path: Path | None = None) -> Profile:
    """The named (or current) profile, with environment overrides applied."""
    overrides: dict[str, Any] = {k: os.environ[var] for k, var in _ENV.items() if os.environ.get(var)}
    return replace(stored(name, path), **overrides)


def save(name: str, profile: Profile, path: Path | None = None, *, make_current: bool = True) -> Path:
    """Store ``profile`` as ``name`` (and make it the current one); the file is mode 0600."""
    target = path or config_path()
    data = _read(target)
    profiles = data.get("profiles")
    kept = dict(profiles) if isinstance(profiles, dict) else {}
    kept[name] = {k: v for k, v in asdict(profile).items() if v is not None}
    current = name if make_current else data.get("current")
    lines = [f"current = {json.dumps(str(current))}", ""] if current else []
    for profile_name, values in kept.items():
        lines.append(f"[profiles.{json.dumps(profile_name)}]")
        lines += [f"{key} = {_toml(value)}" for key, value in dict(values).items()]
        lines.append("")
    _write_private(target, "\n".join(lines))
    return target


def save_tokens(
    name: str | None,
    access_token: str,
    refresh_token: str | None,
    expires_at: float | None,
    path: Path | None = None,
) -> Path:
    """Store a renewed token pair in the named (or current) OAuth profile, leaving the current profile
    as it is."""
    profile_name = name or current_name(path)
    found = stored(profile_name, path)
    renewed = replace(
        found,
        access_token=access_token,
        refresh_token=refresh_token or found.refresh_token,
        token_expires_at=expires_at,
    )
    return save(profile_name, renewed, path, make_current=False)


def _write_private(target: Path, text: str) -> None:
    """Write ``text`` to a new mode-0600 file beside ``target``, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
