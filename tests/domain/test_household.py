"""Household rules: KK, address, RT/RW, village, members, head of family, NIKs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.domain.household import (
    BirthDateInFuture,
    DuplicateMemberNik,
    Household,
    InvalidRtRw,
    MissingAddress,
    MissingMotherName,
    MissingName,
    NoHeadOfFamily,
    NoMembers,
    Relationship,
    SeveralHeadsOfFamily,
    Sex,
    UnknownVillage,
    normalise_rt,
    validate_household,
)
from app.domain.kk import InvalidKk
from app.domain.nik import InvalidNik, NikBirthDateMismatch, NikOutsideOfficeRegion, NikSexMismatch
from tests.domain.builders import (
    HEAD_NIK, KK, OFFICE_REGENCY, SPOUSE_NIK, TODAY, household, member, with_member,
)


@pytest.fixture
def check(regions):
    def run(hh: Household):
        return validate_household(hh, regions=regions, office_regency=OFFICE_REGENCY, today=TODAY)

    return run


def issues(report):
    return [(i.field, type(i.error), i.severity) for i in report]


def test_a_complete_household_has_no_issue(check):
    assert issues(check(household())) == []


def test_values_are_stored_in_canonical_form():
    hh = household(kk_number=" 3575 0312 0315 0004 ", rt="3", rw=" 12 ", address="  JL. A  ")
    assert (hh.kk_number, hh.rt, hh.rw, hh.address) == (KK, "003", "012", "JL. A")
    m = member(nik="3575.0347.0885.0003", name="  SITI  ")
    assert (m.nik, m.name) == (HEAD_NIK, "SITI")
    assert isinstance(household(members=[member()]).members, tuple)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1", "001"), ("01", "001"), ("999", "999"), ("1234", "1234"), ("a1", "a1"), ("", "")],
)
def test_normalise_rt(typed, stored):
    assert normalise_rt(typed) == stored


def test_invalid_kk_is_reported_on_kk_number(check):
    assert issues(check(household(kk_number="1234"))) == [("kk_number", InvalidKk, "error")]


def test_empty_address(check):
    assert issues(check(household(address="   "))) == [("address", MissingAddress, "error")]


@pytest.mark.parametrize("bad", ["", "0", "000", "1234", "3a", "-1"])
def test_rt_and_rw_must_be_1_to_999(check, bad):
    report = check(household(rt=bad, rw=bad))
    assert issues(report) == [("rt", InvalidRtRw, "error"), ("rw", InvalidRtRw, "error")]
    assert [i.error.params for i in report] == [{"part": "RT"}, {"part": "RW"}]


def test_unknown_village(check):
    report = check(household(village_code="35.75.03.9999"))
    assert issues(report) == [("village_code", UnknownVillage, "error")]
    assert "35.75.03.9999" in report.errors[0].error.message()


def test_no_members(check):
    assert issues(check(household(members=()))) == [("members", NoMembers, "error")]


def test_exactly_one_head_of_family(check):
    hh = household()
    no_head = with_member(hh, 0, relationship=Relationship.ISTRI)
    assert issues(check(no_head)) == [("members", NoHeadOfFamily, "error")]
    two_heads = with_member(hh, 1, relationship=Relationship.KEPALA_KELUARGA)
    assert issues(check(two_heads)) == [("members[1].relationship", SeveralHeadsOfFamily, "error")]


def test_member_name_and_mother_name_are_required(check):
    hh = with_member(household(), 2, name=" ", mother_name="")
    assert issues(check(hh)) == [
        ("members[2].name", MissingName, "error"),
        ("members[2].mother_name", MissingMotherName, "error"),
    ]


def test_birth_date_in_the_future_is_an_error_but_today_is_fine(check):
    # A baby born today, with a NIK encoding today's date (02-06-25, female +40).
    baby = member(
        nik="3575034206250009", name="BAYI", birth_date=TODAY, relationship=Relationship.ANAK,
    )
    assert issues(check(household(members=household().members + (baby,)))) == []
    future = replace(baby, birth_date=date(2025, 6, 3))
    report = check(household(members=household().members + (future,)))
    assert issues(report) == [("members[3].birth_date", BirthDateInFuture, "error")]
    assert report.errors[0].error.params == {"date": "03-06-2025"}


def test_nik_rules_apply_to_each_member_with_its_path(check):
    hh = with_member(household(), 1, nik="357503120483")
    assert issues(check(hh)) == [("members[1].nik", InvalidNik, "error")]


def test_nik_birth_date_and_sex_are_compared_with_the_member(check):
    hh = with_member(household(), 1, birth_date=date(1983, 4, 13), sex=Sex.P)
    assert issues(check(hh)) == [
        ("members[1].birth_date", NikBirthDateMismatch, "error"),
        ("members[1].sex", NikSexMismatch, "error"),
    ]


def test_a_member_from_another_regency_is_a_warning(check):
    hh = with_member(household(), 1, nik="3507011204830001")
    assert issues(check(hh)) == [("members[1].nik", NikOutsideOfficeRegion, "warning")]


def test_the_same_nik_twice_is_an_error_on_the_second(check):
    hh = with_member(household(), 2, nik=SPOUSE_NIK, sex=Sex.L, birth_date=date(1983, 4, 12))
    report = check(hh)
    assert issues(report) == [("members[2].nik", DuplicateMemberNik, "error")]
    assert report.errors[0].error.params == {"other": 2}  # 1-based, as the form numbers rows


def test_head_lookup_and_member_by_nik():
    hh = household()
    assert hh.head.nik == HEAD_NIK
    assert hh.member_with_nik("3575 0312 0483 0001").name == "BUDI SANTOSO"
    assert hh.member_with_nik("3575030101010001") is None
