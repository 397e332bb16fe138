"""NIK (Nomor Induk Kependudukan): what it encodes and whether it agrees with what was entered."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum

from stdnum import exceptions as stdnum_errors
from stdnum.id import nik as stdnum_nik

from app.domain.errors import DomainError
from app.domain.regions import RegionIndex, dotted
from app.domain.validation import Report
from app.i18n import N_

# What people type or paste between a NIK's digits: every dash and minus sign, dots (also the
# middle dots of phone keyboards), any space (NBSP, thin space, tab) and the invisible marks a
# copy from a PDF or chat brings along. Anything else is kept, so it is refused, never eaten.
_DOTS = ".\u00b7\u2022\u2024\u2027\u2219\u30fb\uff65"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_MINUS = "\u2212\u2796\ufe63\uff0d"


class Sex(str, Enum):
    """As written on the KTP/KK; it lives here because the NIK encodes it (day + 40)."""

    L = "L"  # laki-laki
    P = "P"  # perempuan


class NikProblem(str, Enum):
    MISSING = "missing"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    IMPOSSIBLE_DATE = "impossible_date"
    ZERO_SERIAL = "zero_serial"
    UNKNOWN_REGION = "unknown_region"


_NIK_MESSAGES = {
    NikProblem.MISSING: (
        N_("The NIK is not filled in."),
        N_("Type the 16-digit NIK from the KTP or KK."),
    ),
    NikProblem.NOT_DIGITS: (
        N_("A NIK may contain only digits."),
        N_("Check the KTP or KK and type the 16 digits again."),
    ),
    NikProblem.WRONG_LENGTH: (
        N_("A NIK must have 16 digits; this one has {length}."),
        N_("Check the KTP or KK and type the 16 digits again."),
    ),
    NikProblem.IMPOSSIBLE_DATE: (
        N_("Digits 7 to 12 of the NIK are not a possible birth date."),
        N_("Check the KTP or KK: two digits may have been swapped."),
    ),
    NikProblem.ZERO_SERIAL: (
        N_("The last four digits of a NIK are never 0000."),
        N_("Check the KTP or KK and type the last four digits again."),
    ),
    NikProblem.UNKNOWN_REGION: (
        N_("The first six digits of the NIK ({prefix}) are not a known kecamatan code."),
        N_("Check the KTP or KK. If the NIK is right, ask the Dinas Sosial to update the region list."),
    ),
}


class InvalidNik(DomainError):
    """The NIK cannot be right; ``reason`` says which rule it breaks."""

    code = "invalid_nik"

    def __init__(self, reason: NikProblem, **params):
        template, hint = _NIK_MESSAGES[reason]
        self.reason = reason
        super().__init__(template, hint=hint, **params)


class NikOutsideOfficeRegion(DomainError):
    """A warning: people do move, so the operator confirms instead of being stopped."""

    code = "nik_outside_office_region"
    template = N_("This NIK was issued in {regency}, outside the office's kabupaten/kota.")
    hint = N_("Confirm that the person now lives in this kelurahan, or correct the NIK.")


class NikBirthDateMismatch(DomainError):
    code = "nik_birth_date_mismatch"
    template = N_("The NIK says born {nik_date}, but the birth date entered is {entered_date}.")
    hint = N_("Check the birth date on the KTP or KK, then correct the NIK or the birth date.")


class NikSexMismatch(DomainError):
    code = "nik_sex_mismatch"
    hint = N_("Check the KTP or KK, then correct the NIK or the sex.")

    def __init__(self, encoded: Sex):
        template = (
            N_("The NIK is a woman's (day of birth plus 40), but the sex entered is male.")
            if encoded is Sex.P
            else N_("The NIK is a man's, but the sex entered is female.")
        )
        self.encoded = encoded
        super().__init__(template)


@dataclass(frozen=True)
class NikInfo:
    """What a well-formed NIK says about its holder (the year only to two digits)."""

    nik: str
    district_prefix: str  # undotted, e.g. "357503"
    birth_day: int
    birth_month: int
    birth_year2: int
    sex: Sex
    serial: str

    @property
    def birth_date_text(self) -> str:
        return f"{self.birth_day:02d}-{self.birth_month:02d}-{self.birth_year2:02d}"

    def matches_birth_date(self, when: date) -> bool:
        # Only day, month and the year's last two digits are encoded: 1945 and 2045 agree.
        return (when.day, when.month, when.year % 100) == (
            self.birth_day, self.birth_month, self.birth_year2
        )


def _is_separator(char: str) -> bool:
    return (
        char.isspace()
        or char in _DOTS
        or char in _INVISIBLE
        or char in _MINUS
        or unicodedata.category(char) == "Pd"  # hyphen, en and em dash, figure dash, ...
    )


def normalise_nik(text: str) -> str:
    """The one canonical form of a typed or pasted NIK or No. KK, before any check or storage.

    NFKC first, so full-width digits pasted from a PDF or a phone become plain ones; then every
    space, dot and dash-like mark is dropped. Other characters stay, so the checks refuse them.
    """
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(char for char in text if not _is_separator(char))


def is_ascii_digits(text: str) -> bool:
    """Only 0-9: ``str.isdigit`` also accepts Arabic-Indic and superscript digits."""
    return text.isascii() and text.isdigit()


def decode_nik(nik: str) -> NikInfo:
    """Read a NIK's parts; raise InvalidNik when it is not 16 digits or cannot be a real NIK.

    python-stdnum judges the calendar date. Its day is ``digits % 40``, which takes day digits
    81 to 99 for days 1 to 19, and it ends in a ValueError on a dash it does not know, so the
    characters, the length and the day range are ours, checked first. Its place table also lags behind Kemendagri (it has no Papua Barat Daya, for one), so the region
    is left to ``check_nik`` and our own, newer region list.
    """
    nik = normalise_nik(nik)
    if not nik:
        raise InvalidNik(NikProblem.MISSING)
    if not is_ascii_digits(nik):
        raise InvalidNik(NikProblem.NOT_DIGITS)
    if len(nik) != 16:
        raise InvalidNik(NikProblem.WRONG_LENGTH, length=len(nik))
    day = int(nik[6:8])
    # Men: day 01-31; women: day plus 40, so 41-71. Nothing else is ever issued.
    birth_day = day - 40 if day > 40 else day
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise InvalidNik(NikProblem.IMPOSSIBLE_DATE)
    try:
        stdnum_nik.get_birth_date(nik)  # tries 19xx and 20xx: 29 February needs a leap year
    except stdnum_errors.ValidationError as exc:
        raise InvalidNik(NikProblem.IMPOSSIBLE_DATE) from exc
    if nik[12:] == "0000":
        raise InvalidNik(NikProblem.ZERO_SERIAL)
    return NikInfo(
        nik=nik,
        district_prefix=nik[:6],
        birth_day=birth_day,
        birth_month=int(nik[8:10]),
        birth_year2=int(nik[10:12]),
        sex=Sex.P if day > 40 else Sex.L,
        serial=nik[12:],
    )


def check_nik(
    nik: str,
    *,
    regions: RegionIndex,
    office_regency: str | None = None,
    birth_date: date | None = None,
    sex: Sex | None = None,
) -> Report:
    """Every NIK rule, as a Report with field paths ``nik``, ``birth_date`` and ``sex``."""
    report = Report()
    try:
        info = decode_nik(nik)
    except InvalidNik as error:
        report.error("nik", error)
        return report
    district = regions.district_for_prefix(info.district_prefix)
    if district is None:
        report.error("nik", InvalidNik(NikProblem.UNKNOWN_REGION, prefix=info.district_prefix))
    elif office_regency:
        regency = regions.regency_of(district.code)
        if regency is not None and regency.code != dotted(office_regency):
            report.warn("nik", NikOutsideOfficeRegion(regency=regency.name))
    if birth_date is not None and not info.matches_birth_date(birth_date):
        report.error(
            "birth_date",
            NikBirthDateMismatch(
                nik_date=info.birth_date_text, entered_date=birth_date.strftime("%d-%m-%Y")
            ),
        )
    if sex is not None and Sex(sex) is not info.sex:
        report.error("sex", NikSexMismatch(info.sex))
    return report
