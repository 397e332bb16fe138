"""The append-only, hash-chained audit log of the office database.

Entries written since migration 0009 (``scheme`` 2) are links of the shared chain
(``app.sync.chain``: RFC 8785 bytes, SHA-256) and carry the acting person's Ed25519 signature
over those bytes with the id of the key that made it. Older entries (``scheme`` 1) keep the hash
they were written with; the chain runs on through them unchanged, they are simply unsigned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.models import AuditEntry, AuditHead
from app.sync import chain
from app.sync.keys import key_id as key_id_of
from app.sync.keys import verify_ed25519

GENESIS_HASH = chain.GENESIS_HASH
ENTRY_FORMAT = "usulkan-audit-entry"
LEGACY, SIGNED = 1, 2
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
    """The scheme-1 hash (entries written before migration 0009): kept only to check them."""
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


def _plain_detail(value: Any) -> Any:
    """Detail as the chain can sign it: a decimal number becomes its text (RFC 8785 has one
    spelling for integers only), so the stored detail is exactly what was hashed."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): _plain_detail(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_detail(v) for v in value]
    return value


def link_fields(entry: AuditEntry | Mapping[str, Any]) -> dict[str, Any]:
    """The scheme-2 link of an entry: what is hashed and signed."""
    get = entry.get if isinstance(entry, Mapping) else lambda name: getattr(entry, name)
    return {
        "format": ENTRY_FORMAT,
        "seq": get("seq"),
        "at": get("at").isoformat(timespec="microseconds"),
        "operator_id": get("operator_id"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": get("entity_id"),
        "detail": get("detail"),
        "prev_hash": get("prev_hash"),
        "key_id": get("key_id"),
    }


def append(
    session: Session,
    *,
    at: datetime,
    operator_id: str | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
    signer=None,
) -> AuditEntry:
    """Add the next link in the caller's transaction (which also moves the head).

    ``signer`` is the acting person's key (``keys.Signer``); None only for entries no person
    makes (operator_id None).
    """
    head = session.get(AuditHead, 1)
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    fields = dict(
        seq=seq,
        at=at,
        operator_id=operator_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=_plain_detail(detail or {}),
        prev_hash=prev_hash,
        key_id=key_id_of(signer.public_key_bytes) if signer is not None else None,
    )
    data = chain.link_bytes(link_fields(fields))
    digest = hashlib.sha256(data).hexdigest()
    entry = AuditEntry(**fields, scheme=SIGNED, hash=digest,
                       signature=signer.sign(data) if signer is not None else None)
    session.add(entry)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, hash=digest))
    else:
        head.seq, head.hash = seq, digest
    return entry


AuditProblem = chain.ChainProblem
AuditReport = chain.ChainReport


def head(session: Session) -> tuple[int, str] | None:
    row = session.get(AuditHead, 1)
    return (row.seq, row.hash) if row is not None else None


def _links(session: Session, keys: Mapping[str, tuple[str, bytes]], counter: list[int], batch: int):
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        for entry in rows:
            if entry.scheme == LEGACY:
                counter[0] += 1
                recomputed = entry_hash(**{name: getattr(entry, name) for name in HASHED_FIELDS})
                yield chain.Link(entry.seq, entry.prev_hash, entry.hash, recomputed)
            else:
                data = chain.link_bytes(link_fields(entry))
                recomputed = hashlib.sha256(data).hexdigest()
                if entry.operator_id is None and entry.key_id is None and entry.signature is None:
                    yield chain.Link(entry.seq, entry.prev_hash, entry.hash, recomputed)
                elif entry.signature is None or entry.key_id is None:
                    yield chain.Link(entry.seq, entry.prev_hash, entry.hash, recomputed, unsigned=True)
                else:
                    owner, public = keys.get(entry.key_id, (None, None))
                    ok = (public is not None and owner == entry.operator_id
                          and verify_ed25519(public, entry.signature, data))
                    yield chain.Link(entry.seq, entry.prev_hash, entry.hash, recomputed, signature_ok=ok)
            last_seq = entry.seq
        session.expunge_all()


def verify(session: Session, *, keys: Mapping[str, tuple[str, bytes]] | None = None,
           sent_heads: Iterable[chain.Head] = (), batch: int = 5000) -> AuditReport:
    """Walk the whole chain: an edited entry breaks its own hash, a deleted one the sequence
    or the next link, a cut-off tail the head; a re-chained rewrite breaks the signatures of the
    entries it re-linked and loses a head Dinsos holds (``sent_heads``).

    ``keys`` maps key id -> (owner operator id, Ed25519 public key): every key the office ever
    made for a person (a rewritten entry signed with some other key fails).
    """
    stored_head = head(session)
    counter = [0]
    report = chain.walk(_links(session, keys or {}, counter, batch), head=stored_head, sent_heads=sent_heads)
    return AuditReport(report.entries, report.problems, head_seq=report.head_seq,
                       heads_checked=report.heads_checked, legacy_entries=counter[0])
