"""The append-only, hash-chained audit log of the office database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "at", "operator_id", "action", "entity_type", "entity_id", "detail", "prev_hash")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    operator_id: str | None,
    action: str,
    entity_type: str,
    entity_id: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of every field and the previous link."""
    body = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "operator_id": operator_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    at: datetime,
    operator_id: str | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add the next link in the caller's transaction (which also moves the head)."""
    head = session.get(AuditHead, 1)
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    fields = dict(
        seq=seq,
        at=at,
        operator_id=operator_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail or {},
        prev_hash=prev_hash,
    )
    digest = entry_hash(**fields)
    entry = AuditEntry(**fields, hash=digest)
    session.add(entry)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, hash=digest))
    else:
        head.seq, head.hash = seq, digest
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One break in the chain: where, and what kind (edited, missing, head)."""

    seq: int
    kind: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, batch: int = 5000) -> AuditReport:
    """Walk the whole chain: an edited entry breaks its own hash, a deleted one the sequence
    or the next link, a cut-off tail the head."""
    problems: list[AuditProblem] = []
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                # Entries expected_seq .. entry.seq-1 are gone.
                problems.append(AuditProblem(seq=expected_seq, kind="missing"))
            elif entry.prev_hash != prev_hash:
                problems.append(AuditProblem(seq=entry.seq, kind="broken_link"))
            recomputed = entry_hash(**{name: getattr(entry, name) for name in HASHED_FIELDS})
            if recomputed != entry.hash:
                problems.append(AuditProblem(seq=entry.seq, kind="edited"))
            prev_hash, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None:
        if count:
            problems.append(AuditProblem(seq=last_seq, kind="head_missing"))
    elif head.seq != last_seq or head.hash != prev_hash:
        problems.append(AuditProblem(seq=head.seq, kind="tail_missing"))
    return AuditReport(entries=count, problems=tuple(problems))
