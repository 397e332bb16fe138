"""Every stored batch verified again, each against the authority key of its time (``usulkan-server audit batches``).

After a rotation or a re-bind the office has a new authority key; the batches it sent before the
boundary were signed under the old one and must keep verifying: the evidence Dinsos keeps does
not depend on who the Lurah is today. Each stored envelope is opened with the server's key and
checked in full (certificate, operator signature, countersignature, chain to the batch before)
against ``rebind.authority_at`` its sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.server.context import ServerContext
from app.server.models import Batch, Office, StoredRevocation
from app.server.rebind import authority_at
from app.sync.batch import PartlySignedBatch, verify_batch
from app.sync.canonical import ZERO_HASH
from app.sync.certificates import AuthorityRotation, Revocation
from app.sync.envelope import open_envelope
from app.sync.errors import BatchRejected, EnvelopeError

ROTATION = "authority_rotation"


@dataclass(frozen=True)
class BatchProblem:
    office_id: str
    sequence: int
    reason: str


@dataclass
class BatchReport:
    batches: int = 0
    problems: list[BatchProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_stored_batches(ctx: ServerContext, office_id: str | None = None) -> BatchReport:
    report = BatchReport()
    with ctx.reading() as session:
        offices = session.scalars(select(Office).where(Office.id == office_id) if office_id else select(Office)).all()
        for office in offices:
            revocations = [Revocation.from_bytes(r) for r in session.scalars(
                select(StoredRevocation.record).where(StoredRevocation.office_id == office.id))]
            prev = ZERO_HASH
            for row in session.scalars(select(Batch).where(Batch.office_id == office.id).order_by(Batch.sequence)):
                report.batches += 1
                try:
                    plain = open_envelope(row.raw, ctx.keys.x25519)
                    key = _rotated_to(plain) or authority_at(session, office, row.sequence)
                    verified = verify_batch(plain, authority_public_key=key, now=row.received_at,
                                            revocations=revocations, expected_sequence=row.sequence,
                                            expected_prev_hash=prev)
                    if verified.batch_hash != row.batch_hash:
                        raise BatchRejected("prev_hash_mismatch")
                    prev = verified.batch_hash
                except (BatchRejected, EnvelopeError) as err:
                    report.problems.append(BatchProblem(office.id, row.sequence, getattr(err, "reason", "damaged")))
                    prev = row.batch_hash
    return report


def _rotated_to(plain: bytes) -> bytes | None:
    """The batch that carries a rotation is signed under the key it hands over to (as at ingest)."""
    batch = PartlySignedBatch.from_bytes(plain)
    for item in batch.items:
        if item.item_type == ROTATION:
            return AuthorityRotation.from_dict(item.payload).new_public_key
    return None
