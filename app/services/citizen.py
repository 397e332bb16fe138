"""The counter: tell a citizen where their proposal is, and print the receipt when it is taken in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.clock import format_wib
from app.domain import workflow
from app.domain.nik import is_ascii_digits, normalise_nik
from app.domain.proposal import Programme, ProposalKind
from app.domain.tracking import is_valid_tracking_code, normalise_tracking_code
from app.i18n import _
from app.services.context import OfficeContext
from app.services.return_text import returned_texts
from app.storage.models import Operator, Proposal
from app.storage.proposal_repo import head_member
from app.storage.search import proposal_ids_for_identity


@dataclass(frozen=True)
class CitizenStatus:
    tracking_code: str
    kind: str
    state: str
    explanation: str
    head_name_masked: str
    updated_at: datetime
    returned_reasons: tuple[str, ...]
    proposal_id: str


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    office_name: str
    village: str
    head_name: str
    kk_masked: str
    kind: str
    programmes: tuple[str, ...]
    received_at_wib: str
    operator_name: str
    district: str = ""  # kecamatan
    regency: str = ""  # kabupaten/kota
    office_address: str = ""
    office_phone: str = ""
    returned_reasons: tuple[str, ...] = ()  # Dinsos's words, when this version answers a return


def mask_name(name: str) -> str:
    """"SITI AMINAH" -> "S*** A*****": enough for the citizen to recognise, not for a bystander."""
    return " ".join(word[0] + "*" * (len(word) - 1) if word else word for word in name.split())


def mask_number(number: str) -> str:
    return number[:6] + "*" * max(0, len(number) - 10) + number[-4:] if len(number) > 10 else number


def _latest_per_tracking(session, ids: list[str]) -> list[Proposal]:
    """The current version of each tracking code among ``ids``."""
    rows = session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()
    latest: dict[str, Proposal] = {}
    for row in rows:
        if row.tracking_code not in latest or row.version > latest[row.tracking_code].version:
            latest[row.tracking_code] = row
    return sorted(latest.values(), key=lambda r: r.updated_at, reverse=True)


CITIZEN_HEARS_RETURN = {
    workflow.State.RETURNED, workflow.State.DRAFT, workflow.State.GROUND_CHECK, workflow.State.MUSKEL,
    workflow.State.SPTJM, workflow.State.READY,
}


def find_for_citizen(ctx: OfficeContext, text: str) -> list[CitizenStatus]:
    """By tracking code (from the receipt), NIK or No. KK; the look-up is audited."""
    text = text.strip()
    with ctx.transaction() as session:
        if is_valid_tracking_code(text):
            code = normalise_tracking_code(text)
            ids = session.scalars(select(Proposal.id).where(Proposal.tracking_code == code)).all()
        else:
            digits = normalise_nik(text)
            if len(digits) != 16 or not is_ascii_digits(digits):
                return []
            ids = proposal_ids_for_identity(session, digits)  # a NIK or the family's No. KK
        # Each version shares the tracking code; every version of it is the same citizen's.
        codes = session.scalars(select(Proposal.tracking_code).where(Proposal.id.in_(ids))).all()
        all_ids = session.scalars(select(Proposal.id).where(Proposal.tracking_code.in_(codes))).all()
        results = []
        for row in _latest_per_tracking(session, list(all_ids)):
            state = workflow.State(row.state)
            # Why Dinsos returned it, while that is still the news: the proposal is returned, or its
            # new version is being prepared. Once Dinsos has it again (or decided), an old return is history.
            reasons = () if state not in CITIZEN_HEARS_RETURN else returned_texts(session, row.tracking_code)
            head = head_member(row.household)
            results.append(
                CitizenStatus(
                    tracking_code=row.tracking_code,
                    kind=row.kind,
                    state=row.state,
                    explanation=workflow.citizen_explanation(state),
                    head_name_masked=mask_name(head.name),
                    updated_at=row.updated_at,
                    returned_reasons=reasons,
                    proposal_id=row.id,
                )
            )
        ctx.audit(session, "citizen.lookup", "proposal", None, found=len(results))
        return results


def receipt_data(ctx: OfficeContext, proposal_id: str) -> Receipt:
    """What the receipt shows (printing it is audited: it carries a name)."""
    from app.services.letterhead import letterhead
    from app.services.proposals import ProposalNotFound

    office = letterhead(ctx)
    with ctx.transaction() as session:
        row = session.get(Proposal, proposal_id)
        if row is None:
            raise ProposalNotFound(reference=proposal_id)
        creator = session.get(Operator, row.created_by)
        head = head_member(row.household)
        ctx.audit(session, "proposal.receipt", "proposal", row.id)
        first = session.scalars(
            select(Proposal.created_at).where(Proposal.tracking_code == row.tracking_code).order_by(Proposal.version)
        ).first()
        return Receipt(
            tracking_code=row.tracking_code,
            office_name=office.office_name,
            village=office.village,
            head_name=head.name,
            kk_masked=mask_number(row.household.kk_number),
            kind=_(workflow.KIND_LABELS[ProposalKind(row.kind)]),
            programmes=tuple(Programme(p).display_name for p in row.programmes),
            received_at_wib=format_wib(first),
            operator_name=creator.name if creator else "",
            district=office.district,
            regency=office.regency,
            office_address=office.address,
            office_phone=office.phone,
            returned_reasons=returned_texts(session, row.tracking_code) if row.version > 1 or row.state == workflow.State.RETURNED.value else (),
        )
