"""A household as on its Kartu Keluarga: members, address, RT/RW, and the rules it must meet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from app.domain.errors import DomainError
from app.domain.kk import check_kk, normalise_kk
from app.domain.nik import Sex, check_nik, normalise_nik
from app.domain.regions import RegionIndex
from app.domain.validation import Report
from app.i18n import N_

__all__ = [
    "Household", "Member", "Relationship", "Sex", "normalise_rt", "validate_household",
]

SEX_LABELS = {Sex.L: N_("Male"), Sex.P: N_("Female")}


class Relationship(str, Enum):
    """Status hubungan dalam keluarga, as printed on the KK."""

    KEPALA_KELUARGA = "kepala_keluarga"
    SUAMI = "suami"
    ISTRI = "istri"
    ANAK = "anak"
    MENANTU = "menantu"
    CUCU = "cucu"
    ORANG_TUA = "orang_tua"
    MERTUA = "mertua"
    FAMILI_LAIN = "famili_lain"
    LAINNYA = "lainnya"


RELATIONSHIP_LABELS = {
    Relationship.KEPALA_KELUARGA: N_("Head of family"),
    Relationship.SUAMI: N_("Husband"),
    Relationship.ISTRI: N_("Wife"),
    Relationship.ANAK: N_("Child"),
    Relationship.MENANTU: N_("Child-in-law"),
    Relationship.CUCU: N_("Grandchild"),
    Relationship.ORANG_TUA: N_("Parent"),
    Relationship.MERTUA: N_("Parent-in-law"),
    Relationship.FAMILI_LAIN: N_("Other relative"),
    Relationship.LAINNYA: N_("Other"),
}


def normalise_rt(text: str) -> str:
    """``"3"`` -> ``"003"``: RT and RW are written with three digits on the KK."""
    text = (text or "").strip()
    if text.isdigit() and text.isascii() and len(text) <= 3:
        return text.zfill(3)
    return text


@dataclass(frozen=True)
class Member:
    nik: str
    name: str
    sex: Sex
    birth_place: str
    birth_date: date | None  # None while a Konsep is incomplete; validation says so
    relationship: Relationship
    mother_name: str

    def __post_init__(self) -> None:
        # Canonical at construction, so what is stored and compared never depends on typing.
        object.__setattr__(self, "nik", normalise_nik(self.nik))
        object.__setattr__(self, "name", (self.name or "").strip())
        object.__setattr__(self, "birth_place", (self.birth_place or "").strip())
        object.__setattr__(self, "mother_name", (self.mother_name or "").strip())


@dataclass(frozen=True)
class Household:
    kk_number: str
    address: str
    rt: str
    rw: str
    village_code: str
    members: tuple[Member, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "kk_number", normalise_kk(self.kk_number))
        object.__setattr__(self, "address", (self.address or "").strip())
        object.__setattr__(self, "rt", normalise_rt(str(self.rt)))
        object.__setattr__(self, "rw", normalise_rt(str(self.rw)))
        object.__setattr__(self, "village_code", (self.village_code or "").strip())
        object.__setattr__(self, "members", tuple(self.members))

    @property
    def head(self) -> Member | None:
        return next(
            (m for m in self.members if m.relationship is Relationship.KEPALA_KELUARGA), None
        )

    def member_with_nik(self, nik: str) -> Member | None:
        nik = normalise_nik(nik)
        return next((m for m in self.members if m.nik == nik), None)


# --- errors -------------------------------------------------------------------------


class MissingAddress(DomainError):
    code = "missing_address"
    template = N_("The address is not filled in.")
    hint = N_("Write the street and house number as on the Kartu Keluarga.")


class InvalidRtRw(DomainError):
    code = "invalid_rt_rw"
    template = N_("{part} must be a number from 1 to 999, such as 003.")
    hint = N_("Copy the {part} number from the Kartu Keluarga.")


class UnknownVillage(DomainError):
    code = "unknown_village"
    template = N_("The kelurahan/desa code {code} is not in the region list.")
    hint = N_("Choose the kelurahan or desa from the list instead of typing its code.")


class NoMembers(DomainError):
    code = "no_members"
    template = N_("The household has no members.")
    hint = N_("Add every person listed on the Kartu Keluarga, starting with the head of family.")


class NoHeadOfFamily(DomainError):
    code = "no_head_of_family"
    template = N_("No member is marked as head of family (kepala keluarga).")
    hint = N_("Mark the person listed as Kepala Keluarga on the Kartu Keluarga.")


class SeveralHeadsOfFamily(DomainError):
    code = "several_heads_of_family"
    template = N_("Only one member can be head of family (kepala keluarga).")
    hint = N_("Check each member's relationship against the Kartu Keluarga.")


class MissingName(DomainError):
    code = "missing_name"
    template = N_("The name is not filled in.")
    hint = N_("Write the full name as on the KTP or Kartu Keluarga.")


class MissingBirthDate(DomainError):
    code = "missing_birth_date"
    template = N_("The birth date is not filled in.")
    hint = N_("Write the birth date as on the KTP or Kartu Keluarga, for example 07-08-1985.")


class BirthDateInFuture(DomainError):
    code = "birth_date_in_future"
    template = N_("The birth date {date} is in the future.")
    hint = N_("Check the birth date on the KTP or Kartu Keluarga.")


class MissingMotherName(DomainError):
    code = "missing_mother_name"
    template = N_("The mother's name is not filled in.")
    hint = N_("Write the biological mother's name as on the Kartu Keluarga.")


class DuplicateMemberNik(DomainError):
    code = "duplicate_member_nik"
    template = N_("This NIK is already used by member number {other} of this household.")
    hint = N_("Every person has their own NIK: check both against the Kartu Keluarga.")


# --- rules --------------------------------------------------------------------------


def _rt_ok(value: str) -> bool:
    return len(value) == 3 and value.isdigit() and value.isascii() and value != "000"


def validate_household(
    household: Household, *, regions: RegionIndex, office_regency: str | None, today: date
) -> Report:
    """Every household rule; member paths look like ``members[0].nik``."""
    report = Report()
    report.extend(check_kk(household.kk_number, regions=regions))
    if not household.address:
        report.error("address", MissingAddress())
    for field, part in (("rt", "RT"), ("rw", "RW")):
        if not _rt_ok(normalise_rt(getattr(household, field))):
            report.error(field, InvalidRtRw(part=part))
    if regions.village(household.village_code) is None:
        report.error("village_code", UnknownVillage(code=household.village_code))

    if not household.members:
        report.error("members", NoMembers())
    heads = [
        index
        for index, m in enumerate(household.members)
        if m.relationship is Relationship.KEPALA_KELUARGA
    ]
    if household.members and not heads:
        report.error("members", NoHeadOfFamily())
    for index in heads[1:]:
        report.error(f"members[{index}].relationship", SeveralHeadsOfFamily())

    first_seen: dict[str, int] = {}
    for index, member in enumerate(household.members):
        _check_member(report, index, member, regions, office_regency, today)
        if member.nik in first_seen:
            report.error(
                f"members[{index}].nik", DuplicateMemberNik(other=first_seen[member.nik] + 1)
            )
        elif member.nik:
            first_seen[member.nik] = index
    return report


def _check_member(
    report: Report,
    index: int,
    member: Member,
    regions: RegionIndex,
    office_regency: str | None,
    today: date,
) -> None:
    prefix = f"members[{index}]."
    future = member.birth_date is not None and member.birth_date > today
    report.extend(
        check_nik(
            member.nik,
            regions=regions,
            office_regency=office_regency,
            # A birth date in the future is its own error; comparing it with the NIK adds noise.
            birth_date=None if future else member.birth_date,  # None when not filled in
            sex=member.sex,
        ),
        prefix=prefix,
    )
    if not member.name:
        report.error(prefix + "name", MissingName())
    if member.birth_date is None:
        report.error(prefix + "birth_date", MissingBirthDate())
    elif future:
        report.error(
            prefix + "birth_date", BirthDateInFuture(date=member.birth_date.strftime("%d-%m-%Y"))
        )
    if not member.mother_name:
        report.error(prefix + "mother_name", MissingMotherName())
