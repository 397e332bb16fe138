"""The server's append-only, hash-chained audit log: who did what to which batch, item or office.

Links are made and checked by the chain shared with the office (``app.sync.chain``, RFC 8785);
entries written before migration 0002 keep their old hash (scheme 1) and are checked with it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.server.models import AuditEntry, AuditHead
from app.sync import chain

GENESIS_HASH = chain.GENESIS_HASH
ENTRY_FORMAT = "usulkan-server-audit-entry"
LEGACY, LINKED = 1, 2


def link_fields(seq: int, at: datetime, actor: str, action: str, subject: str | None, detail: str, prev: str) -> dict:
    return {"format": ENTRY_FORMAT, "seq": seq, "at": at.isoformat(), "actor": actor, "action": action,
            "subject": subject, "detail": detail, "prev_hash": prev}


def link_hash(seq: int, at: datetime, actor: str, action: str, subject: str | None, detail: str, prev: str) -> str:
    return chain.link_hash(link_fields(seq, at, actor, action, subject, detail, prev))


def entry_hash(seq: int, at: datetime, actor: str, action: str, subject: str | None, detail: str, prev: str) -> str:
    """The scheme-1 hash, for entries written before migration 0002."""
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
    digest = link_hash(seq, at, actor, action, subject, text, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, subject=subject, detail=text, prev_hash=head.hash,
                       hash=digest, scheme=LINKED)
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


def _links(session: Session, page: int = 5000):
    last = 0
    while True:
        rows = session.execute(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq)
                               .limit(page)).scalars().all()
        if not rows:
            return
        for e in rows:
            make = entry_hash if e.scheme == LEGACY else link_hash
            yield chain.Link(e.seq, e.prev_hash, e.hash, make(e.seq, e.at, e.actor, e.action, e.subject, e.detail,
                                                              e.prev_hash))
            last = e.seq
        session.expunge_all()


def verify_report(session: Session) -> chain.ChainReport:
    """Every break of the chain, with its entry number (``usulkan-server audit verify``)."""
    head = session.get(AuditHead, 1)
    return chain.walk(_links(session), head=(head.seq, head.hash) if head is not None else None)


def verify_chain(session: Session) -> int:
    """Re-hash every link; return the count, or raise ValueError at the first broken one."""
    report = verify_report(session)
    if report.problems:
        first = report.problems[0]
        raise ValueError(f"audit chain broken at {first.seq} ({first.kind})")
    return report.entries
