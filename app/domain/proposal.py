"""An usulan (baru, pembaruan or sanggahan): its content, its rules and whether its desil fits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from app.domain import workflow
from app.domain.errors import DomainError
from app.domain.household import Household, validate_household
from app.domain.nik import normalise_nik
from app.domain.regions import RegionIndex
from app.domain.socioeconomic import CATALOGUE, SocioEconomicChange
from app.domain.validation import Report
from app.domain.workflow import ProposalKind, Route, State
from app.i18n import N_

__all__ = [
    "DesilDoesNotFit", "ObjectionReason", "Programme", "Proposal", "ProposalKind", "Route",
    "SocioEconomicChange", "advance", "desil_fits", "require_desil_fits", "validate_proposal",
]


class Programme(str, Enum):
    PKH = "pkh"
    BPNT = "bpnt"
    PBI_JK = "pbi_jk"

    @property
    def display_name(self) -> str:
        return PROGRAMME_NAMES[self]

    @property
    def max_desil(self) -> int:
        return PROGRAMME_MAX_DESIL[self]


# Proper names: the same in every language, so not marked for translation.
PROGRAMME_NAMES = {Programme.PKH: "PKH", Programme.BPNT: "BPNT/Sembako", Programme.PBI_JK: "PBI-JK"}
# DTSEN welfare deciles each programme may reach (1 is the poorest tenth).
PROGRAMME_MAX_DESIL = {Programme.PKH: 4, Programme.BPNT: 4, Programme.PBI_JK: 5}
DESIL_RANGE = range(1, 11)


class ObjectionReason(str, Enum):
    MENINGGAL = "meninggal"  # the recipient has died
    PINDAH = "pindah"  # moved away
    MAMPU = "mampu"  # well off
    ASN_TNI_POLRI = "asn_tni_polri"  # civil servant, soldier or police: excluded by rule
    GANDA = "ganda"  # registered twice
    LAINNYA = "lainnya"  # other: a note must say what


OBJECTION_REASON_LABELS = {
    ObjectionReason.MENINGGAL: N_("Has died"),
    ObjectionReason.PINDAH: N_("Has moved away"),
    ObjectionReason.MAMPU: N_("Is well off"),
    ObjectionReason.ASN_TNI_POLRI: N_("Is a civil servant, soldier or police officer"),
    ObjectionReason.GANDA: N_("Is registered twice"),
    ObjectionReason.LAINNYA: N_("Another reason"),
}


@dataclass(frozen=True)
class Proposal:
    id: uuid.UUID
    kind: ProposalKind
    household: Household
    programmes: frozenset[Programme]
    changes: tuple[SocioEconomicChange, ...]
    objection_subject_nik: str | None
    objection_reason: ObjectionReason | None
    objection_note: str | None
    desil: int | None
    route: Route | None
    state: State
    version: int
    base_id: uuid.UUID | None
    tracking_code: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "programmes", frozenset(self.programmes))
        object.__setattr__(self, "changes", tuple(self.changes))
        if self.objection_subject_nik is not None:
            object.__setattr__(self, "objection_subject_nik", normalise_nik(self.objection_subject_nik))
        if self.objection_note is not None:
            object.__setattr__(self, "objection_note", self.objection_note.strip())


# --- errors -------------------------------------------------------------------------


class NoProgrammes(DomainError):
    code = "no_programmes"
    template = N_("No programme is chosen.")
    hint = N_("Choose at least one programme: PKH, BPNT/Sembako or PBI-JK.")


class InvalidDesil(DomainError):
    code = "invalid_desil"
    template = N_("The desil must be a whole number from 1 to 10.")
    hint = N_("Copy the desil shown for the household in the DTSEN, or leave it empty if there is none.")


class DesilDoesNotFit(DomainError):
    """The household's decile is outside what the programme may reach: a pembaruan comes first."""

    code = "desil_does_not_fit"
    hint = N_("File an usulan pembaruan with the household's current socio-economic data instead.")

    def __init__(self, desil: int | None = None, programme: Programme | None = None):
        self.desil, self.programme = desil, programme
        if desil is None or programme is None:
            super().__init__(N_("The household has no desil in the DTSEN, so it cannot be proposed yet."))
        else:
            super().__init__(
                N_("Desil {desil} is above what {programme} allows (desil 1 to {max_desil})."),
                desil=desil,
                programme=programme.display_name,
                max_desil=programme.max_desil,
            )


class NoChanges(DomainError):
    code = "no_changes"
    template = N_("The usulan pembaruan has no changed data.")
    hint = N_("Add at least one socio-economic item whose condition has changed.")


class UnknownVariable(DomainError):
    code = "unknown_variable"
    template = N_("“{variable}” is not a DTSEN socio-economic item.")
    hint = N_("Choose the item from the list.")


class ValueNotAllowed(DomainError):
    code = "value_not_allowed"
    template = N_("“{value}” is not one of the answers for this item.")
    hint = N_("Choose the answer from the list.")


class UnchangedValue(DomainError):
    code = "unchanged_value"
    template = N_("The new condition is the same as the old one.")
    hint = N_("Remove this item, or choose the condition as it is now.")


class DuplicateChange(DomainError):
    code = "duplicate_change"
    template = N_("This item is already changed in row {other}.")
    hint = N_("Keep one row per item.")


class MissingObjectionSubject(DomainError):
    code = "missing_objection_subject"
    template = N_("The sanggahan does not say which person it is about.")
    hint = N_("Choose the member of the household who should no longer receive aid.")


class ObjectionSubjectNotMember(DomainError):
    code = "objection_subject_not_member"
    template = N_("The person of the sanggahan is not a member of this household.")
    hint = N_("Choose one of the household's members, or add the person to the household first.")


class MissingObjectionReason(DomainError):
    code = "missing_objection_reason"
    template = N_("The sanggahan has no reason.")
    hint = N_("Choose why the person should no longer receive aid.")


class MissingObjectionNote(DomainError):
    code = "missing_objection_note"
    template = N_("The reason “another reason” needs an explanation.")
    hint = N_("Write briefly why the person should no longer receive aid.")


# --- eligibility --------------------------------------------------------------------


def _is_desil(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in DESIL_RANGE


def desil_fits(desil: int | None, programmes: Iterable[Programme]) -> bool:
    """The desil is known and within reach of every chosen programme."""
    programmes = list(programmes)
    return (
        _is_desil(desil)
        and bool(programmes)
        and all(desil <= Programme(p).max_desil for p in programmes)
    )


def require_desil_fits(desil: int | None, programmes: Iterable[Programme]) -> None:
    """Raise DesilDoesNotFit (or NoProgrammes) unless ``desil_fits``."""
    # Strictest programme first, so the message names the one that rules the household out.
    chosen = sorted((Programme(p) for p in programmes), key=lambda p: (p.max_desil, p.value))
    if not chosen:
        raise NoProgrammes()
    if not _is_desil(desil):
        raise DesilDoesNotFit()
    for programme in chosen:
        if desil > programme.max_desil:
            raise DesilDoesNotFit(desil, programme)


def advance(
    proposal: Proposal,
    action: workflow.Action,
    *,
    actor: workflow.Actor,
    data: Mapping[str, Any] | None = None,
) -> workflow.TransitionRecord:
    """``workflow.transition`` plus the row's guards, which need the proposal's content."""
    record = workflow.transition(
        proposal.state, proposal.kind, action, actor=actor, data=data
    )
    if workflow.Guard.DESIL_FITS in workflow.guards(proposal.state, proposal.kind, action):
        require_desil_fits(proposal.desil, proposal.programmes)
    return record


# --- validation ---------------------------------------------------------------------


def validate_proposal(
    proposal: Proposal, *, regions: RegionIndex, office_regency: str | None, today: date
) -> Report:
    """The household's rules, then the rules of the proposal's kind."""
    report = validate_household(
        proposal.household, regions=regions, office_regency=office_regency, today=today
    )
    if proposal.desil is not None and not _is_desil(proposal.desil):
        report.error("desil", InvalidDesil())
    if proposal.kind is ProposalKind.BARU:
        if not proposal.programmes:
            report.error("programmes", NoProgrammes())
    elif proposal.kind is ProposalKind.PEMBARUAN:
        _check_changes(report, proposal.changes)
    elif proposal.kind is ProposalKind.SANGGAHAN:
        _check_objection(report, proposal)
    return report


def _check_changes(report: Report, changes: tuple[SocioEconomicChange, ...]) -> None:
    if not changes:
        report.error("changes", NoChanges())
    first_row: dict[str, int] = {}
    for index, change in enumerate(changes):
        path = f"changes[{index}]."
        variable = CATALOGUE.get(change.variable)
        if variable is None:
            report.error(path + "variable", UnknownVariable(variable=change.variable))
            continue
        if change.variable in first_row:
            report.error(path + "variable", DuplicateChange(other=first_row[change.variable] + 1))
        else:
            first_row[change.variable] = index
        for field in ("old_value", "new_value"):
            value = getattr(change, field)
            if not variable.allows(value):
                report.error(path + field, ValueNotAllowed(value=value))
        if change.old_value == change.new_value:
            report.error(path + "new_value", UnchangedValue())


def _check_objection(report: Report, proposal: Proposal) -> None:
    if not proposal.objection_subject_nik:
        report.error("objection_subject_nik", MissingObjectionSubject())
    elif proposal.household.member_with_nik(proposal.objection_subject_nik) is None:
        report.error("objection_subject_nik", ObjectionSubjectNotMember())
    if proposal.objection_reason is None:
        report.error("objection_reason", MissingObjectionReason())
    elif proposal.objection_reason is ObjectionReason.LAINNYA and not proposal.objection_note:
        report.error("objection_note", MissingObjectionNote())
