"""The admin API of a moot (``/moot/api``, docs/emulator.md) as methods: reset, seed, state, the clock,
fault rules, the request journal and webhook deliveries.

One class serves every way of running moot in tests: it only needs an ``httpx.Client`` that reaches the
server (a live one, or one whose transport calls an in-process moot).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx


class AdminError(Exception):
    """The admin API refused a call; ``status`` and ``body`` are its answer."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text
        request = response.request
        super().__init__(f"{request.method} {request.url.path}: {self.status} {self.body}")


def zoom_time(value: datetime | str) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for a datetime (naive means UTC); a string as given."""
    if isinstance(value, str):
        return value
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(body: Any) -> datetime:
    return datetime.fromisoformat(str(body["now"]))


class Admin:
    """Calls to ``/moot/api``. With ``account_id``, the journal and the webhook deliveries are read for
    that account, and new fault rules apply to it, unless a call names another (per-test accounts: see
    the pytest plugin)."""

    def __init__(self, http: httpx.Client, *, account_id: str | None = None) -> None:
        self.http = http
        self.account_id = account_id
        self.clock = ClockControl(self)
        self.faults = Faults(self)

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """``method`` ``/moot/api{path}``: the JSON answer (``None`` for 204); :class:`AdminError` unless
        it is a 2xx."""
        response = self.http.request(method, f"/moot/api{path}", json=json, params=params)
        if not response.is_success:
            raise AdminError(response)
        return response.json() if response.content else None

    def _scoped(self, filters: dict[str, Any]) -> dict[str, Any]:
        given = {name: value for name, value in filters.items() if value is not None}
        if self.account_id is not None:
            given.setdefault("account_id", self.account_id)
        return given

    # --- state --------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seed: data, ids, clock; no fault rules, an empty journal."""
        self.call("POST", "/reset")

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add seed data (docs/emulator.md); what was created, with generated ids and secrets. It becomes
        part of what :meth:`reset` returns to."""
        created: dict[str, Any] = self.call("POST", "/seed", json=data)
        return created

    def state(self) -> dict[str, Any]:
        """The whole state (``{"format": 1, "tables": {...}}``), for :meth:`load_state`."""
        state: dict[str, Any] = self.call("GET", "/state")
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        """Replace the whole state with one :meth:`state` returned (here or on another moot)."""
        self.call("PUT", "/state", json=state)

    # --- request journal ----------------------------------------------------------------------------

    def requests(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        account_id: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Journal entries, newest first; ``path`` is a glob (``/v2/meetings/*``)."""
        filters = {"method": method, "path": path, "status": status, "account_id": account_id, "limit": limit}
        listed: list[dict[str, Any]] = self.call("GET", "/requests", params=self._scoped(filters))["requests"]
        return listed

    def verify(self, **criteria: Any) -> dict[str, Any]:
        """``POST /moot/api/requests/verify``: ``{"ok", "matched", "expected"}``, ``ok`` false when the
        count does not hold (``count``, ``at_least``, ``at_most``; filters as for :meth:`requests`)."""
        response = self.http.post("/moot/api/requests/verify", json=self._scoped(criteria))
        if response.status_code not in (200, 409):
            raise AdminError(response)
        verdict: dict[str, Any] = response.json()
        return verdict

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    # --- webhook deliveries -------------------------------------------------------------------------

    def deliveries(
        self,
        *,
        event: str | None = None,
        state: str | None = None,
        client_id: str | None = None,
        account_id: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Webhook deliveries, newest first (``state``: pending, delivered or failed)."""
        filters = {
            "event": event,
            "state": state,
            "client_id": client_id,
            "account_id": account_id,
            "limit": limit,
        }
        listed: list[dict[str, Any]] = self.call("GET", "/webhooks/deliveries", params=self._scoped(filters))[
            "deliveries"
        ]
        return listed

    def webhook_endpoints(self) -> dict[str, dict[str, Any]]:
        """Each app's event-notification endpoint, by client id (``url``, ``events``, ``active``,
        ``validated_at``, ``last_error``), read from the state; of the admin's account when it has one."""
        found = {}
        for row in self.state()["tables"]["apps"]:
            endpoint = json.loads(row["doc"]).get("webhook")
            if endpoint is not None and self.account_id in (None, row["account_id"]):
                found[row["client_id"]] = {k: v for k, v in endpoint.items() if k != "secret_token"}
        return found

    def wait_for_webhooks(self, timeout: float = 10.0) -> dict[str, dict[str, Any]]:
        """Wait until every endpoint has answered Zoom's URL-validation challenge (events go to active
        endpoints only; a reset takes endpoints back to their seeded, unvalidated state, and they are
        challenged again at once); the endpoints. :class:`TimeoutError` if one does not in time."""
        deadline = time.monotonic() + timeout
        while True:
            endpoints = self.webhook_endpoints()
            if all(endpoint["active"] for endpoint in endpoints.values()):
                return endpoints
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhook endpoints not validated within {timeout:g} s: {endpoints}")
            time.sleep(0.01)

    def delivery(self, delivery_id: int) -> dict[str, Any]:
        """One delivery with its attempts and the event body."""
        found: dict[str, Any] = self.call("GET", f"/webhooks/deliveries/{delivery_id}")
        return found


class ClockControl:
    """The emulator's clock: tokens, quotas, meeting status and webhook retries follow it."""

    def __init__(self, admin: Admin) -> None:
        self._admin = admin

    def now(self) -> datetime:
        return _instant(self._admin.call("GET", "/clock"))

    @property
    def frozen(self) -> bool:
        return bool(self._admin.call("GET", "/clock")["frozen"])

    def freeze(self, at: datetime | str | None = None) -> datetime:
        """Stop the clock (at ``at``, or where it stands)."""
        body: dict[str, Any] = {"frozen": True}
        if at is not None:
            body["now"] = zoom_time(at)
        return _instant(self._admin.call("PUT", "/clock", json=body))

    def unfreeze(self) -> datetime:
        """Let it run on from where it stands."""
        return _instant(self._admin.call("PUT", "/clock", json={"frozen": False}))

    def set(self, now: datetime | str) -> datetime:
        """Move it to ``now`` (forwards or back), frozen or running as it was."""
        return _instant(self._admin.call("PUT", "/clock", json={"now": zoom_time(now)}))

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        """Move it forward; what falls due (token expiry, quotas, webhook retries) happens at once."""
        body = {"seconds": seconds, "minutes": minutes, "hours": hours, "days": days}
        return _instant(self._admin.call("POST", "/clock/advance", json=body))


class Faults:
    """Fault rules (docs/emulator.md, "Fault injection")."""

    def __init__(self, admin: Admin) -> None:
        self._admin = admin

    def add(self, **rule: Any) -> dict[str, Any]:
        """Add a rule, e.g. ``add(method="GET", path="/v2/meetings/*", times=1, error={"code": 3001})``;
        on an admin scoped to an account, for that account's calls unless ``account_id`` says otherwise."""
        if self._admin.account_id is not None:
            rule.setdefault("account_id", self._admin.account_id)
        added: dict[str, Any] = self._admin.call("POST", "/faults", json=rule)
        return added

    def rules(self) -> list[dict[str, Any]]:
        """Every rule, in order, with ``matched``, ``fired`` and ``active``."""
        listed: list[dict[str, Any]] = self._admin.call("GET", "/faults")["faults"]
        return listed

    def get(self, fault_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self._admin.call("GET", f"/faults/{fault_id}")
        return found

    def delete(self, fault_id: int) -> None:
        self._admin.call("DELETE", f"/faults/{fault_id}")

    def clear(self) -> None:
        self._admin.call("DELETE", "/faults")
