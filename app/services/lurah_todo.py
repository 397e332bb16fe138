"""What waits for the Lurah's own hand: SPTJMs to sign, batches to countersign, handover records to endorse."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from app.domain import workflow
from app.services.context import OfficeContext
from app.storage import proposal_repo as repo
from app.storage.handover_models import HandoverRecord
from app.storage.models import Operator, Proposal
from app.storage.read_models import ProposalSummary
from app.storage.sync_models import OutboxBatch, OutboxItem

LIMIT = 20
AWAITING = "awaiting_countersignature"  # app.services.outbox's batch state


@dataclass(frozen=True)
class BatchTodo:
    batch_id: str
    sequence: int
    households: tuple[str, ...]  # the heads of family in it, so the Lurah knows what they vouch for


@dataclass(frozen=True)
class RecordTodo:
    record_id: str
    from_operator: str
    from_name: str
    items: int


@dataclass(frozen=True)
class LurahTodos:
    sptjm: tuple[ProposalSummary, ...] = ()
    batches: tuple[BatchTodo, ...] = ()
    records: tuple[RecordTodo, ...] = ()

    def count(self) -> int:
        return len(self.sptjm) + len(self.batches) + len(self.records)


def _item_count(body: str) -> int:
    # Only a count for the line on Beranda; the record is verified in full where it is endorsed.
    try:
        return len(json.loads(body).get("items") or ())
    except (ValueError, AttributeError):
        return 0


def lurah_todos(ctx: OfficeContext) -> LurahTodos | None:
    """The Lurah's list (None for anyone else: these are not theirs to do)."""
    if ctx.operator_role != workflow.Actor.LURAH.value:
        return None
    with ctx.reading() as session:
        sptjm_ids = session.scalars(
            select(Proposal.id).where(Proposal.state == workflow.State.SPTJM.value)
            .order_by(Proposal.updated_at).limit(LIMIT)
        ).all()
        batches = []
        for batch in session.scalars(
            select(OutboxBatch).where(OutboxBatch.state == AWAITING).order_by(OutboxBatch.sequence).limit(LIMIT)
        ):
            ids = session.scalars(select(OutboxItem.proposal_id).where(OutboxItem.batch_id == batch.batch_id)
                                  .order_by(OutboxItem.id)).all()
            names = tuple(s.head_name for s in repo.summaries(session, ids))
            batches.append(BatchTodo(batch.batch_id, batch.sequence, names))
        names = dict(session.execute(select(Operator.id, Operator.name)).all())
        records = [
            RecordTodo(row.id, row.from_operator, names.get(row.from_operator, ""), _item_count(row.body))
            for row in session.scalars(
                select(HandoverRecord).where(HandoverRecord.lurah_signature.is_(None))
                .order_by(HandoverRecord.created_at).limit(LIMIT)
            )
        ]
        return LurahTodos(tuple(repo.summaries(session, sptjm_ids)), tuple(batches), tuple(records))
