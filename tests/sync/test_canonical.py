"""Canonical bytes: RFC 8785 ordering, our encodings of bytes and times, and the strict way back."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from app.sync.canonical import (
    MAX_INT,
    Fields,
    b64url_decode,
    b64url_encode,
    canonical_bytes,
    canonical_json,
    format_time,
    parse_canonical,
    sha256_hex,
)
from app.sync.errors import FormatInvalid, NotCanonical


def test_keys_sort_by_utf16_code_units_as_rfc8785_section_3_2_3():
    # The RFC's example minus its non-BMP key, which this format refuses (see the next test).
    obj = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\u0080": 6, "\u00f6": 7}
    order = [k for k in json.loads(canonical_bytes(obj))]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ufb33"]


def test_keys_outside_the_bmp_are_refused_both_ways():
    # Their UTF-16 order differs from code-point order; refusing them keeps canonical_json exact.
    with pytest.raises(NotCanonical):
        canonical_bytes({"\U0001f600": 1})
    with pytest.raises(FormatInvalid):
        parse_canonical(rfc8785.dumps({"\U0001f600": 1, "\ufb33": 2}), where="x")
    # In values they are fine.
    assert parse_canonical(canonical_bytes({"a": "\U0001f600"}), where="x") == {"a": "\U0001f600"}


def test_no_whitespace_and_utf8_not_escaped():
    assert canonical_bytes({"b": [1, None, True], "a": "é\n"}) == '{"a":"é\\n","b":[1,null,true]}'.encode()


def test_bytes_are_unpadded_base64url_and_times_utc_seconds():
    wib = timezone(timedelta(hours=7))
    obj = {"k": b"\xfb\xff", "t": datetime(2026, 3, 2, 10, 0, 0, tzinfo=wib), "u": uuid.UUID(int=1)}
    assert canonical_bytes(obj) == (
        b'{"k":"-_8","t":"2026-03-02T03:00:00Z","u":"00000000-0000-0000-0000-000000000001"}'
    )
    # Naive datetimes are UTC, as the office database stores them.
    assert format_time(datetime(2026, 1, 1)) == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("bad", [1.5, 1.0, float("nan"), {"x": [0.1]}, {1: "key"}, {"s"}, MAX_INT + 1, "\ud800"])
def test_values_without_one_spelling_are_refused(bad):
    with pytest.raises(NotCanonical):
        canonical_bytes(bad)


def test_subsecond_times_are_refused_rather_than_silently_truncated():
    with pytest.raises(NotCanonical):
        canonical_bytes(datetime(2026, 1, 1, 0, 0, 0, 5, tzinfo=UTC))


def test_nesting_is_capped():
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(NotCanonical):
        canonical_bytes(deep)


def test_sha256_hex():
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("text", ["-_9", "-_8=", "-_+", "a", "ab cd", "AB=="])
def test_base64url_refuses_every_other_spelling(text):
    with pytest.raises(ValueError):
        b64url_decode(text)


@given(st.binary(max_size=80))
def test_base64url_round_trip(data):
    assert b64url_decode(b64url_encode(data)) == data


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1, "b":2}',  # whitespace
        b'{"b":2,"a":1}',  # key order
        b'{"a":1,"a":1}',  # duplicate key
        b'{"a":1.0}',  # decimal
        b'{"a":1e2}',
        b'{"a":-0}',
        b'{"a":NaN}',
        b'{"a":"\\u0041"}',  # escape where none is needed
        b"\xef\xbb\xbf{}",  # BOM
        b'{"a":"\xff"}',  # not UTF-8
        b"[1]",  # not an object
        b"{" * 100000,
    ],
)
def test_parse_refuses_anything_but_the_canonical_form(data):
    with pytest.raises(FormatInvalid):
        parse_canonical(data, where="x")


bmp_keys = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_INT, MAX_INT) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(bmp_keys, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(bmp_keys, json_values, max_size=5))
def test_canonical_bytes_parse_back_to_the_same_value(obj):
    data = canonical_bytes(obj)
    assert parse_canonical(data, where="x") == obj
    assert json.loads(data) == obj


@given(st.dictionaries(bmp_keys, json_values, max_size=5))
def test_the_fast_encoder_gives_the_rfc8785_bytes_for_every_accepted_value(obj):
    """canonical_json (C encoder, used to check received bytes) against rfc8785 (used to produce)."""
    assert canonical_json(obj) == rfc8785.dumps(obj)


def test_fields_refuse_missing_extra_and_mistyped():
    f = Fields({"n": True, "extra": 1}, "rec")
    with pytest.raises(FormatInvalid):
        f.integer("n")  # a JSON boolean is not a number
    with pytest.raises(FormatInvalid):
        f.text("missing")
    f2 = Fields({"id": "00000000-0000-4000-8000-00000000000A", "z": 1}, "rec")
    with pytest.raises(FormatInvalid):
        f2.uuid("id")  # upper-case spelling
    f3 = Fields({"a": 1, "b": 2}, "rec")
    f3.integer("a")
    with pytest.raises(FormatInvalid) as err:
        f3.done()
    assert err.value.params == {"field": "rec.<unknown>"}
