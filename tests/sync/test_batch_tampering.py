"""Nothing altered ever verifies: every field mutated, every bit flipped, random mutations."""

from __future__ import annotations

import copy
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync.batch import verify_batch
from app.sync.canonical import MAX_INT, canonical_bytes, parse_canonical
from app.sync.errors import BatchRejected
from sync_fixtures import NOW, make_items

Path = tuple[Any, ...]


def leaves(node: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path


def containers(node: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(node, (dict, list)):
        yield path
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in children:
            yield from containers(value, (*path, key))


def get(obj: Any, path: Path) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def replaced(obj: Any, path: Path, value: Any) -> Any:
    out = copy.deepcopy(obj)
    get(out, path[:-1])[path[-1]] = value
    return out


ALPHABETS = (string.hexdigits[:16], string.digits, string.ascii_letters + "-_", string.printable)


def _other_char(char: str) -> str:
    # Stay in the character's own class, so the mutation survives the type checks and must be
    # caught by a hash or a signature, not only by the reader.
    for alphabet in ALPHABETS:
        if char in alphabet:
            return alphabet[(alphabet.index(char) + 1) % len(alphabet)]
    return "x"


def mutations(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value, None]
    if isinstance(value, int):
        return [value + 1, value - 1, str(value), None]
    if isinstance(value, str):
        out = [value + "x", value[:-1], None]
        if value:
            out += [value[:-1] + _other_char(value[-1]), _other_char(value[0]) + value[1:]]
        return [m for m in out if m != value]
    if value is None:
        return ["x", 0, "00000000-0000-4000-8000-000000000000", "AAAA"]
    raise AssertionError(value)


@pytest.fixture
def signed_obj(world, make_signed):
    """A complete SPTJM batch (both signatures) as decoded JSON, with a null leaf (base_id) too."""
    return parse_canonical(make_signed(sptjm=True).to_bytes(), where="t")


def assert_refused(world, data: bytes) -> str:
    with pytest.raises(BatchRejected) as err:
        verify_batch(data, authority_public_key=world.authority_public, now=NOW)
    return err.value.reason


def test_the_unaltered_batch_verifies(world, signed_obj):
    verify_batch(canonical_bytes(signed_obj), authority_public_key=world.authority_public, now=NOW)


def test_every_leaf_mutated_is_refused(world, signed_obj):
    walked = set()
    for path in leaves(signed_obj):
        for value in mutations(get(signed_obj, path)):
            assert_refused(world, canonical_bytes(replaced(signed_obj, path, value)))
            walked.add(path)
    # The whole tree: payloads, the embedded certificate and both signatures included.
    assert {("signatures", "lurah"), ("operator_certificate", "signature"), ("items", 0, "base_id")} <= walked
    assert ("items", 1, "payload", "household", "members", 0, "nik") in walked


def test_every_key_removed_or_added_and_every_list_changed_is_refused(world, signed_obj):
    for path in containers(signed_obj):
        node = get(signed_obj, path)
        if isinstance(node, dict):
            for key in node:
                smaller = copy.deepcopy(signed_obj)
                del get(smaller, path)[key]
                assert_refused(world, canonical_bytes(smaller))
            bigger = copy.deepcopy(signed_obj)
            get(bigger, path)["zz_extra"] = 1
            assert_refused(world, canonical_bytes(bigger))
        else:
            if node:
                shorter = copy.deepcopy(signed_obj)
                get(shorter, path).pop()
                assert_refused(world, canonical_bytes(shorter))
                longer = copy.deepcopy(signed_obj)
                get(longer, path).append(copy.deepcopy(node[-1]))
                assert_refused(world, canonical_bytes(longer))


def test_signatures_swapped_or_removed_are_refused(world, signed_obj):
    sigs = signed_obj["signatures"]
    swapped = replaced(signed_obj, ("signatures",), {"operator": sigs["lurah"], "lurah": sigs["operator"]})
    assert_refused(world, canonical_bytes(swapped))
    for key in ("operator", "lurah"):
        assert_refused(world, canonical_bytes(replaced(signed_obj, ("signatures", key), None)))


def test_every_single_bit_flip_is_refused(world, make_signed):
    # One SPTJM item keeps it small (about 1.5 KB, 12,000 flips) while both signatures are present.
    data = make_signed(items=make_items(1, sptjm=True)).to_bytes()
    reasons = set()
    for index in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[index] ^= 1 << bit
            reasons.add(assert_refused(world, bytes(flipped)))
    # Most flips break the canonical JSON; the rest land on a hash or a signature.
    assert {"bad_format", "bad_signature", "payload_hash_mismatch"} <= reasons


# Keys outside the BMP are refused by design (see canonical.py); values may hold any character.
bmp_text = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), min_size=1, max_size=8)
json_leaf = st.none() | st.booleans() | st.integers(-MAX_INT, MAX_INT) | st.text(max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_leaf_replaced_by_a_random_value_is_refused(world, signed_obj, data):
    paths = list(leaves(signed_obj))
    path = data.draw(st.sampled_from(paths))
    old = get(signed_obj, path)
    value = data.draw(json_leaf.filter(lambda v: v != old or type(v) is not type(old)))
    assert_refused(world, canonical_bytes(replaced(signed_obj, path, value)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payloads=st.lists(
        st.dictionaries(bmp_text, json_leaf, min_size=1, max_size=5), min_size=1, max_size=4
    ),
    cut=st.integers(min_value=0),
)
def test_random_batches_verify_and_any_truncation_is_refused(world, make_signed, payloads, cut):
    signed = make_signed(items=make_items(len(payloads), payload=lambda i: payloads[i]))
    data = signed.to_bytes()
    verify_batch(data, authority_public_key=world.authority_public, now=NOW)
    assert_refused(world, data[: cut % len(data)])
