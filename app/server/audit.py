"""The server's append-only, hash-chained audit log: who did what to which batch, item or office."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.server.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def entry_hash(seq: int, at: datetime, actor: str, action: str, subject: str | None, detail: str, prev: str) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor, action, subject, detail, prev], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session, *, at: datetime, actor: str, action: str, subject: str | None = None, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Add one link. ``detail`` holds ids and counts only: never a NIK, a name or a key."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
        session.add(head)
    text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor, action, subject, text, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, subject=subject, detail=text, prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


def verify_chain(session: Session) -> int:
    """Re-hash every link; return the count, or raise ValueError at the first broken one."""
    prev = GENESIS_HASH
    count = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        count += 1
        if entry.seq != count or entry.prev_hash != prev:
            raise ValueError(f"audit chain broken at {entry.seq}")
        if entry_hash(entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.detail, prev) != entry.hash:
            raise ValueError(f"audit entry {entry.seq} altered")
        prev = entry.hash
    head = session.get(AuditHead, 1)
    if count and (head is None or head.hash != prev):
        raise ValueError("audit head does not match the last entry")
    return count
