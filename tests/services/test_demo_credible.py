"""The demo is believed: names fit the sex, NIKs fit the sex and birth date, mothers have women's names."""

from __future__ import annotations

from app.domain.nik import Sex, decode_nik
from app.services.synthetic import FEMALE_FIRST, FEMALE_LAST, MALE_FIRST, MALE_LAST, households


def _is_female_name(name: str) -> bool:
    first, last = name.split(" ", 1)
    return first in FEMALE_FIRST and last in FEMALE_LAST


def _is_male_name(name: str) -> bool:
    first, last = name.split(" ", 1)
    return first in MALE_FIRST and last in MALE_LAST


def test_every_synthetic_person_is_credible():
    seen = set()
    for household in households(2000):
        assert household.kk_number[-4:] != "0000"
        members = household.members
        wife = next((m for m in members if m.sex == "P" and m.relation in ("kepala_keluarga", "istri")), None)
        for m in members:
            info = decode_nik(m.nik)
            assert info.sex is Sex(m.sex), m
            assert info.matches_birth_date(m.birth_date), m
            assert info.serial != "0000", m
            assert (_is_female_name if m.sex == "P" else _is_male_name)(m.name), m
            assert _is_female_name(m.mother_name), m
            if m.relation == "anak" and wife is not None:
                assert m.mother_name == wife.name
                assert (m.birth_date - wife.birth_date).days > 15 * 365, (m, wife)
            if m.relation == "istri":
                assert m.sex == "P"
            if m.relation == "suami":
                assert m.sex == "L"
            assert m.nik not in seen
            seen.add(m.nik)


def test_the_heads_of_family_are_women_and_men():
    heads = [h.members[0] for h in households(400)]
    assert {h.sex for h in heads} == {"L", "P"}
