"""No. KK: 16 digits starting with a known kecamatan."""

from __future__ import annotations

import pytest

from app.domain.kk import InvalidKk, KkProblem, check_kk, normalise_kk

from tests.domain.builders import KK


def test_a_valid_kk_has_no_issue(regions):
    assert not list(check_kk(KK, regions=regions))
    assert not list(check_kk("3575 0312 0315 0004", regions=regions))


def test_separators_are_dropped():
    assert normalise_kk(" 3575.0312.0315-0004 ") == KK


@pytest.mark.parametrize(
    ("kk", "reason", "params"),
    [
        ("", KkProblem.MISSING, {}),
        ("35750312031500O4", KkProblem.NOT_DIGITS, {}),
        ("357503120315000", KkProblem.WRONG_LENGTH, {"length": 15}),
        ("35750312031500041", KkProblem.WRONG_LENGTH, {"length": 17}),
        ("9971011203150004", KkProblem.UNKNOWN_REGION, {"prefix": "997101"}),
        ("3575991203150004", KkProblem.UNKNOWN_REGION, {"prefix": "357599"}),
    ],
)
def test_invalid_kk_numbers(regions, kk, reason, params):
    issues = list(check_kk(kk, regions=regions))
    assert len(issues) == 1
    issue = issues[0]
    assert issue.field == "kk_number" and issue.severity == "error"
    assert isinstance(issue.error, InvalidKk)
    assert issue.error.reason is reason and issue.error.params == params


def test_the_message_is_indonesian_with_a_hint(regions):
    issue = next(iter(check_kk("357503120315000", regions=regions)))
    assert issue.error.message() == (
        "Nomor KK harus 16 digit angka; yang diisi 15 digit. "
        "Ketik 16 digit nomor yang tertera di bagian atas Kartu Keluarga."
    )
