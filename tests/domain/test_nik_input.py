"""A NIK or No. KK as people really type and paste it: one canonical form, or a clear refusal."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.complaint import ComplaintCategory, new_complaint
from app.domain.household import Household, Member, Relationship, Sex, validate_household
from app.domain.kk import check_kk, normalise_kk
from app.domain.nik import InvalidNik, NikProblem, check_nik, decode_nik, normalise_nik
from app.domain.validation import ValidationFailed
from tests.domain.builders import HEAD_NIK

KK = "3575031203150004"

# Every way a separator reaches the field: en/em/figure dash, minus sign, hyphen, non-breaking
# and thin spaces, middle dot, full-width digits, a soft hyphen and a zero-width space.
PASTED = [
    "357503\u20134708\u2013850003",  # en dash
    "357503\u20144708850003",  # em dash
    "357503\u22124708850003",  # minus sign
    "357503\u20104708850003",  # hyphen
    "357503\u20124708850003",  # figure dash
    "357503\u00a04708\u00a0850003",  # NBSP
    "357503\u20094708850003",  # thin space
    "357503\u00b74708\u00b7850003",  # middle dot
    "\uff13\uff15\uff17\uff15\uff10\uff13\uff14\uff17\uff10\uff18\uff18\uff15\uff10\uff10\uff10\uff13",
    "357503\u00ad4708850003",  # soft hyphen
    "\u200b3575034708850003\ufeff",  # zero-width space and BOM from a chat copy
    "35750347\u201308850003",  # a dash inside the birth-date digits
    " 3575.0347.0885.0003 ",
]


@pytest.mark.parametrize("typed", PASTED)
def test_every_dash_dot_and_space_is_dropped_to_sixteen_ascii_digits(typed):
    assert normalise_nik(typed) == HEAD_NIK
    assert decode_nik(typed).nik == HEAD_NIK


@pytest.mark.parametrize("typed", PASTED)
def test_a_member_is_stored_with_the_canonical_nik(typed):
    member = Member(typed, "SITI AMINAH", Sex.P, "PASURUAN", date(1985, 8, 7), Relationship.KEPALA_KELUARGA, "FATIMAH")
    assert member.nik == HEAD_NIK and len(member.nik) == 16


def test_a_pasted_kk_number_is_canonical_too(regions):
    pasted = "357503\u2013120315\u00a00004"
    assert normalise_kk(pasted) == KK
    household = Household(pasted, "JL. PAHLAWAN", "3", "2", "35.75.03.1009", ())
    assert household.kk_number == KK
    assert not list(check_kk(pasted, regions=regions))


@pytest.mark.parametrize(
    "typed",
    [
        "35750347O8850003",  # a capital O for a zero
        "3575034708850OO3",
        "\u0663\u0665\u0667\u0665\u0660\u0663\u0664\u0667\u0660\u0668\u0668\u0665\u0660\u0660\u0660\u0663",  # Arabic-Indic
        "3575034708850003x",
        "357503_4708850003",
        "357503/4708850003",
    ],
)
def test_anything_else_is_refused_with_a_reason_never_a_traceback(regions, typed):
    with pytest.raises(InvalidNik) as raised:
        decode_nik(typed)
    assert raised.value.reason is NikProblem.NOT_DIGITS
    (issue,) = check_nik(typed, regions=regions)
    assert issue.field == "nik" and issue.severity == "error"


def test_a_kk_with_letters_is_refused(regions):
    (issue,) = check_kk("357503120315OOO4", regions=regions)
    assert issue.error.reason.value == "not_digits"


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "80", "81", "85", "99"])
def test_day_digits_outside_1_31_and_41_71_are_refused(day):
    with pytest.raises(InvalidNik) as raised:
        decode_nik(f"357503{day}0885" + "0003")
    assert raised.value.reason is NikProblem.IMPOSSIBLE_DATE


@pytest.mark.parametrize("day, birth_day, sex", [("01", 1, Sex.L), ("31", 31, Sex.L), ("41", 1, Sex.P), ("71", 31, Sex.P)])
def test_the_edges_of_the_day_ranges_are_accepted(day, birth_day, sex):
    info = decode_nik(f"357503{day}0185" + "0003")
    assert (info.birth_day, info.sex) == (birth_day, sex)


def test_serial_0000_is_refused():
    with pytest.raises(InvalidNik) as raised:
        decode_nik("3575034708850000")
    assert raised.value.reason is NikProblem.ZERO_SERIAL


def test_a_member_with_day_digits_81_gets_an_error_at_the_nik(regions):
    member = Member("3575038108850003", "SITI", Sex.P, "PASURUAN", date(1985, 8, 1), Relationship.KEPALA_KELUARGA, "IBU")
    household = Household(KK, "JL. PAHLAWAN", "3", "2", "35.75.03.1009", (member,))
    report = validate_household(household, regions=regions, office_regency="35.75", today=date(2026, 1, 1))
    assert [i.field for i in report.errors] == ["members[0].nik"]


def _complaint(nik, regions):
    return new_complaint(
        category=ComplaintCategory.DATA_SALAH, reporter_name="PAK RT", reporter_contact="", description="salah data",
        received_at=datetime(2026, 1, 5, 3, 0), subject_nik=nik, regions=regions,
    )


def test_a_complaint_subject_nik_gets_the_region_check(regions):
    with pytest.raises(ValidationFailed) as raised:
        _complaint("9999994708850003", regions)  # no such kecamatan
    (issue,) = raised.value.report.errors
    assert issue.field == "subject_nik"
    assert issue.error.reason is NikProblem.UNKNOWN_REGION


@pytest.mark.parametrize("nik", ["3575038108850003", "3575034708850000", "3575033102850003"])
def test_a_complaint_subject_nik_gets_the_birth_date_and_serial_checks(regions, nik):
    with pytest.raises(ValidationFailed) as raised:
        _complaint(nik, regions)
    assert [i.field for i in raised.value.report.errors] == ["subject_nik"]


def test_a_pasted_complaint_subject_nik_is_stored_canonical(regions):
    assert _complaint("357503\u20134708\u2013850003", regions).subject_nik == HEAD_NIK
