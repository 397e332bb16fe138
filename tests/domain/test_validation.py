"""Report and Issue: errors block, warnings block until their code is confirmed."""

from __future__ import annotations

import pytest

from app.domain.errors import DomainError, Term, Terms
from app.domain.nik import InvalidNik, NikOutsideOfficeRegion, NikProblem
from app.domain.validation import Issue, Report, ValidationFailed
from app.errors import UsulkanError
from app.i18n import set_language


def warning():
    return NikOutsideOfficeRegion(regency="KABUPATEN MALANG")


def test_errors_and_warnings_are_kept_apart_in_order():
    report = Report()
    report.error("members[0].nik", InvalidNik(NikProblem.MISSING))
    report.warn("members[1].nik", warning())
    report.error("rt", DomainError())
    assert [i.field for i in report.errors] == ["members[0].nik", "rt"]
    assert [i.field for i in report.warnings] == ["members[1].nik"]
    assert report.fields() == ["members[0].nik", "members[1].nik", "rt"]
    assert not report.ok and len(report) == 3


def test_a_report_with_only_warnings_is_ok_but_still_raises_until_confirmed():
    report = Report([Issue("nik", warning(), "warning")])
    assert report.ok
    with pytest.raises(ValidationFailed) as info:
        report.raise_if_errors()
    assert info.value.report is report
    assert info.value.params == {"errors": 0, "warnings": 1}
    with pytest.raises(ValidationFailed):
        report.raise_if_errors(confirmed={"some_other_code"})
    report.raise_if_errors(confirmed={"nik_outside_office_region"})


def test_confirming_a_warning_never_excuses_an_error():
    report = Report()
    report.error("nik", InvalidNik(NikProblem.MISSING))
    with pytest.raises(ValidationFailed) as info:
        report.raise_if_errors(confirmed={"invalid_nik", "nik_outside_office_region"})
    assert info.value.params == {"errors": 1, "warnings": 0}


def test_an_empty_report_passes():
    Report().raise_if_errors()
    assert Report().ok


def test_extend_puts_paths_under_a_prefix():
    inner = Report()
    inner.error("nik", InvalidNik(NikProblem.MISSING))
    inner.warn("nik", warning())
    outer = Report()
    outer.extend(inner, prefix="members[2].")
    outer.extend([Issue("rt", DomainError())])
    assert [(i.field, i.severity) for i in outer] == [
        ("members[2].nik", "error"), ("members[2].nik", "warning"), ("rt", "error"),
    ]


def test_issue_refuses_unknown_severity_and_warnings_without_code():
    with pytest.raises(ValueError):
        Issue("nik", DomainError(), "fatal")
    with pytest.raises(ValueError):
        Issue("nik", UsulkanError(), "warning")  # a plain UsulkanError has no code
    assert Issue("nik", warning(), "warning").code == "nik_outside_office_region"


def test_validation_failed_is_a_usulkan_error_in_indonesian():
    report = Report()
    report.error("nik", InvalidNik(NikProblem.MISSING))
    report.warn("nik", warning())
    error = ValidationFailed(report, confirmed=set())
    assert isinstance(error, UsulkanError)
    assert error.message().startswith(
        "Data belum dapat disimpan: 1 isian perlu diperbaiki, 1 peringatan perlu dikonfirmasi."
    )


def test_repr_and_str_never_show_values():
    report = Report()
    report.warn("nik", warning())
    assert "MALANG" not in repr(report)
    assert "MALANG" not in str(report.warnings[0].error)


def test_terms_follow_the_language_when_shown():
    error = DomainError(
        "{state} / {actors}", state=Term("Draft"), actors=Terms(["the Lurah", "the Dinas Sosial"])
    )
    assert error.message() == "Konsep / Lurah / Dinas Sosial"
    set_language("en")
    assert error.message() == "Draft / the Lurah / the Dinas Sosial"
