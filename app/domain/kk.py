"""No. KK (Nomor Kartu Keluarga): 16 digits that start with the issuing kecamatan's code."""

from __future__ import annotations

from enum import Enum

from app.domain.errors import DomainError
from app.domain.nik import is_ascii_digits, normalise_nik
from app.domain.regions import RegionIndex
from app.domain.validation import Report
from app.i18n import N_


class KkProblem(str, Enum):
    MISSING = "missing"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    UNKNOWN_REGION = "unknown_region"


_KK_MESSAGES = {
    KkProblem.MISSING: (
        N_("The KK number is not filled in."),
        N_("Type the 16-digit number printed at the top of the Kartu Keluarga."),
    ),
    KkProblem.NOT_DIGITS: (
        N_("A KK number may contain only digits."),
        N_("Type the 16-digit number printed at the top of the Kartu Keluarga."),
    ),
    KkProblem.WRONG_LENGTH: (
        N_("A KK number must have 16 digits; this one has {length}."),
        N_("Type the 16-digit number printed at the top of the Kartu Keluarga."),
    ),
    KkProblem.UNKNOWN_REGION: (
        N_("The first six digits of the KK number ({prefix}) are not a known kecamatan code."),
        N_("Check the number on the Kartu Keluarga; it must not be confused with a NIK."),
    ),
}


class InvalidKk(DomainError):
    code = "invalid_kk"

    def __init__(self, reason: KkProblem, **params):
        template, hint = _KK_MESSAGES[reason]
        self.reason = reason
        super().__init__(template, hint=hint, **params)


def normalise_kk(text: str) -> str:
    """The same canonical form as a NIK: spaces, dots and every kind of dash dropped."""
    return normalise_nik(text)


def check_kk(kk: str, *, regions: RegionIndex) -> Report:
    """The KK rules, as a Report with the field path ``kk_number``."""
    report = Report()
    kk = normalise_kk(kk)
    if not kk:
        report.error("kk_number", InvalidKk(KkProblem.MISSING))
    elif not is_ascii_digits(kk):
        report.error("kk_number", InvalidKk(KkProblem.NOT_DIGITS))
    elif len(kk) != 16:
        report.error("kk_number", InvalidKk(KkProblem.WRONG_LENGTH, length=len(kk)))
    elif regions.district_for_prefix(kk[:6]) is None:
        report.error("kk_number", InvalidKk(KkProblem.UNKNOWN_REGION, prefix=kk[:6]))
    return report
