"""Passphrases: the 10,000 most common passwords and easy guesses are refused, explained in Indonesian.

Before issue #10 only the length was checked: ``12345678``, ``password`` and eight spaces passed.
"""

from __future__ import annotations

import time

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.services import office, operators, passphrase
from app.services.office import PassphraseBlank, PassphraseGuessable, PassphraseTooCommon, WeakPassphrase, create_office
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS, VILLAGE

# zxcvbn's list is ranked by how often each password appeared in leaked password databases.
TOP_10000 = FREQUENCY_LISTS["passwords"][:10_000]


def test_the_top_ten_thousand_common_passwords_are_all_refused():
    started = time.perf_counter()
    long_enough = 0
    for word in TOP_10000:
        with pytest.raises(WeakPassphrase):
            office.check_passphrase(word)
        # Also as typed with a capital or padded to the minimum length with its own digits.
        for variant in (word.capitalize(), word + "1" * max(0, 8 - len(word))):
            if len(variant) >= office.MIN_PASSPHRASE:
                long_enough += 1
                with pytest.raises(WeakPassphrase):
                    office.check_passphrase(variant)
    assert long_enough > 5_000  # most are refused for what they are, not just for their length
    assert time.perf_counter() - started < 120


@pytest.mark.parametrize("weak, error", [
    ("12345678", PassphraseTooCommon),
    ("password", PassphraseTooCommon),
    ("P@ssw0rd!", PassphraseTooCommon),
    ("qwertyuiop", PassphraseTooCommon),
    ("        ", PassphraseBlank),
    ("Ani Operator 2026", PassphraseGuessable),
    ("aaaaaaaaaaaa", PassphraseGuessable),
])
def test_weak_passphrases_are_refused_with_the_reason_and_a_suggestion_in_indonesian(weak, error):
    with pytest.raises(error) as refused:
        office.check_passphrase(weak, name="Ani Operator", office_name="Kelurahan Bugul Kidul")
    assert type(refused.value) is error
    text = refused.value.message()
    expected = {PassphraseTooCommon: "paling umum", PassphraseGuessable: "terlalu mudah ditebak",
                PassphraseBlank: "hanya berisi spasi"}[error]
    assert expected in text
    # The suggestion: four words of the list and a number, different each time it is asked for.
    example = text.split("misalnya: ")[1]
    words = example.split()
    assert len(words) == 5 and all(w in passphrase._WORDS for w in words[:4]) and words[4].isdigit()


@pytest.mark.parametrize("good", [OPERATOR_PASS, LURAH_PASS, "kopi sepeda hujan jendela 42", "Bugul Kidul 2026 laut"])
def test_passphrases_of_a_few_words_pass(good):
    office.check_passphrase(good, name="Ani Operator", office_name="Kelurahan Bugul Kidul")


def test_every_way_to_set_a_passphrase_refuses_a_common_one(tmp_path, fast_kdf, created_office, lurah_ctx):
    with pytest.raises(PassphraseTooCommon):
        create_office(tmp_path / "new", name="Kelurahan Bugul Kidul", village_code=VILLAGE, lurah_name="Bapak Lurah",
                      lurah_passphrase="password", operator_name="Ani", operator_passphrase=OPERATOR_PASS, kdf=fast_kdf)
    assert not (tmp_path / "new").exists()
    with pytest.raises(PassphraseTooCommon):
        operators.enrol_operator(lurah_ctx, name="Citra", role="operator", passphrase="iloveyou123",
                                 confirmation=factories.approve(lurah_ctx, "enrol"), kdf=fast_kdf)
    assert lurah_ctx.vault.pending_slots() == [] and "Citra" not in dict(lurah_ctx.vault.operators()).values()
    with pytest.raises(PassphraseBlank):
        office.change_passphrase(lurah_ctx, LURAH_PASS, " " * 8, kdf=fast_kdf)
    with pytest.raises(PassphraseGuessable):
        office.change_passphrase(lurah_ctx, LURAH_PASS, "Bapak Lurah 1", kdf=fast_kdf)
    lurah_ctx.vault.unlock_operator(lurah_ctx.operator_id, LURAH_PASS)  # unchanged
