"""Pengaduan: a citizen's complaint, its answer deadline, and the steps to a recorded outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum

from app.domain.errors import DomainError, Term
from app.domain.nik import InvalidNik, check_nik, decode_nik, normalise_nik
from app.domain.regions import RegionIndex
from app.domain.validation import Report
from app.i18n import N_

# The office's calendar is WIB (no daylight saving); deadlines count its days, not UTC's.
WIB = timezone(timedelta(hours=7), "WIB")


class ComplaintCategory(str, Enum):
    SALAH_SASARAN = "salah_sasaran"  # aid goes to someone who is not poor
    BELUM_TERDAFTAR = "belum_terdaftar"  # a poor household is not registered
    BANTUAN_TIDAK_DITERIMA = "bantuan_tidak_diterima"  # registered but aid did not arrive
    DATA_SALAH = "data_salah"  # wrong personal or household data
    PELAYANAN = "pelayanan"  # about the service itself
    LAINNYA = "lainnya"


# Calendar days to give the citizen an answer; wrong data and missing aid hurt soonest.
RESPONSE_DAYS = {
    ComplaintCategory.SALAH_SASARAN: 14,
    ComplaintCategory.BELUM_TERDAFTAR: 14,
    ComplaintCategory.BANTUAN_TIDAK_DITERIMA: 7,
    ComplaintCategory.DATA_SALAH: 7,
    ComplaintCategory.PELAYANAN: 7,
    ComplaintCategory.LAINNYA: 14,
}

CATEGORY_LABELS = {
    ComplaintCategory.SALAH_SASARAN: N_("Aid goes to the wrong person"),
    ComplaintCategory.BELUM_TERDAFTAR: N_("Not yet registered"),
    ComplaintCategory.BANTUAN_TIDAK_DITERIMA: N_("Aid not received"),
    ComplaintCategory.DATA_SALAH: N_("Wrong data"),
    ComplaintCategory.PELAYANAN: N_("Service"),
    ComplaintCategory.LAINNYA: N_("Other"),
}


class ComplaintStatus(str, Enum):
    BARU = "baru"  # received, nobody on it yet
    DIPROSES = "diproses"  # someone is handling it
    SELESAI = "selesai"  # an outcome is recorded
    DITUTUP = "ditutup"  # closed: the citizen was told, or it needed no action


STATUS_LABELS = {
    ComplaintStatus.BARU: N_("New"),
    ComplaintStatus.DIPROSES: N_("Being handled"),
    ComplaintStatus.SELESAI: N_("Resolved"),
    ComplaintStatus.DITUTUP: N_("Closed"),
}

_B, _D, _S, _T = ComplaintStatus
# (from, to): the whole life of a complaint. Selesai can reopen if the citizen disagrees.
TRANSITIONS = frozenset({(_B, _D), (_B, _T), (_D, _S), (_D, _T), (_S, _D), (_S, _T)})
OPEN_STATUSES = frozenset({_B, _D})


@dataclass(frozen=True)
class Complaint:
    id: uuid.UUID
    category: ComplaintCategory
    reporter_name: str
    reporter_contact: str
    subject_nik: str | None
    description: str
    received_at: datetime  # UTC, naive as stored (see app.clock.utcnow)
    due_date: date  # WIB calendar date
    assigned_to: str | None
    status: ComplaintStatus
    outcome: str | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# --- errors -------------------------------------------------------------------------


class MissingReporterName(DomainError):
    code = "missing_reporter_name"
    template = N_("The name of the person complaining is not filled in.")
    hint = N_("Write their name, so that the answer reaches them.")


class MissingDescription(DomainError):
    code = "missing_description"
    template = N_("The complaint has no description.")
    hint = N_("Write what happened in the citizen's own words.")


class MissingOutcome(DomainError):
    code = "missing_outcome"
    template = N_("The outcome is not filled in.")
    hint = N_("Write what was done or decided, as you will tell the citizen.")


class IllegalComplaintTransition(DomainError):
    code = "illegal_complaint_transition"
    template = N_("A complaint that is “{current}” cannot become “{target}”.")
    hint = N_("Refresh the view: someone may have changed the complaint already.")

    def __init__(self, current: ComplaintStatus, target: ComplaintStatus):
        self.current, self.target = current, target
        super().__init__(current=Term(STATUS_LABELS[current]), target=Term(STATUS_LABELS[target]))


# --- use ----------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def due_date_for(category: ComplaintCategory, received_at: datetime) -> date:
    received_wib = _as_utc(received_at).replace(tzinfo=UTC).astimezone(WIB).date()
    return received_wib + timedelta(days=RESPONSE_DAYS[ComplaintCategory(category)])


def _format_only(nik: str) -> Report:
    report = Report()
    try:
        decode_nik(nik)
    except InvalidNik as error:
        report.error("nik", error)
    return report


def new_complaint(
    *,
    category: ComplaintCategory,
    reporter_name: str,
    reporter_contact: str,
    description: str,
    received_at: datetime,
    subject_nik: str | None = None,
    assigned_to: str | None = None,
    id: uuid.UUID | None = None,
    regions: RegionIndex | None = None,
) -> Complaint:
    """A new complaint with its due date; raise ValidationFailed when something is missing."""
    category = ComplaintCategory(category)
    nik = normalise_nik(subject_nik) if subject_nik else None
    report = Report()
    if not (reporter_name or "").strip():
        report.error("reporter_name", MissingReporterName())
    if not (description or "").strip():
        report.error("description", MissingDescription())
    if nik:
        # The same NIK rules as a household member's: format, day digits, serial, and (when the
        # region list is at hand, as it is in every office) a kecamatan code that exists.
        nik_report = check_nik(nik, regions=regions) if regions is not None else _format_only(nik)
        for issue in nik_report.errors:
            report.error("subject_nik", issue.error)
    report.raise_if_errors()
    return Complaint(
        id=id or uuid.uuid4(),
        category=category,
        reporter_name=reporter_name.strip(),
        reporter_contact=(reporter_contact or "").strip(),
        subject_nik=nik,
        description=description.strip(),
        received_at=_as_utc(received_at),
        due_date=due_date_for(category, received_at),
        assigned_to=assigned_to,
        status=ComplaintStatus.BARU,
        outcome=None,
    )


def _move(complaint: Complaint, target: ComplaintStatus, **changes) -> Complaint:
    if (complaint.status, target) not in TRANSITIONS:
        raise IllegalComplaintTransition(complaint.status, target)
    return replace(complaint, status=target, **changes)


def start(complaint: Complaint, *, assigned_to: str) -> Complaint:
    """Someone takes the complaint on (or takes it back up after the citizen disagreed)."""
    return _move(complaint, ComplaintStatus.DIPROSES, assigned_to=assigned_to)


def resolve(complaint: Complaint, outcome: str) -> Complaint:
    """Record what was done; a complaint is never resolved without saying how."""
    if not (outcome or "").strip():
        raise MissingOutcome()
    return _move(complaint, ComplaintStatus.SELESAI, outcome=outcome.strip())


def close(complaint: Complaint, outcome: str | None = None) -> Complaint:
    """Close it; closing one that was never resolved needs an outcome too (e.g. a duplicate)."""
    text = (outcome or "").strip() or complaint.outcome
    if not text:
        raise MissingOutcome()
    return _move(complaint, ComplaintStatus.DITUTUP, outcome=text)


def is_overdue(complaint: Complaint, today: date) -> bool:
    return complaint.is_open and today > complaint.due_date


def is_due_soon(complaint: Complaint, today: date, days: int = 3) -> bool:
    """Open, not yet overdue, and due within ``days`` days: the list's early warning."""
    return complaint.is_open and 0 <= (complaint.due_date - today).days <= days
