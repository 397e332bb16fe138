"""The recovery code: enough entropy, forgiving to type, and a typo is caught by its check symbol."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.storage import recovery_code
from app.storage.recovery_code import (
    ALPHABET,
    CODE_SYMBOLS,
    DATA_SYMBOLS,
    InvalidRecoveryCode,
    generate_recovery_code,
    normalise_recovery_code,
)


def _code_of(values: list[int]) -> str:
    # What generate_recovery_code() makes from these random symbols (deterministic for hypothesis).
    return recovery_code._format(values + [recovery_code._check_value(values)])


codes = st.lists(st.integers(0, 31), min_size=DATA_SYMBOLS, max_size=DATA_SYMBOLS).map(_code_of)


def symbols(code: str) -> list[str]:
    return list(code.replace("-", ""))


def test_shape_and_entropy():
    code = generate_recovery_code()
    groups = code.split("-")
    assert len(groups) == 7 and all(len(g) == 4 for g in groups)
    assert len(symbols(code)) == CODE_SYMBOLS
    assert set(symbols(code)) <= set(ALPHABET)
    assert DATA_SYMBOLS * 5 >= 128
    assert len({generate_recovery_code() for _ in range(200)}) == 200


@given(codes)
def test_a_fresh_code_is_its_own_canonical_form(code):
    assert normalise_recovery_code(code) == code


@given(codes, st.data())
def test_case_spaces_dashes_and_look_alikes_do_not_matter(code, data):
    sloppy = []
    for char in symbols(code):
        spellings = {"0": ["0", "o", "O"], "1": ["1", "i", "I", "l", "L"]}.get(char, [char, char.lower()])
        char = data.draw(st.sampled_from(spellings))
        sloppy.append(char + data.draw(st.sampled_from(["", "", " ", "-"])))
    assert normalise_recovery_code(" " + "".join(sloppy) + "\n") == code


@given(codes, st.integers(0, CODE_SYMBOLS - 1), st.integers(1, 31))
def test_every_single_mistyped_symbol_is_caught(code, position, shift):
    chars = symbols(code)
    chars[position] = ALPHABET[(ALPHABET.index(chars[position]) + shift) % 32]
    with pytest.raises(InvalidRecoveryCode):
        normalise_recovery_code("".join(chars))


@given(codes, st.integers(0, CODE_SYMBOLS - 1), st.integers(0, CODE_SYMBOLS - 1))
def test_every_swap_of_two_different_symbols_is_caught(code, i, j):
    chars = symbols(code)
    if chars[i] == chars[j]:
        return
    chars[i], chars[j] = chars[j], chars[i]
    with pytest.raises(InvalidRecoveryCode):
        normalise_recovery_code("".join(chars))


@pytest.mark.parametrize("typed", ["", "ABCD", "U" * CODE_SYMBOLS, "é" * CODE_SYMBOLS])
def test_wrong_length_or_letters_are_caught(typed):
    with pytest.raises(InvalidRecoveryCode) as info:
        normalise_recovery_code(typed)
    assert str(CODE_SYMBOLS) in info.value.message()


def test_a_dropped_or_extra_symbol_is_caught():
    code = generate_recovery_code()
    with pytest.raises(InvalidRecoveryCode):
        normalise_recovery_code(code[:-1])
    with pytest.raises(InvalidRecoveryCode):
        normalise_recovery_code(code + "0")
