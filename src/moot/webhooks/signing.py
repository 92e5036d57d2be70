"""Zoom's webhook signatures: the bytes moot sends, the headers it signs them with, and a verifier.

Standard library only, so that the SDK (``moot.client``, which needs nothing but httpx) can use it.

Zoom signs ``"v0:{x-zm-request-timestamp}:{body}"`` with HMAC-SHA256 keyed by the app's secret token and
sends ``x-zm-signature: v0=<hex>`` (contract.md §8). Zoom's sample receiver and its Node SDK (Rivet) do
not hash the bytes they receive: they hash ``JSON.stringify(JSON.parse(body))``. A sender therefore has to
emit bodies that survive that round trip byte for byte, which is what :func:`serialize` produces.
"""

from __future__ import annotations

import hashlib
import hmac
import json.encoder
import math
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
TRACKING_ID_HEADER = "x-zm-trackingid"
CLIENT_ID_HEADER = "clientid"
CONTENT_TYPE = "application/json; charset=utf-8"
USER_AGENT = "Zoom Marketplace/1.0a"
URL_VALIDATION_EVENT = "endpoint.url_validation"
DEFAULT_TOLERANCE = 300
"""Seconds a delivery's timestamp may differ from the receiver's clock (either way)."""

_MAX_SAFE_INTEGER = 2**53
_MAX_ARRAY_INDEX = 2**32 - 2
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_SECONDS = re.compile(r"[0-9]{1,12}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_encode_string = json.encoder.encode_basestring  # escapes what JSON.stringify does, surrogates aside


class WebhookVerificationError(Exception):
    """A delivery that did not pass :func:`verify`; the subclass says why."""


class MissingHeader(WebhookVerificationError):
    """``x-zm-signature`` or ``x-zm-request-timestamp`` is absent (or empty)."""


class InvalidTimestamp(WebhookVerificationError):
    """``x-zm-request-timestamp`` is not a whole number of seconds."""


class InvalidSignature(WebhookVerificationError):
    """The signature does not match the body and timestamp under this secret."""


class StaleTimestamp(WebhookVerificationError):
    """The signature is good but the timestamp is further than ``tolerance`` seconds from now."""


# ---------------------------------------------------------------------------------------------------------
# JSON.stringify


def serialize(obj: Any) -> bytes:
    """UTF-8 bytes of what JavaScript's ``JSON.stringify(obj)`` returns for the same value.

    - Compact; keys in insertion order, except that keys which are array indices (``"0"`` ...
      ``"4294967294"`` without leading zeros) come first in ascending numeric order, as in every JS object.
    - Non-ASCII (including U+2028/U+2029 and emoji) is written as is; ``"``, ``\\``, ``\\b \\f \\n \\r \\t``
      and the other control characters below U+0020 are escaped (``\\u001f``, lower-case hex), DEL is not.
      A surrogate pair becomes the character it encodes; a lone surrogate is escaped (``\\ud800``) like
      ES2019's well-formed ``JSON.stringify``.
    - ``dict`` → object (keys must be ``str``), ``list``/``tuple`` → array, ``str``, ``bool``, ``None``.
    - ``float`` is written the way JS's ``Number.prototype.toString`` writes the same double: ``1.0`` →
      ``1``, ``1e21`` → ``1e+21``, ``1e-7`` → ``1e-7``, ``-0.0`` → ``0``.
    - ``int`` is written as is when JS, having read those digits, writes them back unchanged: always for
      ``|n| <= 2**53``, and for larger ones like ``26396637947106970`` whose double prints the same.

    Raises ``ValueError`` for NaN and infinities (JS would print ``null``, losing the value) and for an
    integer whose digits JS would change (``2**53 + 1`` → ``9007199254740992``, ``10**21`` → ``1e+21``);
    ``TypeError`` for any other type or a non-``str`` key. So the output is always a fixed point of
    ``JSON.stringify(JSON.parse(...))``, which is what a Zoom receiver signs.
    """
    parts: list[str] = []
    _write(obj, parts)
    text = "".join(parts)
    if _SURROGATE.search(text):
        text = _escape_lone_surrogates(text)
    return text.encode("utf-8")


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(_js_integer(value))
    elif isinstance(value, float):
        out.append(js_number(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for position, key in enumerate(_js_key_order(value)):
            if position:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable for a webhook body")


def _js_key_order(mapping: Mapping[Any, Any]) -> list[str]:
    indices: list[str] = []
    names: list[str] = []
    for key in mapping:
        if not isinstance(key, str):
            raise TypeError(f"webhook body keys must be str, not {type(key).__name__} ({key!r})")
        is_index = _ARRAY_INDEX.fullmatch(key) is not None and int(key) <= _MAX_ARRAY_INDEX
        (indices if is_index else names).append(key)
    if not indices:
        return names
    return sorted(indices, key=int) + names


def _js_integer(value: int) -> str:
    digits = str(value)
    if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return digits
    try:
        if js_number(float(value)) == digits:
            return digits
    except OverflowError:
        pass
    raise ValueError(f"{value} cannot be sent as JSON: JavaScript would read it as a different number")


def js_number(value: float) -> str:
    """``value`` formatted as JavaScript's ``Number.prototype.toString()`` formats the same double.

    Python's ``repr`` and JS both pick the shortest digit string that reads back as the same double;
    only the layout differs (ECMA-262 Number::toString). Raises ``ValueError`` for NaN and infinities.
    """
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON form (JSON.stringify would write null)")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + js_number(-value)
    digits, exponent = _shortest_digits(value)
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """``(digits, e)`` with ``value == int(digits) * 10**e``, no trailing zeros, from ``repr(value)``."""
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    stripped = digits.rstrip("0")
    return stripped, int(exponent or 0) - len(fraction) + len(digits) - len(stripped)


def _escape_lone_surrogates(text: str) -> str:
    # JS strings are UTF-16: two Python code points that form a surrogate pair are one character there.
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", joined)


# ---------------------------------------------------------------------------------------------------------
# Signing


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def signature(secret: str, timestamp: str | int, body: bytes | str) -> str:
    """``"v0=" + hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))``: the ``x-zm-signature`` value."""
    message = b"v0:" + str(timestamp).encode("utf-8") + b":" + _bytes(body)
    return "v0=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def url_validation_response(plain_token: str, secret: str) -> dict[str, str]:
    """The 200 body that answers an ``endpoint.url_validation`` challenge."""
    encrypted = hmac.new(secret.encode("utf-8"), plain_token.encode("utf-8"), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def headers(
    secret: str, body: bytes, timestamp: str | int, tracking_id: str, client_id: str | None = None
) -> dict[str, str]:
    """Every header Zoom sends with a delivery of ``body`` (the bytes of :func:`serialize`).

    ``timestamp`` is in POSIX seconds; it is written, and signed, in canonical decimal form (Rivet signs
    ``Number(header).toString()``, so ``"0123"`` would not verify there). ``clientid`` (the app's client id)
    is included when given. Zoom's legacy ``authorization`` verification token is not sent.
    """
    if isinstance(timestamp, bool):
        raise TypeError("timestamp must be POSIX seconds, not a bool")
    seconds = str(int(timestamp))
    sent = {
        "content-type": CONTENT_TYPE,
        "user-agent": USER_AGENT,
        TIMESTAMP_HEADER: seconds,
        SIGNATURE_HEADER: signature(secret, seconds, body),
        TRACKING_ID_HEADER: tracking_id,
    }
    if client_id is not None:
        sent[CLIENT_ID_HEADER] = client_id
    return sent


# ---------------------------------------------------------------------------------------------------------
# Verifying


def _header(received: Mapping[str, str], name: str) -> str | None:
    value = received.get(name)
    if value is None:
        value = next((v for k, v in received.items() if k.lower() == name), None)
    return value or None


def verify(
    headers: Mapping[str, str],
    body: bytes | str | Mapping[str, Any],
    secret: str,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> None:
    """Check that a delivery was signed with ``secret``, recently; raise a :class:`WebhookVerificationError`
    subclass if not, return ``None`` if so.

    ``headers``: any mapping (header names are matched case-insensitively). ``body``: the raw request body
    as received (``bytes``, or ``str`` which is UTF-8 encoded). A body that a framework has already parsed
    may be passed as a ``dict``: it is re-serialised with :func:`serialize`, which is what Zoom's own
    samples do. ``tolerance``: how many seconds the timestamp may be away from ``now`` (default 300);
    ``None`` skips that check. ``now``: the receiver's time (POSIX seconds or an aware ``datetime``),
    default ``time.time()``.

    Checked in this order: both headers present (:class:`MissingHeader`), the timestamp is an integer
    (:class:`InvalidTimestamp`), the signature (:class:`InvalidSignature`, compared in constant time),
    then freshness (:class:`StaleTimestamp`), so a stale error always concerns an authentic delivery.
    """
    sent_signature = _header(headers, SIGNATURE_HEADER)
    sent_timestamp = _header(headers, TIMESTAMP_HEADER)
    if sent_signature is None or sent_timestamp is None:
        missing = [SIGNATURE_HEADER] if sent_signature is None else []
        missing += [TIMESTAMP_HEADER] if sent_timestamp is None else []
        raise MissingHeader(f"missing header: {', '.join(missing)}")
    if not _SECONDS.fullmatch(sent_timestamp):
        raise InvalidTimestamp(f"{TIMESTAMP_HEADER} is not whole seconds: {sent_timestamp!r}")
    raw = _reserialized(body) if isinstance(body, Mapping) else _bytes(body)
    expected = signature(secret, sent_timestamp, raw).encode("utf-8")
    if not hmac.compare_digest(expected, sent_signature.encode("utf-8")):
        raise InvalidSignature(f"{SIGNATURE_HEADER} does not match the body signed with this secret")
    seconds = int(sent_timestamp)
    if tolerance is None:
        return
    if now is None:
        now = time.time()
    elif isinstance(now, datetime):
        now = now.timestamp()
    if abs(now - seconds) > tolerance:
        raise StaleTimestamp(
            f"{TIMESTAMP_HEADER} {seconds} is {now - seconds:+.0f} s from now; tolerance is {tolerance} s"
        )


def _reserialized(body: Mapping[str, Any]) -> bytes:
    try:
        return serialize(body)
    except (TypeError, ValueError) as error:  # no Zoom-signed body parses to this
        raise InvalidSignature(f"the body has no JSON.stringify form to check: {error}") from None


def is_valid(
    headers: Mapping[str, str],
    body: bytes | str | Mapping[str, Any],
    secret: str,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> bool:
    """:func:`verify` as a boolean: ``True`` for a good delivery, ``False`` for any verification failure."""
    try:
        verify(headers, body, secret, tolerance, now)
    except WebhookVerificationError:
        return False
    return True
