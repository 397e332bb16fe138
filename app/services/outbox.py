"""Outbox: queue a proposal with its frozen payload, group pending items into signed, sealed batches."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import workflow
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.services.proposal_io import proposal_to_dict
from app.services.proposals import ProposalNotFound, step_in
from app.storage import proposal_repo as repo
from app.storage.handover_models import PendingRevocation
from app.storage.models import Proposal as ProposalRow
from app.storage.sync_models import DinsosKey, OutboxBatch, OutboxItem
from app.sync.batch import MAX_ITEMS, BatchItem, PartlySignedBatch, batch_hash, build_batch
from app.sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from app.sync.certificates import AUTHORITY_ROTATION_FORMAT, AuthorityRotation, Revocation
from app.sync.envelope import seal

# Item states.
PENDING, BATCHED, DELIVERED, SUPERSEDED = "pending", "batched", "delivered", "superseded"
# Batch states.
AWAITING, READY, SENT, BATCH_DELIVERED, REJECTED = (
    "awaiting_countersignature", "ready", "sent", "delivered", "rejected",
)
# Header fields of a batch item, or facts only this office needs: not repeated in the payload.
LOCAL_ONLY = ("id", "state", "version", "base_id", "route")


def payload_of(row: ProposalRow) -> dict:
    """The proposal as Dinsos receives it, frozen at queue time."""
    data = proposal_to_dict(repo.to_domain(row))
    return {key: value for key, value in data.items() if key not in LOCAL_ONLY}


def _insert_item(session: Session, row: ProposalRow, now) -> OutboxItem:
    payload = payload_of(row)
    item = OutboxItem(
        proposal_id=row.id, payload=payload, payload_hash=sha256_hex(canonical_bytes(payload)),
        route=row.route, state=PENDING, created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def queue_proposal(ctx: OfficeContext, proposal_id: str) -> None:
    """Queue a ready proposal: the state change and its outbox row commit together or not at all."""
    with ctx.transaction() as session:
        row = session.get(ProposalRow, proposal_id)
        if row is None:
            raise ProposalNotFound(reference=proposal_id)
        step_in(ctx, session, row, workflow.Action.QUEUE)
        item = _insert_item(session, row, ctx.clock())
        ctx.audit(session, "outbox.queue", "proposal", row.id, payload_hash=item.payload_hash)


def encryption_key(session: Session) -> bytes:
    row = session.get(DinsosKey, "batch_encryption")
    if row is None:
        raise office_keys.NotProvisioned()
    return row.public_key


def _complete(session: Session, batch_row: OutboxBatch, signed: PartlySignedBatch) -> None:
    """A batch with every signature: fix its hash and seal it before anything may send it."""
    data = signed.to_bytes()
    batch_row.signed = data
    batch_row.batch_hash = batch_hash(data)
    batch_row.sealed = seal(data, encryption_key(session), batch_id=signed.batch_id, office_id=signed.office_id)
    batch_row.state = READY


def _chain_head(session: Session) -> tuple[int, str] | None:
    """(next sequence, prev hash), or None while the last batch still waits for the Lurah."""
    last = session.scalars(select(OutboxBatch).order_by(OutboxBatch.sequence.desc())).first()
    if last is None:
        return 1, ZERO_HASH
    if last.batch_hash is None:
        return None
    return last.sequence + 1, last.batch_hash


def _still_queued(session: Session) -> list[OutboxItem]:
    """Pending items, minus those revised into a new version before they left (never sent)."""
    items = session.scalars(select(OutboxItem).where(OutboxItem.state == PENDING).order_by(OutboxItem.id)).all()
    keep = []
    for item in items:
        if session.get(ProposalRow, item.proposal_id).state == workflow.State.QUEUED.value:
            keep.append(item)
        else:
            item.state = SUPERSEDED
    return keep


def _waiting_revocations(session: Session) -> list[PendingRevocation]:
    """Lurah-signed revocations no batch carries yet."""
    return list(session.scalars(
        select(PendingRevocation)
        .where(PendingRevocation.batch_id.is_(None), PendingRevocation.delivered_at.is_(None))
        .order_by(PendingRevocation.created_at, PendingRevocation.cert_id)
    ))


def is_rotation(entry: PendingRevocation) -> bool:
    return f'"format":"{AUTHORITY_ROTATION_FORMAT}"' in entry.body


def _batch_item(session: Session, entry: OutboxItem | PendingRevocation) -> BatchItem:
    if isinstance(entry, PendingRevocation) and is_rotation(entry):
        # The old authority key's hand-over to the new one (key migration 0008): Dinsos checks it
        # against the key it holds, then the rest of this batch against the new key.
        return BatchItem.create(item_id=entry.cert_id, item_type="authority_rotation",
                                payload=AuthorityRotation.from_bytes(entry.body.encode("utf-8")).to_dict())
    if isinstance(entry, PendingRevocation):
        # The Lurah's signed statement travels as it is; Dinsos checks it against the authority key.
        return BatchItem.create(item_id=entry.cert_id, item_type="revocation",
                                payload=Revocation.from_bytes(entry.body.encode("utf-8")).to_dict())
    row = session.get(ProposalRow, entry.proposal_id)
    return BatchItem.create(item_id=row.id, item_type="proposal", payload=entry.payload, version=row.version,
                            base_id=row.base_id, route=entry.route)


def build_batches(ctx: OfficeContext) -> list[str]:
    """Sign pending items into batches (SPTJM ones on their own, last); return the new batch ids.

    Revocations the Lurah signed ride first, in the first batch any still-certified person signs:
    the revoked person's own key is inactive, so it cannot be the one to carry them.
    """
    with ctx.transaction() as session:
        head = _chain_head(session)
        pending = _still_queued(session)
        revocations = _waiting_revocations(session)
        if head is None or not (pending or revocations):
            return []
        sequence, prev = head
        cert = office_keys.certificate_in(ctx, session)
        signer = office_keys.signer_in(ctx, session)
        office_id = office_keys.server_office_id(session)
        regular = revocations + [i for i in pending if i.route != "sptjm"]
        sptjm = [i for i in pending if i.route == "sptjm"]
        # SPTJM last: its hash is unknown until the Lurah countersigns, so nothing can chain after it.
        groups = [regular[i : i + MAX_ITEMS] for i in range(0, len(regular), MAX_ITEMS)]
        if sptjm:
            groups.append(sptjm[:MAX_ITEMS])
        now = office_keys.now_seconds(ctx)
        made = []
        for group in groups:
            items = [_batch_item(session, entry) for entry in group]
            signed = build_batch(
                office_id=office_id, sequence=sequence, prev_batch_hash=prev, operator_certificate=cert,
                items=items, created_at=now,
            ).sign_operator(signer)
            batch_row = OutboxBatch(
                batch_id=signed.batch_id, sequence=sequence, prev_hash=prev, signed=signed.to_bytes(),
                state=AWAITING, attempts=0, created_at=now,
            )
            session.add(batch_row)
            session.flush()
            for entry in group:
                if isinstance(entry, OutboxItem):
                    entry.state = BATCHED
                entry.batch_id = signed.batch_id
            if signed.is_complete:
                _complete(session, batch_row, signed)
            ctx.audit(session, "outbox.batch", "batch", signed.batch_id, sequence=sequence, items=len(group),
                      state=batch_row.state)
            made.append(signed.batch_id)
            if batch_row.batch_hash is None:
                break
            sequence, prev = sequence + 1, batch_row.batch_hash
        return made


def countersign_pending(ctx: OfficeContext) -> list[str]:
    """The Lurah countersigns every batch waiting for it (SPTJM); each is then sealed and ready."""
    office_keys.require_lurah(ctx)
    with ctx.transaction() as session:
        waiting = session.scalars(select(OutboxBatch).where(OutboxBatch.state == AWAITING)
                                  .order_by(OutboxBatch.sequence)).all()
        if not waiting:
            return []
        lurah = office_keys.authority_signer(ctx, session)
        done = []
        for batch_row in waiting:
            # countersign() re-checks the operator's signature: nothing altered in the outbox gets vouched for.
            signed = PartlySignedBatch.from_bytes(batch_row.signed).countersign(lurah)
            _complete(session, batch_row, signed)
            ctx.audit(session, "outbox.countersign", "batch", batch_row.batch_id, sequence=batch_row.sequence)
            done.append(batch_row.batch_id)
        return done


def release_rejected(ctx: OfficeContext) -> int:
    """After a refusal is dealt with (e.g. a new certificate), free its sequence and re-batch its items.

    Dinsos stored nothing of a refused batch, so its sequence is still free; batches after it chain
    on its hash and are released too. Returns how many items went back to pending.
    """
    with ctx.transaction() as session:
        first = session.scalar(select(func.min(OutboxBatch.sequence)).where(OutboxBatch.state == REJECTED))
        if first is None:
            return 0
        doomed = session.scalars(select(OutboxBatch).where(OutboxBatch.sequence >= first)).all()
        ids = [b.batch_id for b in doomed]
        items = session.scalars(select(OutboxItem).where(OutboxItem.batch_id.in_(ids))).all()
        for item in items:
            item.state, item.batch_id = PENDING, None
        for revocation in session.scalars(select(PendingRevocation).where(PendingRevocation.batch_id.in_(ids))):
            revocation.batch_id = None
        session.flush()
        for batch_row in doomed:
            ctx.audit(session, "outbox.release", "batch", batch_row.batch_id, sequence=batch_row.sequence,
                      state=batch_row.state, error=batch_row.last_error)
            session.delete(batch_row)
        return len(items)
