"""moot.webhooks.signing: Zoom's v0 signature, URL validation, delivery headers, verify, and serialize
compared byte for byte with Node's JSON.stringify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moot.webhooks import (
    InvalidSignature,
    InvalidTimestamp,
    MissingHeader,
    StaleTimestamp,
    WebhookVerificationError,
    headers,
    is_valid,
    js_number,
    serialize,
    signature,
    url_validation_response,
    verify,
)

SECRET = "moot-secret-token"
TS = 1700000000
BODY = b'{"event":"meeting.created","payload":{"object":{"id":85746065432}},"event_ts":1700000000123}'
# printf '%s' "v0:1700000000:$BODY" | openssl dgst -sha256 -hmac moot-secret-token
BODY_SIGNATURE = "v0=a803618a40f8084cc388755bfa3d941e84f78422c08a19323de8a44455c415cf"
PLAIN_TOKEN = "qgg8vlvZRS6UYooatFL8Aw"
# printf '%s' qgg8vlvZRS6UYooatFL8Aw | openssl dgst -sha256 -hmac moot-secret-token
ENCRYPTED_TOKEN = "e5bdf8a8bed663c807afc0c3460fa7b32a19b2ae2819970458aac0df9fa4f56b"


def hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


# --- known answers -------------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_v0_timestamp_body() -> None:
    assert signature(SECRET, TS, BODY) == BODY_SIGNATURE
    assert signature(SECRET, str(TS), BODY.decode()) == BODY_SIGNATURE
    assert signature("other", TS, BODY) == "v0=" + hmac_hex("other", b"v0:1700000000:" + BODY)


def test_signature_signs_utf8_of_non_ascii_bodies() -> None:
    body = serialize({"topic": "Café ☕ 会議"})
    assert body == '{"topic":"Café ☕ 会議"}'.encode()
    assert signature(SECRET, TS, body) == "v0=" + hmac_hex(SECRET, b"v0:1700000000:" + body)


def test_url_validation_response() -> None:
    assert url_validation_response(PLAIN_TOKEN, SECRET) == {
        "plainToken": PLAIN_TOKEN,
        "encryptedToken": ENCRYPTED_TOKEN,
    }
    assert url_validation_response("x", "y") == {"plainToken": "x", "encryptedToken": hmac_hex("y", b"x")}


def test_headers_are_the_ones_zoom_sends() -> None:
    assert headers(SECRET, BODY, TS, "trk-1", client_id="clientId22charsxxxxxxx") == {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Zoom Marketplace/1.0a",
        "x-zm-request-timestamp": "1700000000",
        "x-zm-signature": BODY_SIGNATURE,
        "x-zm-trackingid": "trk-1",
        "clientid": "clientId22charsxxxxxxx",
    }
    assert headers(SECRET, BODY, "1700000000", "trk-1") == {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Zoom Marketplace/1.0a",
        "x-zm-request-timestamp": "1700000000",
        "x-zm-signature": BODY_SIGNATURE,
        "x-zm-trackingid": "trk-1",
    }


def test_headers_write_and_sign_the_timestamp_in_canonical_form() -> None:
    sent = headers(SECRET, BODY, "01700000000", "t")
    assert (sent["x-zm-request-timestamp"], sent["x-zm-signature"]) == ("1700000000", BODY_SIGNATURE)
    with pytest.raises(TypeError):
        headers(SECRET, BODY, True, "t")


# --- verify ----------------------------------------------------------------------------------------------


def signed(body: bytes = BODY, ts: int = TS, secret: str = SECRET) -> dict[str, str]:
    return headers(secret, body, ts, "trk")


def test_verify_accepts_a_good_delivery() -> None:
    verify(signed(), BODY, SECRET, now=TS)
    verify(signed(), BODY.decode(), SECRET, now=TS + 300)
    verify(signed(), json.loads(BODY), SECRET, now=TS - 300)  # a parsed body, re-serialised
    shouted = {"X-Zm-Signature": BODY_SIGNATURE, "X-ZM-REQUEST-TIMESTAMP": str(TS)}
    verify(shouted, BODY, SECRET, now=datetime.fromtimestamp(TS, UTC))
    assert is_valid(shouted, BODY, SECRET, now=TS) is True


def test_verify_rejects_a_parsed_body_with_no_json_stringify_form() -> None:
    with pytest.raises(InvalidSignature) as raised:
        verify(signed(), {"n": 2**60}, SECRET, now=TS)
    assert str(raised.value) == (
        "the body has no JSON.stringify form to check: "
        "1152921504606846976 cannot be sent as JSON: JavaScript would read it as a different number"
    )


@pytest.mark.parametrize(
    ("sent_headers", "body", "secret", "error", "message"),
    [
        (signed(), BODY.replace(b"85746065432", b"85746065433"), SECRET, InvalidSignature, None),
        (signed(), BODY + b" ", SECRET, InvalidSignature, None),
        (signed(), BODY, "wrong-secret", InvalidSignature, None),
        ({**signed(), "x-zm-request-timestamp": str(TS + 1)}, BODY, SECRET, InvalidSignature, None),
        ({**signed(), "x-zm-signature": BODY_SIGNATURE.upper()}, BODY, SECRET, InvalidSignature, None),
        (
            {"x-zm-request-timestamp": str(TS)},
            BODY,
            SECRET,
            MissingHeader,
            "missing header: x-zm-signature",
        ),
        (
            {"x-zm-signature": BODY_SIGNATURE},
            BODY,
            SECRET,
            MissingHeader,
            "missing header: x-zm-request-timestamp",
        ),
        ({}, BODY, SECRET, MissingHeader, "missing header: x-zm-signature, x-zm-request-timestamp"),
        (
            {"x-zm-signature": "", "x-zm-request-timestamp": str(TS)},
            BODY,
            SECRET,
            MissingHeader,
            "missing header: x-zm-signature",
        ),
        (
            {"x-zm-signature": BODY_SIGNATURE, "x-zm-request-timestamp": "1.7e9"},
            BODY,
            SECRET,
            InvalidTimestamp,
            "x-zm-request-timestamp is not whole seconds: '1.7e9'",
        ),
    ],
)
def test_verify_rejects(
    sent_headers: dict[str, str], body: bytes, secret: str, error: type[Exception], message: str | None
) -> None:
    with pytest.raises(error) as raised:
        verify(sent_headers, body, secret, now=TS)
    if message is not None:
        assert str(raised.value) == message
    assert is_valid(sent_headers, body, secret, now=TS) is False


@pytest.mark.parametrize(("now", "offset"), [(TS + 301, "+301"), (TS - 301, "-301")])
def test_verify_rejects_a_stale_or_future_timestamp(now: int, offset: str) -> None:
    with pytest.raises(StaleTimestamp) as raised:
        verify(signed(), BODY, SECRET, now=now)
    assert (
        str(raised.value) == f"x-zm-request-timestamp 1700000000 is {offset} s from now; tolerance is 300 s"
    )
    verify(signed(), BODY, SECRET, now=now, tolerance=301)
    verify(signed(), BODY, SECRET, now=now, tolerance=None)


def test_verify_uses_the_system_clock_by_default() -> None:
    with pytest.raises(StaleTimestamp):
        verify(signed(), BODY, SECRET)  # 2023: long ago


def test_errors_share_one_base() -> None:
    for error in (MissingHeader, InvalidTimestamp, InvalidSignature, StaleTimestamp):
        assert issubclass(error, WebhookVerificationError)


def test_the_sdk_reexports_the_verifier() -> None:
    from moot.client import webhooks

    assert webhooks.verify is verify
    assert webhooks.url_validation_response is url_validation_response
    assert webhooks.WebhookVerificationError is WebhookVerificationError


# --- serialize -------------------------------------------------------------------------------------------


def test_serialize_known_answers() -> None:
    assert (
        serialize({"b": 1, "a": [True, False, None], "c": {}, "d": []})
        == b'{"b":1,"a":[true,false,null],"c":{},"d":[]}'
    )
    assert serialize('é\u2028\x00\x1f\x7f"\\\n') == '"é\u2028\\u0000\\u001f\x7f\\"\\\\\\n"'.encode()
    assert serialize("\ud83d\ude00 \ud800 \udfff") == '"😀 \\ud800 \\udfff"'.encode()
    assert serialize({"z": 0, "10": 1, "2": 2, "01": 3, "4294967295": 4, "4294967294": 5}) == (
        b'{"2":2,"10":1,"4294967294":5,"z":0,"01":3,"4294967295":4}'
    )
    assert serialize([1.0, -0.0, 0.1, 1e21, 1e-7, 1e-6, 123e18, 2**53, -(2**53), 2**53 + 2]) == (
        b"[1,0,0.1,1e+21,1e-7,0.000001,123000000000000000000,9007199254740992,-9007199254740992,9007199254740994]"
    )
    assert serialize((1, "x")) == b'[1,"x"]'


def test_serialize_keeps_large_integers_that_js_prints_back_unchanged() -> None:
    assert serialize([26396637947106970, 2**54, -(2**53) - 2]) == (
        b"[26396637947106970,18014398509481984,-9007199254740994]"
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 2**53 + 1, 2**60, 10**21, 10**400])
def test_serialize_refuses_numbers_js_would_change(value: float) -> None:
    with pytest.raises(ValueError):
        serialize({"n": value})


@pytest.mark.parametrize("value", [{1: "int key"}, {"when": datetime(2030, 1, 1)}, {"set": {1}}, b"bytes"])
def test_serialize_refuses_what_json_cannot_hold(value: Any) -> None:
    with pytest.raises(TypeError):
        serialize(value)


def random_doubles(count: int) -> list[float]:
    rng = random.Random(20260115)
    doubles = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(count * 2)]
    finite = [d for d in doubles if math.isfinite(d)][:count]
    return finite + [rng.uniform(-1e6, 1e6) for _ in range(count)] + [rng.random() / 10**i for i in range(30)]


TRICKY: list[Any] = [
    {"topic": "Café ☕ 会議 Привет مرحبا", "emoji": "😀👍🏽👨‍👩‍👧", "cjk": "日本語の会議"},
    {"controls": "".join(map(chr, range(32))) + "\x7f\x80\x9f", "quotes": "\"'`", "slashes": "\\ / \\\\"},
    {"separators": "\u2028\u2029", "bom": "\ufeff", "nul": "a\x00b", "private": "\ue000\U0010ffff"},
    {"lone": ["\ud800", "\udbff", "\udc00", "\udfff", "a\ud800b", "\udc00\ud800", "\ud83d\ude00"]},
    {"nested": {"a": {"b": {"c": [[], {}, [[{}]], {"d": [None, True, False]}]}}}},
    {
        "ints": [
            0,
            -1,
            1,
            85746065432,
            2**31,
            2**32,
            2**53 - 1,
            2**53,
            -(2**53),
            2**53 + 2,
            2**54,
            26396637947106970,
        ]
    },
    {
        "floats": [
            0.0,
            -0.0,
            0.5,
            1.5,
            -2.25,
            1e20,
            1e21,
            1.5e21,
            1e-6,
            1e-7,
            1.2e-7,
            5e-324,
            1.7976931348623157e308,
        ]
    },
    {"more floats": random_doubles(200)},
    {"b": 1, "a": 2, "10": 3, "9": 4, "0": 5, "-1": 6, "01": 7, "1.5": 8, "4294967294": 9, "4294967295": 10},
    {"": "", " ": " ", 'key with "quote"': "x", "é": "é", "\u2028": 1},
    {"empty": [{}, [], "", 0]},
    [],
    {},
    "a bare string",
    12345,
    None,
    True,
    {
        "event": "meeting.created",
        "payload": {
            "account_id": "mootConformanceAcct01A",
            "operator": "owner@example.com",
            "object": {"id": 85746065432, "topic": "Réunion", "duration": 30, "settings": {"use_pmi": False}},
        },
        "event_ts": 1768478400123,
    },
]


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: no JSON.stringify to compare with"
)
def test_serialize_equals_node_json_stringify() -> None:
    node = shutil.which("node")
    assert node is not None
    script = (
        "let input = '';"
        "process.stdin.on('data', (chunk) => { input += chunk; });"
        "process.stdin.on('end', () => {"
        "  const utf8 = (value) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');"
        "  process.stdout.write(JSON.stringify(JSON.parse(input).map(utf8)));"
        "});"
    )
    # ASCII JSON (lone surrogates as \\ud800 escapes) reaches JSON.parse intact.
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(TRICKY).encode(), capture_output=True, timeout=60, check=True
    )

    expected = [base64.b64decode(item) for item in json.loads(done.stdout)]
    assert len(expected) == len(TRICKY)
    for value, node_bytes in zip(TRICKY, expected, strict=True):
        assert serialize(value) == node_bytes


# --- properties ------------------------------------------------------------------------------------------

SAFE_INTS = st.integers(min_value=-(2**53), max_value=2**53)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | SAFE_INTS | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def as_js(value: Any) -> Any:
    """The value as JavaScript holds it: every number a double."""
    if isinstance(value, dict):
        return {key: as_js(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_js(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


@given(JSON_VALUES)
def test_serialize_round_trips_through_json_loads(value: Any) -> None:
    text = serialize(value)
    assert as_js(json.loads(text)) == as_js(value)
    assert serialize(json.loads(text)) == text  # stable under parse-and-stringify, as Zoom's receivers do


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_reads_back_as_the_same_double(value: float) -> None:
    assert float(js_number(value)) == value
