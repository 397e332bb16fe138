"""The hash-chain mechanics shared by the office's and the server's audit logs (RFC 8785 links).

A link is a JSON object holding at least ``seq`` (1, 2, 3, …) and ``prev_hash`` (the previous
link's hash, 64 zeros for the first). Its hash is SHA-256 of its RFC 8785 bytes
(``app.sync.canonical``), so both chains, in Python or any other language, hash one value one
way. A signature, when there is one, is Ed25519 over those same bytes and is not part of them.

``walk`` checks a chain link by link and reports every break with its entry number; the callers
only say how to recompute a link and check its signature (the office and the server store their
entries differently). ``chain_heads`` is what a batch carries: the head at a moment, which the
server keeps, so a later rewrite of anything up to it is seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex

GENESIS_HASH = ZERO_HASH
HEAD_FORMAT = "usulkan-audit-head"

# Problem kinds, in the words `audit verify` uses (app/cli/audit.py).
MISSING = "missing"              # entries from seq on are gone (the next one has a later number)
BROKEN_LINK = "broken_link"      # prev_hash is not the hash of the entry before
EDITED = "edited"                # the stored hash is not the hash of the entry's content
BAD_SIGNATURE = "bad_signature"  # the signature does not verify with the acting person's key
UNSIGNED = "unsigned"            # an entry of a person that carries no signature
TAIL_MISSING = "tail_missing"    # the head names a later entry than the chain holds
HEAD_MISSING = "head_missing"    # entries but no head record
SENT_HEAD_GONE = "sent_head_gone"  # a head Dinsos receipted is no longer in the chain


def link_bytes(fields: Mapping[str, Any]) -> bytes:
    return canonical_bytes(dict(fields))


def link_hash(fields: Mapping[str, Any]) -> str:
    return sha256_hex(link_bytes(fields))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str
    # For SENT_HEAD_GONE: the batch sequence whose receipt holds that head.
    batch_sequence: int | None = None


@dataclass(frozen=True)
class Link:
    """One stored entry as the walk sees it."""

    seq: int
    prev_hash: str
    stored_hash: str
    recomputed_hash: str
    signature_ok: bool | None = None  # None: nothing to check (legacy or system entry)
    unsigned: bool = False


@dataclass(frozen=True)
class Head:
    """A point of the chain someone else holds: entry ``seq`` had hash ``hash``."""

    seq: int
    hash: str
    batch_sequence: int | None = None


@dataclass(frozen=True)
class ChainReport:
    entries: int
    problems: tuple[ChainProblem, ...]
    head_seq: int = 0
    heads_checked: int = 0
    legacy_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def walk(links: Iterable[Link], *, head: tuple[int, str] | None, sent_heads: Iterable[Head] = (),
         legacy_entries: int = 0) -> ChainReport:
    """Check every link, the stored head, and that every head held elsewhere is still in the chain.

    A rewrite that deletes an entry and re-chains the rest is self-consistent by hashes alone; it
    shows as a signature that no longer verifies (the acting person signed the old link) and as a
    sent head whose entry now has another hash.
    """
    wanted: dict[int, list[Head]] = {}
    for h in sent_heads:
        wanted.setdefault(h.seq, []).append(h)
    problems: list[ChainProblem] = []
    expected_seq, prev, count, last_seq = 1, GENESIS_HASH, 0, 0
    found: dict[int, str] = {}
    for link in links:
        count += 1
        if link.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, MISSING))
        elif link.prev_hash != prev:
            problems.append(ChainProblem(link.seq, BROKEN_LINK))
        if link.recomputed_hash != link.stored_hash:
            problems.append(ChainProblem(link.seq, EDITED))  # its signature fails too: one report
        elif link.unsigned:
            problems.append(ChainProblem(link.seq, UNSIGNED))
        elif link.signature_ok is False:
            problems.append(ChainProblem(link.seq, BAD_SIGNATURE))
        if link.seq in wanted:
            found[link.seq] = link.recomputed_hash
        prev, expected_seq, last_seq = link.stored_hash, link.seq + 1, link.seq
    if head is None:
        if count:
            problems.append(ChainProblem(last_seq, HEAD_MISSING))
    elif head[0] != last_seq or head[1] != prev:
        problems.append(ChainProblem(head[0], TAIL_MISSING))
    for seq, heads in sorted(wanted.items()):
        for h in heads:
            if found.get(seq) != h.hash:
                problems.append(ChainProblem(seq, SENT_HEAD_GONE, h.batch_sequence))
    problems.sort(key=lambda p: (p.seq, p.kind))
    return ChainReport(count, tuple(_dedupe(problems)), head_seq=last_seq,
                       heads_checked=sum(len(v) for v in wanted.values()), legacy_entries=legacy_entries)


def _dedupe(problems: list[ChainProblem]) -> list[ChainProblem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def head_payload(seq: int, digest: str) -> dict[str, Any]:
    """The batch item payload that carries the audit head (item_type ``audit_head``)."""
    return {"format": HEAD_FORMAT, "seq": seq, "hash": digest}


def read_head_payload(payload: Any) -> tuple[int, str] | None:
    """(seq, hash) from an ``audit_head`` item payload, or None when it is not one."""
    if not isinstance(payload, dict) or set(payload) != {"format", "seq", "hash"}:
        return None
    seq, digest = payload["seq"], payload["hash"]
    if payload["format"] != HEAD_FORMAT or type(seq) is not int or seq < 0:
        return None
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    return seq, digest
