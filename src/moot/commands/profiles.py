"""Profiles in a TOML file: where a server is and which credentials to use there.

The file is ``$MOOT_CONFIG``, else ``$XDG_CONFIG_HOME/moot/config.toml`` (``~/.config/moot/config.toml``),
written readable by its owner only. ``MOOT_ACCOUNT_ID``, ``MOOT_CLIENT_ID``, ``MOOT_CLIENT_SECRET`` and
``MOOT_BASE_URL`` override a profile's values; ``--base-url`` overrides them all.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_PROFILE = "default"
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

    def complete(self) -> bool:
        return bool(self.account_id and self.client_id and self.client_secret)

    def __repr__(self) -> str:
        ids = f"account_id={self.account_id!r}, client_id={self.client_id!r}"
        return f"Profile(base_url={self.base_url!r}, {ids})"


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


def load(name: str | None, path: Path | None = None) -> Profile:
    """The named (or current) profile, with environment overrides applied."""
    data = _read(path or config_path())
    profiles = data.get("profiles")
    stored = profiles.get(name or current_name(path), {}) if isinstance(profiles, dict) else {}
    known = {f.name for f in fields(Profile)}
    profile = Profile(**{k: str(v) for k, v in stored.items() if k in known})
    overrides = {key: os.environ[var] for key, var in _ENV.items() if os.environ.get(var)}
    return replace(profile, **overrides)


def save(name: str, profile: Profile, path: Path | None = None) -> Path:
    """Store ``profile`` as ``name`` and make it the current one; the file is mode 0600."""
    target = path or config_path()
    data = _read(target)
    profiles = data.get("profiles")
    stored = dict(profiles) if isinstance(profiles, dict) else {}
    stored[name] = asdict(profile)
    lines = [f"current = {json.dumps(name)}", ""]
    for profile_name, values in stored.items():
        lines.append(f"[profiles.{json.dumps(profile_name)}]")
        lines += [f"{key} = {json.dumps(str(value))}" for key, value in dict(values).items()]
        lines.append("")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))
    target.chmod(0o600)
    return target
