"""NIK rules: python-stdnum's checks plus region, office area, birth date and sex."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.id import nik as stdnum_nik

from app.domain.nik import (
    InvalidNik,
    NikBirthDateMismatch,
    NikOutsideOfficeRegion,
    NikProblem,
    NikSexMismatch,
    Sex,
    check_nik,
    decode_nik,
    normalise_nik,
)

from tests.domain.builders import HEAD_NIK, OFFICE_REGENCY


def only_issue(report):
    assert len(report) == 1, report
    return next(iter(report))


# --- python-stdnum's own docstring examples -----------------------------------------


def test_stdnum_example_valid(regions):
    assert stdnum_nik.validate("3171011708450001") == "3171011708450001"
    info = decode_nik("3171011708450001")
    assert (info.birth_day, info.birth_month, info.birth_year2, info.sex) == (17, 8, 45, Sex.L)
    assert not list(check_nik("3171011708450001", regions=regions))


def test_stdnum_example_too_short(regions):
    issue = only_issue(check_nik("31710117084500", regions=regions))
    assert issue.field == "nik" and issue.severity == "error"
    assert isinstance(issue.error, InvalidNik)
    assert issue.error.reason is NikProblem.WRONG_LENGTH
    assert issue.error.params == {"length": 14}


def test_stdnum_example_invalid_province(regions):
    issue = only_issue(check_nik("9971011708450001", regions=regions))
    assert issue.error.reason is NikProblem.UNKNOWN_REGION
    assert issue.error.params == {"prefix": "997101"}


def test_stdnum_example_female_born_1945(regions):
    assert stdnum_nik.get_birth_date("3171015708450001") == date(1945, 8, 17)
    info = decode_nik("3171015708450001")
    assert (info.birth_day, info.sex) == (17, Sex.P)
    assert not list(
        check_nik("3171015708450001", regions=regions, birth_date=date(1945, 8, 17), sex=Sex.P)
    )


def test_stdnum_example_leap_day_2000(regions):
    assert stdnum_nik.get_birth_date("3171012902001234") == date(2000, 2, 29)
    assert not list(check_nik("3171012902001234", regions=regions, birth_date=date(2000, 2, 29)))


def test_stdnum_example_impossible_date(regions):
    issue = only_issue(check_nik("3171013002001234", regions=regions))
    assert issue.error.reason is NikProblem.IMPOSSIBLE_DATE
    with pytest.raises(InvalidNik):
        decode_nik("3171013002001234")


# --- format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "3575034708850003",
        "３５７５０３４７０８８５０００３",  # full-width, as pasted from some PDFs
        " 3575 0347 0885 0003 ",
        "3575.03.470885.0003",
        "3575-0347-0885-0003",
    ],
)
def test_spaces_dots_and_dashes_are_dropped(typed):
    assert normalise_nik(typed) == HEAD_NIK


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("", NikProblem.MISSING),
        ("   ", NikProblem.MISSING),
        ("357503470885000O", NikProblem.NOT_DIGITS),  # letter O for zero
        ("٣٥٧٥٠٣٤٧٠٨٨٥٠٠٠٣", NikProblem.NOT_DIGITS),  # Arabic-Indic digits
        ("35750347088500031", NikProblem.WRONG_LENGTH),
        ("3575034708850", NikProblem.WRONG_LENGTH),
        ("3575030013850003", NikProblem.IMPOSSIBLE_DATE),  # day 00
        ("3575034013850003", NikProblem.IMPOSSIBLE_DATE),  # day 40 = woman's day 0
        ("3575033213850003", NikProblem.IMPOSSIBLE_DATE),  # day 32
        ("3575037213850003", NikProblem.IMPOSSIBLE_DATE),  # day 72 = woman's 32
        ("3575031513850003", NikProblem.IMPOSSIBLE_DATE),  # month 13
        ("3575032902010003", NikProblem.IMPOSSIBLE_DATE),  # 29-02 of 1901 and 2001
    ],
)
def test_malformed_niks_name_their_reason(regions, nik, reason):
    issue = only_issue(check_nik(nik, regions=regions))
    assert (issue.field, issue.severity, issue.error.reason) == ("nik", "error", reason)


def test_wrong_length_message_says_how_many_digits_in_indonesian():
    with pytest.raises(InvalidNik) as info:
        decode_nik("3575034708850")
    assert info.value.message() == (
        "NIK harus 16 digit angka; yang diisi 13 digit. "
        "Periksa kembali KTP atau KK, lalu ketik ulang 16 digitnya."
    )
    assert "3575034708850" not in str(info.value)  # logs never carry the number


# --- region -------------------------------------------------------------------------


def test_a_known_district_that_stdnum_does_not_know_is_accepted(regions):
    # Papua Barat Daya (96) was created in 2022; stdnum's place table predates it.
    nik = "9601011708450001"
    assert not stdnum_nik.is_valid(nik)
    assert not list(check_nik(nik, regions=regions))


def test_a_regency_stdnum_knows_but_a_district_that_does_not_exist_is_refused(regions):
    issue = only_issue(check_nik("3575991708450001", regions=regions))
    assert issue.error.reason is NikProblem.UNKNOWN_REGION
    assert issue.error.params["prefix"] == "357599"


def test_a_nik_of_the_office_regency_has_no_warning(regions):
    assert not list(check_nik(HEAD_NIK, regions=regions, office_regency=OFFICE_REGENCY))
    assert not list(check_nik(HEAD_NIK, regions=regions, office_regency="3575"))  # undotted


def test_a_nik_from_another_regency_is_a_warning_to_confirm(regions):
    report = check_nik("3507014708850003", regions=regions, office_regency=OFFICE_REGENCY)
    issue = only_issue(report)
    assert issue.severity == "warning" and issue.field == "nik"
    assert isinstance(issue.error, NikOutsideOfficeRegion)
    assert issue.code == "nik_outside_office_region"
    assert issue.error.params == {"regency": "KABUPATEN MALANG"}
    assert report.ok  # a warning is not an error
    report.raise_if_errors(confirmed={"nik_outside_office_region"})


def test_without_an_office_regency_there_is_no_area_check(regions):
    assert not list(check_nik("3507014708850003", regions=regions))


# --- birth date and sex ---------------------------------------------------------------


def test_birth_date_must_match_day_month_and_two_digit_year(regions):
    good = check_nik(HEAD_NIK, regions=regions, birth_date=date(1985, 8, 7), sex=Sex.P)
    assert not list(good)
    # Only two digits of the year are encoded: 2085 cannot be told from 1985 here.
    assert not list(check_nik(HEAD_NIK, regions=regions, birth_date=date(2085, 8, 7)))
    for wrong in (date(1985, 8, 8), date(1985, 7, 8), date(1986, 8, 7)):
        issue = only_issue(check_nik(HEAD_NIK, regions=regions, birth_date=wrong))
        assert issue.field == "birth_date" and isinstance(issue.error, NikBirthDateMismatch)


def test_birth_date_mismatch_shows_both_dates(regions):
    issue = only_issue(check_nik(HEAD_NIK, regions=regions, birth_date=date(1985, 8, 17)))
    assert issue.error.params == {"nik_date": "07-08-85", "entered_date": "17-08-1985"}
    assert issue.error.message().startswith(
        "Menurut NIK, tanggal lahirnya 07-08-85, tetapi tanggal lahir yang diisi 17-08-1985."
    )


def test_a_womans_nik_with_sex_male_is_an_error(regions):
    issue = only_issue(check_nik(HEAD_NIK, regions=regions, sex=Sex.L))
    assert issue.field == "sex" and isinstance(issue.error, NikSexMismatch)
    assert issue.error.encoded is Sex.P
    assert "perempuan" in issue.error.message()


def test_a_mans_nik_with_sex_female_is_an_error(regions):
    issue = only_issue(check_nik("3575031204830001", regions=regions, sex=Sex.P))
    assert issue.field == "sex" and issue.error.encoded is Sex.L
    assert not list(check_nik("3575031204830001", regions=regions, sex=Sex.L))


def test_independent_problems_are_all_reported(regions):
    report = check_nik(
        "3507014708850003",
        regions=regions,
        office_regency=OFFICE_REGENCY,
        birth_date=date(1990, 1, 1),
        sex=Sex.L,
    )
    assert [(i.field, i.severity) for i in report] == [
        ("nik", "warning"), ("birth_date", "error"), ("sex", "error"),
    ]
