"""Documents Dinsos sends back in a return file (the walikota's decree): kept as read-only attachments of the proposal."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from app.errors import UsulkanError
from app.services.attachments import FROM_DINSOS
from app.services.context import OfficeContext
from app.storage.attachments import check_attachment
from app.storage.models import Attachment, Proposal
from app.sync.return_file import ReturnDocument

log = logging.getLogger(__name__)


def store_from_dinsos(ctx: OfficeContext, documents: Sequence[ReturnDocument], *, now: datetime) -> tuple[int, int]:
    """Attach each document to its proposal, once (by hash); (how many are new, how many were not usable).

    The file's signature already vouches for them; the bytes are checked again like any attachment
    (a whole PDF, JPEG or PNG under the cap), and a document for a proposal this copy of the office
    does not hold (an older backup) is counted, not applied.
    """
    added = unusable = 0
    for doc in documents:
        try:
            checked = check_attachment(doc.name, doc.data)
        except UsulkanError as err:
            log.warning("document from Dinsos not usable: %s", type(err).__name__)
            unusable += 1
            continue
        with ctx.transaction() as session:
            proposal = session.get(Proposal, doc.item_id)
            if proposal is None:
                unusable += 1
                continue
            known = session.scalars(select(Attachment.id).where(Attachment.proposal_id == proposal.id,
                                                                Attachment.sha256 == checked.sha256,
                                                                Attachment.source == FROM_DINSOS)).first()
            if known is not None:
                continue
            row = Attachment(id=str(uuid.uuid4()), proposal_id=proposal.id, kind=doc.kind, filename=doc.name,
                             mime=checked.mime, size=checked.size, sha256=checked.sha256, data=doc.data,
                             created_by=ctx.operator_id or proposal.created_by, created_at=now, source=FROM_DINSOS)
            session.add(row)
            ctx.audit(session, "attachment.from_dinsos", "proposal", proposal.id, attachment=row.id, kind=doc.kind,
                      size=checked.size)
            added += 1
    return added, unusable
