"""THE verification path for a sealed batch, shared by HTTP and USB import: open, verify, store, receipt."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.server import audit
from app.server.context import ServerContext
from app.server.duplicates import niks_of, record_and_flag
from app.sync import chain
from app.server.errors import BatchConflict, BodyTooLarge, HeaderMismatch, ItemConflict, OfficeNotBound, UnknownOffice
from app.server.models import Batch, FormerAuthority, HeldBatch, Item, ItemDocument, Office, OfficeAuditHead, StoredRevocation
from app.server.document_refs import document_rows

# Batch items that carry the office's audit head (app/services/outbox.py); kept, not reviewed.
AUDIT_HEAD_ITEM = "audit_head"
from app.sync.batch import PartlySignedBatch, VerifiedBatch, verify_batch
from app.sync.canonical import sha256_hex
from app.sync.certificates import AuthorityRotation, Revocation, verify_authority_rotation, verify_revocation
from app.sync.envelope import open_envelope, read_header
from app.sync.documents import DocumentRefused
from app.sync.errors import BatchRejected, FormatInvalid, RevocationInvalid
from app.sync.keys import fingerprint
from app.sync.receipt import receipt_for

log = logging.getLogger(__name__)

ACCEPTED, DUPLICATE, HELD = "accepted", "duplicate", "held"
ROTATION = "authority_rotation"  # the old authority key hands over to a new one (docs/batch-format.md)
# Item types whose payload is a proposal the staff review (a revocation is applied, not reviewed).
REVIEWED_TYPES = frozenset({"proposal", "complaint"})
INITIAL_STATE = "received"


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # accepted | duplicate (same bytes again) | held (gap)
    batch_id: str
    office_id: str
    sequence: int
    receipt: bytes | None = None  # signed receipt JSON; None when held
    expected_sequence: int | None = None  # when held: the batch the office must send first
    applied_from_hold: tuple[str, ...] = ()  # held batches this one unblocked
    duplicates: int = 0
    items: int = 0
    extra: dict = field(default_factory=dict)


def ingest(ctx: ServerContext, sealed: bytes, *, source: str = "http") -> IngestResult:
    """Verify and store one sealed batch; raise a typed error (BatchRejected, Envelope*, Server*) otherwise.

    Idempotent: the same batch again returns the stored receipt and adds nothing.
    """
    if len(sealed) > ctx.settings.max_body_bytes:
        raise BodyTooLarge()
    header = read_header(sealed)  # frame and header checks only: cheap, before any decryption
    plain = open_envelope(sealed, ctx.keys.x25519)
    digest = sha256_hex(plain)
    now = ctx.now()
    try:
        with ctx.transaction() as session:
            office = session.execute(
                select(Office).where(Office.id == header.office_id).with_for_update()
            ).scalar_one_or_none()
            if office is None:
                raise UnknownOffice()
            if office.authority_public_key is None:
                raise OfficeNotBound()
            known = _known(session, header.batch_id, digest)
            if known is not None:
                return known
            try:
                verified = _verify(session, office, plain, now)
            except BatchRejected as err:
                if err.reason != "gap":
                    raise
                return _hold(session, office, header, sealed, plain, digest, now, source)
            _check_header(header, verified.batch)
            result = _apply(ctx, session, office, verified, sealed, now, source)
            applied = _drain_held(ctx, session, office, now)
    except IntegrityError as err:
        # Unique item ids across batches: one reused in another batch must not overwrite anything.
        raise ItemConflict() from err
    log.info("batch accepted: office=%s seq=%d items=%d via %s", office.id, result.sequence, result.items, source)
    return IngestResult(**{**result.__dict__, "applied_from_hold": applied})


def _known(session: Session, batch_id: str, digest: str) -> IngestResult | None:
    row = session.execute(
        select(Batch.batch_hash, Batch.receipt, Batch.office_id, Batch.sequence).where(Batch.batch_id == batch_id)
    ).first()
    if row is not None:
        if row.batch_hash != digest:
            raise BatchConflict()
        return IngestResult(DUPLICATE, batch_id, row.office_id, row.sequence, receipt=row.receipt)
    held = session.execute(
        select(HeldBatch.batch_hash, HeldBatch.office_id, HeldBatch.sequence).where(HeldBatch.batch_id == batch_id)
    ).first()
    if held is not None:
        if held.batch_hash != digest:
            raise BatchConflict()
        office = session.get(Office, held.office_id)
        return IngestResult(HELD, batch_id, held.office_id, held.sequence, expected_sequence=office.last_sequence + 1)
    return None


def _revocations(session: Session, office_id: str) -> list[Revocation]:
    records = session.execute(select(StoredRevocation.record).where(StoredRevocation.office_id == office_id)).scalars()
    return [Revocation.from_bytes(record) for record in records]


def _rotation_in(office: Office, plain: bytes) -> AuthorityRotation | None:
    """The authority hand-over a batch carries, checked against the key the office has now.

    From that batch on, certificates and countersignatures chain to the new key; the old one
    (which may have stood in clear in old copies of the office) signs nothing accepted after it.
    """
    try:
        batch = PartlySignedBatch.from_bytes(plain)
    except Exception:  # noqa: BLE001 - verify_batch reports the format error with its reason
        return None
    found = [item for item in batch.items if item.item_type == ROTATION]
    if not found:
        return None
    if len(found) > 1:
        raise BatchRejected("bad_authority_rotation")
    try:
        rotation = AuthorityRotation.from_dict(found[0].payload)
        verify_authority_rotation(rotation, office.authority_public_key)
    except (RevocationInvalid, FormatInvalid) as err:
        raise BatchRejected("bad_authority_rotation") from err
    if rotation.office_id != office.id:
        raise BatchRejected("bad_authority_rotation")
    if rotation.effective_after_sequence > office.last_sequence:
        # Batches up to the boundary are still to come: hold this one until they are in.
        raise BatchRejected("gap", sequence=batch.sequence, expected=office.last_sequence + 1)
    if rotation.effective_after_sequence != batch.sequence - 1:
        raise BatchRejected("bad_authority_rotation")
    return rotation


def _verify(session: Session, office: Office, plain: bytes, now: datetime) -> VerifiedBatch:
    rotation = _rotation_in(office, plain)

    def accepted_hash_at(sequence: int) -> str | None:
        return session.execute(
            select(Batch.batch_hash).where(Batch.office_id == office.id, Batch.sequence == sequence)
        ).scalar_one_or_none()

    return verify_batch(
        plain,
        authority_public_key=rotation.new_public_key if rotation is not None else office.authority_public_key,
        now=now,
        revocations=_revocations(session, office.id),
        expected_sequence=office.last_sequence + 1,
        expected_prev_hash=office.last_batch_hash,
        accepted_hash_at=accepted_hash_at,
    )


def _check_header(header, batch: PartlySignedBatch) -> None:
    # The clear header routed the file; it must name the batch inside, or a relabelled file slips by.
    if header.batch_id != batch.batch_id or header.office_id != batch.office_id:
        raise HeaderMismatch()


def _hold(session, office, header, sealed, plain, digest, now, source) -> IngestResult:
    """Everything but the sequence checked out (gap is the last check): keep it for later."""
    batch = PartlySignedBatch.from_bytes(plain)
    _check_header(header, batch)
    clash = session.execute(
        select(HeldBatch.id).where(HeldBatch.office_id == office.id, HeldBatch.sequence == batch.sequence)
    ).first()
    if clash is not None:
        raise BatchConflict()
    session.add(
        HeldBatch(batch_id=batch.batch_id, office_id=office.id, sequence=batch.sequence, batch_hash=digest,
                  received_at=now, raw=sealed)
    )
    audit.append(session, at=now, actor=f"office:{office.id}", action="batch_held", subject=batch.batch_id,
                 detail={"sequence": batch.sequence, "expected": office.last_sequence + 1, "source": source})
    log.info("batch held (gap): office=%s seq=%d expected=%d", office.id, batch.sequence, office.last_sequence + 1)
    return IngestResult(HELD, batch.batch_id, office.id, batch.sequence, expected_sequence=office.last_sequence + 1)


def _apply(ctx, session, office, verified: VerifiedBatch, sealed: bytes, now, source) -> IngestResult:
    batch = verified.batch
    rows, nik_pairs, base_ids = [], [], []
    authority_before = office.authority_public_key
    for item in batch.items:
        if item.item_type == ROTATION:
            rotation = AuthorityRotation.from_dict(item.payload)  # checked by _verify
            # The old key stays on record for the batches up to the boundary (app/server/rebind.py).
            session.add(FormerAuthority(office_id=office.id, public_key=rotation.old_public_key,
                                        until_sequence=rotation.effective_after_sequence,
                                        replaced_by=rotation.new_public_key, how="rotation", replaced_at=now))
            office.authority_public_key = rotation.new_public_key
            audit.append(session, at=now, actor=f"office:{office.id}", action="authority_rotated",
                         subject=rotation.rotation_id,
                         detail={"old": fingerprint(rotation.old_public_key), "new": fingerprint(rotation.new_public_key),
                                 "effective_after_sequence": rotation.effective_after_sequence})
            continue
        if item.item_type == "revocation":
            # Signed by the key in force before this batch or by its successor named in it.
            _store_revocation(session, office, item.payload, now, also=authority_before)
            continue
        if item.item_type == AUDIT_HEAD_ITEM:
            head = chain.read_head_payload(item.payload)
            if head is not None:
                _store_audit_head(session, office, batch, head, now)
            continue
        payload = item.payload
        kind = payload.get("kind")
        tracking = payload.get("tracking_code")
        rows.append({
            "item_id": item.item_id, "batch_id": batch.batch_id, "office_id": office.id,
            "item_type": item.item_type, "version": item.version, "base_id": item.base_id, "route": item.route,
            "kind": kind if isinstance(kind, str) and len(kind) <= 16 else None,
            "tracking_code": tracking if isinstance(tracking, str) and len(tracking) <= 64 else None,
            # payload_bytes are the canonical bytes the hash was checked over: stored exactly as signed.
            "payload": item.payload_bytes.decode("utf-8"), "payload_hash": item.payload_hash,
            "state": INITIAL_STATE, "received_at": now, "updated_at": now,
        })
        if item.item_type == "proposal":
            nik_pairs.extend((item.item_id, nik) for nik in niks_of(payload))
        if item.base_id:
            base_ids.append(item.base_id)
    # Every item's document list checked (caps, format) before anything is written.
    documents = document_rows(session, office.id, batch.items, [row["item_id"] for row in rows], now)
    accepted = [row["item_id"] for row in rows] + [i.item_id for i in batch.items
                                                   if i.item_type in ("revocation", ROTATION)]
    receipt = receipt_for(ctx.keys.server, verified, received_at=now, accepted_items=_in_order(batch, accepted))
    receipt_bytes = receipt.to_bytes()
    session.add(Batch(batch_id=batch.batch_id, office_id=office.id, sequence=batch.sequence,
                      batch_hash=verified.batch_hash, received_at=now, item_count=len(batch.items), raw=sealed,
                      receipt=receipt_bytes))
    session.flush()
    if base_ids:
        # A new version replaces its base (the office revised a returned or queued item).
        session.execute(
            update(Item).where(Item.item_id.in_(base_ids), Item.office_id == office.id,
                               Item.state.in_(("received", "returned")))
            .values(state="superseded", updated_at=now)
        )
    if rows:
        session.execute(insert(Item), rows)
    if documents:
        session.execute(insert(ItemDocument), documents)
    flags = record_and_flag(session, office.id, nik_pairs, now=now)
    office.last_sequence = batch.sequence
    office.last_batch_hash = verified.batch_hash
    audit.append(session, at=now, actor=f"office:{office.id}", action="batch_accepted", subject=batch.batch_id,
                 detail={"sequence": batch.sequence, "items": len(batch.items), "duplicates": flags, "source": source})
    return IngestResult(ACCEPTED, batch.batch_id, office.id, batch.sequence, receipt=receipt_bytes,
                        duplicates=flags, items=len(batch.items))


def _store_audit_head(session, office, batch, head: tuple[int, str], now) -> None:
    """Keep the office's audit head; a head *behind* an earlier one means the office's log was cut
    back (or put back from a copy): not a reason to refuse its proposals, but Dinsos's log says so."""
    before = session.execute(
        select(OfficeAuditHead.seq).where(OfficeAuditHead.office_id == office.id)
        .order_by(OfficeAuditHead.batch_sequence.desc()).limit(1)
    ).scalar_one_or_none()
    if before is not None and head[0] < before:
        audit.append(session, at=now, actor=f"office:{office.id}", action="office_audit_regressed",
                     subject=batch.batch_id, detail={"sequence": batch.sequence, "head_seq": head[0], "before": before})
        log.warning("office %s sent audit head %d after %d: its audit log went backwards", office.id, head[0], before)
    session.add(OfficeAuditHead(batch_id=batch.batch_id, office_id=office.id, batch_sequence=batch.sequence,
                                seq=head[0], hash=head[1], received_at=now))


def _in_order(batch: PartlySignedBatch, accepted: Sequence[str]) -> list[str]:
    wanted = set(accepted)
    return [item.item_id for item in batch.items if item.item_id in wanted]


def _store_revocation(session: Session, office: Office, payload: dict, now: datetime, also: bytes | None = None) -> None:
    revocation = Revocation.from_dict(payload)
    try:
        verify_revocation(revocation, office.authority_public_key)
    except RevocationInvalid:
        if also is None or also == office.authority_public_key:
            raise
        verify_revocation(revocation, also)
    if revocation.office_id != office.id:
        raise RevocationInvalid()
    session.add(StoredRevocation(office_id=office.id, cert_id=revocation.cert_id,
                                 effective_after_sequence=revocation.effective_after_sequence,
                                 record=revocation.to_bytes(), received_at=now))
    session.flush()  # the next held batch verified in this transaction must see it


def _drain_held(ctx: ServerContext, session: Session, office: Office, now: datetime) -> tuple[str, ...]:
    """Apply held batches that now follow in order; one that fails is dropped (the office resends)."""
    applied: list[str] = []
    while True:
        held = session.execute(
            select(HeldBatch).where(HeldBatch.office_id == office.id, HeldBatch.sequence == office.last_sequence + 1)
        ).scalar_one_or_none()
        if held is None:
            return tuple(applied)
        raw, batch_id = held.raw, held.batch_id
        session.execute(delete(HeldBatch).where(HeldBatch.id == held.id))
        try:
            with session.begin_nested():
                plain = open_envelope(raw, ctx.keys.x25519)
                verified = _verify(session, office, plain, now)
                _check_header(read_header(raw), verified.batch)
                _apply(ctx, session, office, verified, raw, now, "held")
        except (BatchRejected, DocumentRefused, RevocationInvalid, HeaderMismatch, IntegrityError) as err:
            session.refresh(office)
            reason = getattr(err, "reason", "item_conflict")
            audit.append(session, at=now, actor="server", action="held_batch_dropped", subject=batch_id,
                         detail={"reason": reason})
            log.warning("held batch dropped: office=%s reason=%s", office.id, reason)
            return tuple(applied)
        applied.append(batch_id)
