"""Outbox: queue a proposal with its frozen payload, group pending items into signed, sealed batches."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from app.domain import workflow
from app.errors import UsulkanError
from app.i18n import N_, _
from app.services import keys as office_keys
from app.services import documents_out, lurah
from app.services.context import OfficeContext
from app.services.proposal_io import proposal_to_dict
from app.services import proposals as proposal_service
from app.storage import audit
from app.storage import proposal_repo as repo
from app.storage.handover_models import PendingRevocation
from app.storage.models import Proposal as ProposalRow
from app.storage.read_models import ProposalSummary
from app.storage.sync_models import DataRepair, DinsosKey, OutboxBatch, OutboxItem
from app.sync.batch import MAX_ITEMS, BatchItem, PartlySignedBatch, batch_hash, build_batch
from app.sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from app.sync.certificates import AUTHORITY_ROTATION_FORMAT, AuthorityRotation, Revocation
from app.sync import chain
from app.sync.documents import with_documents
from app.sync.envelope import seal

log = logging.getLogger(__name__)

# Item states.
PENDING, BATCHED, DELIVERED, SUPERSEDED = "pending", "batched", "delivered", "superseded"
# Batch states.
AWAITING, READY, SENT, BATCH_DELIVERED, REJECTED = (
    "awaiting_countersignature", "ready", "sent", "delivered", "rejected",
)
# Header fields of a batch item, or facts only this office needs: not repeated in the payload.
LOCAL_ONLY = ("id", "state", "version", "base_id", "route")

# The batch item that carries the audit head (app/services/audit_log.py reads it back).
AUDIT_HEAD_ITEM = "audit_head"


def payload_of(row: ProposalRow) -> dict:
    """The proposal as Dinsos receives it, frozen at queue time: with its prepared documents, by hash."""
    data = proposal_to_dict(repo.to_domain(row))
    payload = {key: value for key, value in data.items() if key not in LOCAL_ONLY}
    session = object_session(row)
    return with_documents(payload, documents_out.current_refs(session, row.id)) if session is not None else payload


def _insert_item(session: Session, row: ProposalRow, now) -> OutboxItem:
    # The documents go by hash inside the signed item; their bytes follow the batch (documents_out).
    refs = documents_out.prepare_in(session, row.id, now)
    payload = payload_of(row)
    item = OutboxItem(
        proposal_id=row.id, payload=payload, payload_hash=sha256_hex(canonical_bytes(payload)),
        route=row.route, state=PENDING, created_at=now,
    )
    session.add(item)
    session.flush()
    documents_out.link_in(session, refs, item.id)
    return item


def queue_in(ctx: OfficeContext, session: Session, row: ProposalRow) -> OutboxItem:
    """The one place a proposal becomes queued: its state and its outbox item in the caller's transaction."""
    proposal_service._take_step(ctx, session, row, workflow.Action.QUEUE)
    item = _insert_item(session, row, ctx.clock())
    ctx.audit(session, "outbox.queue", "proposal", row.id, payload_hash=item.payload_hash)
    return item


def queue_proposal(ctx: OfficeContext, reference: str) -> ProposalSummary:
    """Queue a ready proposal (by id or tracking code): state change and outbox row commit together."""
    with ctx.transaction() as session:
        row = proposal_service.load(session, reference)
        queue_in(ctx, session, row)
        return repo.summary(row)


def queue_proposals(ctx: OfficeContext, references: list[str]) -> list[ProposalSummary]:
    """Queue several ready proposals (the muskel's eligible ones) all or nothing."""
    with ctx.transaction() as session:
        done = []
        for reference in references:
            row = proposal_service.load(session, reference)
            queue_in(ctx, session, row)
            done.append(repo.summary(row))
        return done


# States a proposal reaches only by being queued (and, from SENT on, delivered).
AFTER_QUEUE = (
    workflow.State.SENT, workflow.State.RECEIVED, workflow.State.VERIFIED, workflow.State.RETURNED,
    workflow.State.FINALISED, workflow.State.APPROVED, workflow.State.FORWARDED,
)
REPAIR_OUTBOX = "outbox_items"


def _without_item(session: Session, states) -> list[ProposalRow]:
    has_item = select(OutboxItem.proposal_id)
    return list(session.scalars(
        select(ProposalRow).where(ProposalRow.state.in_([s.value for s in states]), ProposalRow.id.not_in(has_item))
        .order_by(ProposalRow.created_at, ProposalRow.id)
    ))


def queue_size(session: Session) -> int:
    """What waits to reach Dinsos, once each: queued proposals not yet received, and revocations.

    The one count Beranda, Pengiriman and the status bar show. A proposal counts once whether
    its item is pending, in a batch waiting for the Lurah, or sent without a receipt yet; an item
    whose proposal was revised before it left never goes, so it does not count.
    """
    proposals = session.scalar(
        select(func.count()).select_from(OutboxItem).join(ProposalRow, ProposalRow.id == OutboxItem.proposal_id)
        .where(OutboxItem.state.in_((PENDING, BATCHED)), ProposalRow.state == workflow.State.QUEUED.value)
    ) or 0
    revocations = session.scalar(
        select(func.count()).select_from(PendingRevocation).where(PendingRevocation.delivered_at.is_(None))
    ) or 0
    return proposals + revocations


def repair_missing_items(ctx: OfficeContext, session: Session) -> dict:
    """Give every queued proposal that has none its outbox item (frozen from the row, which is immutable).

    Proposals past QUEUED without an item cannot be repaired honestly (what Dinsos holds is not
    known here): they are counted, not touched.
    """
    now = ctx.clock()
    repaired = []
    for row in _without_item(session, (workflow.State.QUEUED,)):
        _insert_item(session, row, now)
        repaired.append(row.id)
    later = len(_without_item(session, AFTER_QUEUE))
    return {"repaired": len(repaired), "proposals": repaired, "later_without_item": later}


def repair_text(count: int) -> str:
    """What the unlock repaired, in words for the person at the screen."""
    return _("{n} queued proposal(s) had no entry in the outbox (an error of an earlier version) and would "
             "never have been sent. They were repaired and go with the next batch.").format(n=count)


def run_pending_repairs(ctx: OfficeContext) -> int | None:
    """Run the outbox repair a migration asked for: all in one transaction, audited; how many were repaired.

    None when no repair was pending (the usual unlock).
    """
    with ctx.transaction() as session:
        request = session.get(DataRepair, REPAIR_OUTBOX)
        if request is None or request.done_at is not None:
            return None
        result = repair_missing_items(ctx, session)
        request.done_at, request.result = ctx.clock(), {k: v for k, v in result.items() if k != "proposals"}
        if result["repaired"] or session.scalar(select(func.count()).select_from(ProposalRow)):
            ctx.audit(session, "outbox.repair", "outbox", None, **result)
    if result["repaired"]:
        log.warning("outbox repair: %d queued proposals had no outbox item; created", result["repaired"])
    return result["repaired"]


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


def _audit_head_item(session: Session) -> list[BatchItem]:
    """The audit log's head as it stands, signed into the batch: Dinsos keeps it, so rewriting any
    entry up to it shows at `usulkan audit verify` (docs/trust-model.md, "Audit history")."""
    head = audit.head(session)
    if head is None:
        return []
    return [BatchItem.create(item_id=str(uuid.uuid4()), item_type=AUDIT_HEAD_ITEM,
                             payload=chain.head_payload(*head))]


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
        # One place in every batch is the audit head's.
        per_batch = MAX_ITEMS - 1
        groups = [regular[i : i + per_batch] for i in range(0, len(regular), per_batch)]
        if sptjm:
            groups.append(sptjm[:per_batch])
        now = office_keys.now_seconds(ctx)
        made = []
        for group in groups:
            items = [_batch_item(session, entry) for entry in group] + _audit_head_item(session)
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


@dataclass(frozen=True)
class SignedLine:
    """One item of a batch waiting for the Lurah, read from the operator-signed bytes themselves."""

    item_type: str
    tracking_code: str | None
    kind: str | None
    route: str | None
    head_name: str | None  # the household's head (or first member): the name the Lurah recognises
    kk_number: str | None
    address: str | None
    members: int


@dataclass(frozen=True)
class AwaitingBatch:
    batch_id: str
    sequence: int
    operator_name: str
    lines: tuple[SignedLine, ...]
    signed_hash: str  # of the operator-signed bytes shown: the approval covers these, not a later swap


def _line(item: BatchItem) -> SignedLine:
    payload = item.payload if isinstance(item.payload, dict) else {}
    household = payload.get("household") if isinstance(payload.get("household"), dict) else {}
    members = [m for m in household.get("members") or [] if isinstance(m, dict)]
    head = next((m for m in members if m.get("relationship") == "kepala_keluarga"), members[0] if members else {})
    return SignedLine(
        item_type=item.item_type, tracking_code=payload.get("tracking_code"), kind=payload.get("kind"),
        route=item.route, head_name=head.get("name"), kk_number=household.get("kk_number"),
        address=household.get("address"), members=len(members),
    )


def awaiting_countersignature(ctx: OfficeContext) -> list[AwaitingBatch]:
    """The batches waiting for the Lurah, with what each holds as the operator signed it.

    Read from the signed bytes, not from the proposals' rows: what the Lurah sees is exactly
    what the countersignature will cover.
    """
    with ctx.reading() as session:
        rows = session.scalars(select(OutboxBatch).where(OutboxBatch.state == AWAITING)
                               .order_by(OutboxBatch.sequence)).all()
        found = []
        for row in rows:
            signed = PartlySignedBatch.from_bytes(row.signed)
            found.append(AwaitingBatch(row.batch_id, row.sequence, signed.operator_certificate.name,
                                       # The audit head is the batch's bookkeeping, not a household to vouch for.
                                       tuple(_line(item) for item in signed.items
                                             if item.item_type != AUDIT_HEAD_ITEM), sha256_hex(row.signed)))
        return found


def countersign_subject(batches: list[AwaitingBatch]) -> str:
    """What the Lurah's approval names: exactly these batches, each with the hash of its signed content."""
    return ",".join(f"{b.batch_id}:{b.signed_hash}" for b in sorted(batches, key=lambda b: b.sequence))


def countersign_pending(ctx: OfficeContext, confirmation, shown: list[AwaitingBatch]) -> list[str]:
    """The Lurah countersigns the batches she was shown (SPTJM); each is then sealed and ready.

    ``confirmation`` approves ``Purpose.COUNTERSIGN`` for ``countersign_subject(shown)``; if the
    batches waiting are no longer exactly those (one was added or released meanwhile), nothing
    is signed and the Lurah looks again.
    """
    expected = {b.batch_id: b.signed_hash for b in shown}

    def unchanged(session) -> list[OutboxBatch]:
        waiting = session.scalars(select(OutboxBatch).where(OutboxBatch.state == AWAITING)
                                  .order_by(OutboxBatch.sequence)).all()
        if {b.batch_id: sha256_hex(b.signed) for b in waiting} != expected:
            raise BatchesChanged()
        return waiting

    with ctx.reading() as session:
        if not unchanged(session):
            return []
    lurah_ctx = lurah.require(ctx, confirmation, lurah.Purpose.COUNTERSIGN, countersign_subject(shown))
    with lurah_ctx.transaction() as session:
        waiting = unchanged(session)
        signer = office_keys.authority_signer(lurah_ctx, session)
        done = []
        for batch_row in waiting:
            # countersign() re-checks the operator's signature: nothing altered in the outbox gets vouched for.
            signed = PartlySignedBatch.from_bytes(batch_row.signed).countersign(signer)
            _complete(session, batch_row, signed)
            lurah_ctx.audit(session, "outbox.countersign", "batch", batch_row.batch_id, sequence=batch_row.sequence,
                            items=len(signed.items), totp=confirmation.with_totp)
            done.append(batch_row.batch_id)
        return done


class BatchesChanged(UsulkanError):
    template = N_("The batches waiting for the Lurah changed while the list was open.")
    hint = N_("Nothing was signed. Open the list again, check it, and countersign what is shown then.")


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
