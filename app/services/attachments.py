"""Attach scanned documents and photos to a proposal or complaint, inside the encrypted database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.services.proposals import ProposalNotFound
from app.storage.attachments import CheckedFile, check_attachment
from app.storage.models import Attachment, Proposal

KINDS = ("kk", "ktp", "muskel_minutes", "sptjm", "house_photo", "ground_check", "other")
# Attached by Dinsos only (app/services/dinsos_documents.py), never chosen at the office.
DINSOS_KINDS = ("decree",)
FROM_DINSOS = "dinsos"


class AttachmentNotFound(UsulkanError):
    template = N_("The attachment was not found.")
    hint = N_("It may have been removed; refresh the list.")


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    kind: str
    filename: str
    mime: str
    size: int
    created_at: datetime
    source: str | None = None

    @property
    def from_dinsos(self) -> bool:
        """Sent back by Dinsos: shown as such, read-only, and never sent to Dinsos again."""
        return self.source == FROM_DINSOS


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(row.id, row.kind, row.filename, row.mime, row.size, row.created_at, row.source)


def attach_to_proposal(ctx: OfficeContext, proposal_id: str, *, kind: str, filename: str, data: bytes) -> AttachmentInfo:
    """Check the bytes (type, completeness, size) and store them with the proposal."""
    checked = check_attachment(filename, data)
    with ctx.transaction() as session:
        return attach_in(ctx, session, proposal_id, kind=kind, filename=filename, data=data, checked=checked)


def attach_in(
    ctx: OfficeContext,
    session: Session,
    proposal_id: str,
    *,
    kind: str,
    filename: str,
    data: bytes,
    checked: CheckedFile | None = None,
) -> AttachmentInfo:
    """Store a checked file with a proposal inside the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(kind)
    checked = checked or check_attachment(filename, data)
    if session.get(Proposal, proposal_id) is None:
        raise ProposalNotFound(reference=proposal_id)
    row = Attachment(
        id=str(uuid.uuid4()),
        proposal_id=proposal_id,
        kind=kind,
        filename=filename,
        mime=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
        data=data,
        created_by=ctx.operator_id,
        created_at=ctx.clock(),
    )
    session.add(row)
    ctx.audit(session, "attachment.add", "proposal", proposal_id, attachment=row.id, kind=kind, size=checked.size)
    return _info(row)


def list_attachments(ctx: OfficeContext, proposal_id: str) -> list[AttachmentInfo]:
    with ctx.reading() as session:
        rows = session.execute(
            select(Attachment.id, Attachment.kind, Attachment.filename, Attachment.mime, Attachment.size, Attachment.created_at,
                   Attachment.source)
            .where(Attachment.proposal_id == proposal_id)
            .order_by(Attachment.created_at)
        ).all()
    return [AttachmentInfo(*row) for row in rows]


def read_attachment(ctx: OfficeContext, attachment_id: str) -> tuple[AttachmentInfo, bytes]:
    """The bytes of one document; opening it is audited like opening a person's detail."""
    with ctx.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise AttachmentNotFound()
        ctx.audit(session, "attachment.open", "attachment", row.id, proposal=row.proposal_id)
        return _info(row), row.data
