"""Tracking codes: shape, forgiving input, and a check character that catches one wrong key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.tracking import (
    ALPHABET,
    InvalidTrackingCode,
    TrackingCodeTypo,
    encode_tracking_code,
    is_valid_tracking_code,
    new_tracking_code,
    normalise_tracking_code,
)

SHAPE = re.compile(r"USK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
numbers = st.integers(min_value=0, max_value=32**7 - 1)


def test_new_codes_have_the_receipt_shape_and_are_valid():
    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert SHAPE.fullmatch(code), code
        assert is_valid_tracking_code(code)


def test_encoding_is_fixed():
    assert encode_tracking_code(0) == "USK-0000-0000"
    # Worked by hand: Luhn mod 32 doubles every second value from the right.
    assert encode_tracking_code(1) == "USK-0000-001Y"  # 2*1 = 2, check (32 - 2) = 30 = Y
    assert encode_tracking_code(32**7 - 1) == "USK-ZZZZ-ZZZ7"  # 4*31 + 3*31 = 217, 32 - 25 = 7
    with pytest.raises(ValueError):
        encode_tracking_code(32**7)
    with pytest.raises(ValueError):
        encode_tracking_code(-1)


@given(numbers)
def test_round_trip_through_what_people_type(number):
    code = encode_tracking_code(number)
    assert normalise_tracking_code(code) == code
    typed = code.lower().replace("-", "")
    assert normalise_tracking_code(typed) == code
    assert normalise_tracking_code(" " + code[4:].replace("-", " ") + " ") == code  # no USK
    # 0 read as O and 1 read as I or L are forgiven.
    assert normalise_tracking_code(code.replace("0", "O").replace("1", "l")) == code


@given(numbers, st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=31))
def test_one_changed_character_is_caught(number, position, shift):
    code = encode_tracking_code(number)
    body = code[4:8] + code[9:13]
    changed = body[:position] + ALPHABET[(ALPHABET.index(body[position]) + shift) % 32] + body[position + 1:]
    assert changed != body
    assert not is_valid_tracking_code("USK-" + changed)
    with pytest.raises(TrackingCodeTypo):
        normalise_tracking_code(changed)


@pytest.mark.parametrize(
    "text",
    ["", "USK", "USK-0000-000", "USK-0000-00000", "USK-0000-000U", "ABC-0000-0000", "0000-00#0",
     "12345678-1234-1234-1234-123456789012"],
)
def test_wrong_shapes_are_not_codes(text):
    assert not is_valid_tracking_code(text)
    with pytest.raises(InvalidTrackingCode) as info:
        normalise_tracking_code(text)
    assert type(info.value) is InvalidTrackingCode


def test_typo_message_in_indonesian():
    code = encode_tracking_code(12345)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(TrackingCodeTypo) as info:
        normalise_tracking_code(wrong)
    assert info.value.message() == (
        "Ada salah ketik pada kode lacak. "
        "Cocokkan setiap karakter dengan tanda terima, lalu ketik ulang kodenya."
    )
