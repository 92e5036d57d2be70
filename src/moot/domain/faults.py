"""Fault rules (moot's admin API, ``/moot/api/faults``): which requests or webhook deliveries a rule
picks, when it fires (``nth``, ``times``, ``probability``), and the Zoom error it answers with.

A rule with ``error``, ``latency_ms`` or ``drop`` acts on API requests; one with ``webhook`` on the
dispatcher's deliveries. Rules are tried in the order they were added. Every firing rule adds its
latency; the first firing rule with an error or a drop decides the answer, and later error or drop
rules are not consulted for that request (so it does not count towards their ``nth`` or ``times``).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from moot.domain import scopes
from moot.domain.accounts import Plan
from moot.domain.errors import (
    FieldError,
    InternalError,
    InvalidAccessToken,
    MeetingNotFound,
    MissingScopes,
    RateLimited,
    UserNotFound,
    ValidationFailed,
    ZoomError,
)
from moot.domain.ratelimits import (
    DAILY_MESSAGE,
    HOST_DAILY_QUOTA,
    HOST_QUOTA_MESSAGE,
    OPERATION_LABELS,
    PER_SECOND_MESSAGE,
    PLAN_LIMITS,
    RateLabel,
    next_midnight,
    scaled,
)
from moot.domain.times import format_zoom

ERROR_CODES = (124, 300, 429, 500, 1001, 3001, 4711)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
DEFAULT_FIELD_ERRORS = (FieldError("", "Invalid field."),)
DEFAULT_HOLD_SECONDS = 10.0
MAX_LATENCY_MS = 120_000

_MEETING_IN_PATH = re.compile(r"/(?:past_)?meetings/([^/]+)")
_USER_IN_PATH = re.compile(r"/users/([^/]+)")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class FieldErrorSpec(_Rule):
    field: str
    message: str


class ErrorSpec(_Rule):
    """The Zoom error a rule answers with, by code; the optional fields override what moot derives."""

    code: int
    limit: Literal["per_second", "daily", "host_daily"] | None = None  # 429 only; per_second by default
    errors: list[FieldErrorSpec] | None = None  # 300 only
    meeting_id: str | None = None  # 3001 only; by default the meeting id in the path
    user_id: str | None = None  # 1001 only; by default the user id in the path
    scopes: list[str] | None = None  # 4711 only; by default the scopes the operation needs

    @field_validator("code")
    @classmethod
    def _known(cls, code: int) -> int:
        if code not in ERROR_CODES:
            raise ValueError(f"Must be one of {', '.join(map(str, ERROR_CODES))}.")
        return code

    @model_validator(mode="after")
    def _fits_code(self) -> ErrorSpec:
        for name, code in (("limit", 429), ("errors", 300), ("meeting_id", 3001), ("user_id", 1001)):
            if getattr(self, name) is not None and self.code != code:
                raise ValueError(f"{name} applies to code {code} only.")
        if self.scopes is not None and self.code != 4711:
            raise ValueError("scopes applies to code 4711 only.")
        return self

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"code": self.code}
        if self.code == 429:
            wire["limit"] = self.limit or "per_second"
        if self.code == 300:
            given = self.errors
            wire["errors"] = (
                [e.model_dump() for e in given]
                if given is not None
                else [{"field": e.field, "message": e.message} for e in DEFAULT_FIELD_ERRORS]
            )
        for name in ("meeting_id", "user_id", "scopes"):
            if getattr(self, name) is not None:
                wire[name] = getattr(self, name)
        return wire


class WebhookSpec(_Rule):
    """A delivery fault: ``timeout`` (recorded as unanswered, nothing sent), ``duplicate`` (sent twice),
    ``out_of_order`` (held back and sent after the meeting's next event)."""

    kind: Literal["timeout", "duplicate", "out_of_order"]
    event: str = "*"  # a glob on the event name, e.g. "meeting.*"
    hold_seconds: float | None = Field(default=None, gt=0, le=3600)  # out_of_order: the longest hold

    @model_validator(mode="after")
    def _hold_fits(self) -> WebhookSpec:
        if self.hold_seconds is not None and self.kind != "out_of_order":
            raise ValueError("hold_seconds applies to out_of_order only.")
        return self

    @property
    def hold(self) -> float:
        return self.hold_seconds if self.hold_seconds is not None else DEFAULT_HOLD_SECONDS


class FaultSpec(_Rule):
    """A rule as posted: what it matches, when it fires, what it does."""

    method: str | None = None
    path: str | None = None  # a glob: "*" matches across "/" too ("/v2/*" is every API call)
    operation: str | None = None  # Zoom's operationId, e.g. "meeting", "meetingCreate"
    account_id: str | None = None
    nth: int | None = Field(default=None, ge=1)
    times: int | None = Field(default=None, ge=1)
    probability: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None
    error: ErrorSpec | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=MAX_LATENCY_MS)
    drop: bool = False
    webhook: WebhookSpec | None = None

    @field_validator("method")
    @classmethod
    def _method(cls, method: str | None) -> str | None:
        if method is None:
            return None
        if method.upper() not in METHODS:
            raise ValueError(f"Must be one of {', '.join(sorted(METHODS))}.")
        return method.upper()

    @field_validator("path")
    @classmethod
    def _path(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith(("/", "*")):
            raise ValueError("Must be a path or a glob starting with / (e.g. /v2/meetings/*).")
        return path

    @model_validator(mode="after")
    def _coherent(self) -> FaultSpec:
        if self.nth is not None and (self.times is not None or self.probability is not None):
            raise ValueError("nth fires on one request only: it goes with neither times nor probability.")
        if self.webhook is not None:
            given = [n for n in ("method", "path", "operation", "error", "latency_ms") if getattr(self, n)]
            if self.drop:
                given.append("drop")
            if given:
                raise ValueError(f"A webhook rule takes no {', '.join(given)}.")
            return self
        if self.error is None and self.latency_ms is None and not self.drop:
            raise ValueError("A rule needs an action: error, latency_ms, drop or webhook.")
        if self.error is not None and self.drop:
            raise ValueError("A rule answers with an error or drops the connection, not both.")
        return self


class RequestFacts(Protocol):
    """What a rule may ask about a request beyond its method and path (worked out only when asked)."""

    def operation(self) -> str | None: ...

    def account_id(self) -> str | None: ...


@dataclass(eq=False)
class FaultRule:
    id: int
    spec: FaultSpec
    rng: random.Random = field(repr=False)
    matched: int = 0  # requests (or deliveries) it was consulted on
    fired: int = 0

    @property
    def is_webhook(self) -> bool:
        return self.spec.webhook is not None

    @property
    def answers(self) -> bool:
        """Whether it decides the answer (an error or a drop), rather than only slowing it."""
        return self.spec.error is not None or self.spec.drop

    @property
    def active(self) -> bool:
        if self.spec.nth is not None:
            return self.matched < self.spec.nth
        if self.spec.times is not None:
            return self.fired < self.spec.times
        return True

    def wants(self, method: str, path: str, facts: RequestFacts) -> bool:
        spec = self.spec
        if spec.webhook is not None:
            return False
        if spec.method is not None and spec.method != method:
            return False
        if spec.path is not None and not fnmatchcase(path, spec.path):
            return False
        if spec.operation is not None and facts.operation() != spec.operation:
            return False
        return spec.account_id is None or facts.account_id() == spec.account_id

    def wants_delivery(self, event: str, account_id: str) -> bool:
        hook = self.spec.webhook
        if hook is None or not fnmatchcase(event, hook.event):
            return False
        return self.spec.account_id is None or self.spec.account_id == account_id

    def fires(self) -> bool:
        """Count one request (or delivery) it matched; whether it acts on this one."""
        spec = self.spec
        self.matched += 1
        if spec.nth is not None:
            hit = self.matched == spec.nth
        elif spec.times is not None and self.fired >= spec.times:
            hit = False
        else:
            hit = spec.probability is None or self.rng.random() < spec.probability
        if hit:
            self.fired += 1
        return hit

    def to_wire(self) -> dict[str, Any]:
        spec = self.spec
        hook = spec.webhook
        return {
            "id": self.id,
            "method": spec.method,
            "path": spec.path,
            "operation": spec.operation,
            "account_id": spec.account_id,
            "nth": spec.nth,
            "times": spec.times,
            "probability": spec.probability,
            "seed": spec.seed,
            "error": spec.error.to_wire() if spec.error is not None else None,
            "latency_ms": spec.latency_ms,
            "drop": spec.drop,
            "webhook": hook.model_dump() if hook is not None else None,
            "matched": self.matched,
            "fired": self.fired,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What the rules do to one request: wait ``latency_ms``, then answer as ``action`` says (None: as
    moot would). ``fired`` names every rule that fired on it."""

    latency_ms: int
    action: FaultRule | None
    fired: tuple[int, ...]


class FaultBook:
    """The rules of one process, in the order they were added."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rules: dict[int, FaultRule] = {}
        self._next_id = 1
        self.has_http_rules = False
        self.has_webhook_rules = False

    def add(self, spec: FaultSpec) -> FaultRule:
        rule_id = self._next_id
        self._next_id += 1
        rule = FaultRule(rule_id, spec, self._rng(spec, rule_id))
        self._rules[rule_id] = rule
        self._note_kinds()
        return rule

    def _rng(self, spec: FaultSpec, rule_id: int) -> random.Random:
        if spec.seed is not None:
            return random.Random(spec.seed)  # noqa: S311 - fault draws, not secrets
        if self._seed is not None:
            return random.Random(f"{self._seed}:{rule_id}")  # noqa: S311
        return random.Random()  # noqa: S311

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(list(self._rules.values()))

    def remove(self, rule_id: int) -> bool:
        found = self._rules.pop(rule_id, None) is not None
        self._note_kinds()
        return found

    def clear(self) -> None:
        self._rules.clear()
        self._note_kinds()

    def _note_kinds(self) -> None:
        self.has_webhook_rules = any(r.is_webhook for r in self._rules.values())
        self.has_http_rules = any(not r.is_webhook for r in self._rules.values())

    def for_request(self, method: str, path: str, facts: RequestFacts) -> FaultPlan | None:
        latency = 0
        action: FaultRule | None = None
        fired: list[int] = []
        for rule in list(self._rules.values()):
            if rule.is_webhook or (action is not None and rule.answers):
                continue
            if not rule.wants(method, path, facts) or not rule.fires():
                continue
            fired.append(rule.id)
            latency += rule.spec.latency_ms or 0
            if rule.answers:
                action = rule
        return FaultPlan(latency, action, tuple(fired)) if fired else None

    def for_delivery(self, event: str, account_id: str) -> FaultRule | None:
        for rule in list(self._rules.values()):
            if rule.wants_delivery(event, account_id) and rule.fires():
                return rule
        return None


# --- the errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What the answer to a faulted request depends on."""

    path: str
    operation: str | None
    plan: Plan  # of the caller's account (Business when unknown)
    scale: float  # the account's rate-limit scale (1 for "zoom" and "off")
    timestamp: float  # the Clock's now, as POSIX seconds
    now: datetime  # the Clock's now


def fault_error(spec: ErrorSpec, context: ErrorContext) -> ZoomError:
    """The error moot itself raises for ``spec.code`` on this request."""
    match spec.code:
        case 124:
            return InvalidAccessToken()
        case 300:
            given = [FieldError(e.field, e.message) for e in spec.errors] if spec.errors is not None else None
            return ValidationFailed(given if given is not None else list(DEFAULT_FIELD_ERRORS))
        case 1001:
            return UserNotFound(user_id=spec.user_id or _in_path(_USER_IN_PATH, context.path) or "me")
        case 3001:
            return MeetingNotFound(meeting_id=spec.meeting_id or _in_path(_MEETING_IN_PATH, context.path))
        case 4711:
            listed = spec.scopes
            if listed is None:
                rule = scopes.RULES.get(context.operation or "")
                listed = list(rule.listed) if rule is not None else []
            return MissingScopes(scopes=", ".join(listed))
        case 429:
            return rate_limited(spec.limit or "per_second", context)
        case _:
            return InternalError()


def _in_path(pattern: re.Pattern[str], path: str) -> str:
    found = pattern.search(path)
    return found.group(1) if found else ""


def rate_limited(limit: str, context: ErrorContext) -> RateLimited:
    """Zoom's 429 as ``services.ratelimits`` renders it when the limit is really reached."""
    label = OPERATION_LABELS.get(context.operation or "", RateLabel.LIGHT)
    limits = PLAN_LIMITS[context.plan][label]
    category = {"X-RateLimit-Category": label.value}
    midnight = format_zoom(next_midnight(context.now))
    if limit == "per_second":
        window = int(context.timestamp // limits.window)
        retry = max(1, math.ceil((window + 1) * limits.window - context.timestamp))
        return RateLimited(
            PER_SECOND_MESSAGE,
            {
                **category,
                "X-RateLimit-Type": "QPS",
                "X-RateLimit-Limit": str(scaled(limits.per_window, context.scale)),
                "X-RateLimit-Remaining": "0",
                "Retry-After": str(retry),
            },
        )
    if limit == "daily":
        # A plan without a daily cap on this label (Business' Light) gets Zoom's smallest one for it.
        per_day = limits.per_day or PLAN_LIMITS[Plan.FREE][label].per_day or 0
        return RateLimited(
            DAILY_MESSAGE,
            {
                **category,
                "X-RateLimit-Limit": str(scaled(per_day, context.scale)),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Type": "Daily-limit",
                "Retry-After": midnight,
            },
        )
    quota = scaled(HOST_DAILY_QUOTA, context.scale)
    return RateLimited(
        HOST_QUOTA_MESSAGE.format(limit=quota),
        {**category, "X-RateLimit-Limit": str(quota), "X-RateLimit-Remaining": "0", "Retry-After": midnight},
    )
