from __future__ import annotations

import base64
import re

from moot.domain import ids


def test_meeting_numbers_have_10_or_11_digits() -> None:
    for _ in range(2000):
        assert 10 <= len(str(ids.meeting_number())) <= 11


def test_uuids_are_base64_of_16_bytes() -> None:
    for _ in range(200):
        value = ids.meeting_uuid()
        assert len(value) == 24 and value.endswith("==") and len(base64.b64decode(value)) == 16


def test_user_ids_are_22_char_base64url() -> None:
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", ids.user_id()) for _ in range(200))


def test_passcodes_mix_letters_and_digits() -> None:
    for _ in range(500):
        code = ids.passcode()
        assert re.fullmatch(r"[A-Za-z0-9]{6}", code) and not code.isdigit() and not code.isalpha()


def test_numeric_and_encrypted_passcodes() -> None:
    assert re.fullmatch(r"\d{6}", ids.numeric_passcode())
    assert re.fullmatch(r"[A-Za-z0-9]{30}\.1", ids.encrypted_passcode())


def test_tracking_ids_are_unique() -> None:
    assert len({ids.tracking_id() for _ in range(100)}) == 100
