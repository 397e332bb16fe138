"""A history nobody can rewrite unseen: every way of rewriting the audit log before the last batch.

The office works, one batch reaches Dinsos (it carries the audit head; the receipt is signed by
the server key), and then someone who can open the office rewrites the log with the data key, as
the issue's insider did: delete the "viewed a person's data" entry and re-chain the hashes.
`usulkan audit verify` must report it, with the entry number.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.clock import utcnow
from app.services import keys as office_keys
from app.services import outbox, proposals, sync
from app.services.audit_log import verify_audit
from app.storage import audit
from app.storage.models import AuditEntry, AuditHead
from app.storage.sync_models import OutboxBatch, SigningKey
from app.sync import chain, keys
from tests.fakes.sync_world import queue_ready


def _prepare(office, lurah_ctx, dinsos_fake) -> dict:
    """Work, a view of a person's data, a Lurah entry, one delivered batch, then more work."""
    [first] = queue_ready(office, 71)
    proposals.get_proposal(office, first)  # audited: proposal.view
    with office.reading() as session:
        viewed = session.scalars(select(AuditEntry.seq).where(AuditEntry.action == "proposal.view")).one()
    verify_audit(lurah_ctx)  # an entry by the Lurah, after the view
    outbox.build_batches(office)
    assert sync.send_pending(office, dinsos_fake, now=utcnow()).delivered
    with office.reading() as session:
        row = session.scalars(select(OutboxBatch)).one()
        [head_item] = [i for i in json.loads(row.signed)["items"] if i["item_type"] == "audit_head"]
    queue_ready(office, 72)  # after the last batch: the window docs/trust-model.md names
    return {"viewed": viewed, "sent_seq": head_item["payload"]["seq"]}


def _rechain(ctx, *, drop: set[int] = frozenset(), sign_as=None) -> None:
    """Renumber and re-link every entry after dropping ``drop``, re-signing as ``sign_as(entry)``."""
    with ctx.engine.begin() as conn:
        for seq in drop:
            conn.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": seq})
    from sqlalchemy.orm import Session

    with Session(ctx.engine) as session, session.begin():
        key_rows = {keys.key_id(r.public_key): r for r in session.scalars(select(SigningKey))}
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        rows = [{c.name: getattr(e, c.name) for c in AuditEntry.__table__.columns} for e in entries]
        session.expunge_all()
        session.execute(text("DELETE FROM audit_entry"))
        prev = chain.GENESIS_HASH
        for number, row in enumerate(rows, start=1):
            row["seq"], row["prev_hash"] = number, prev
            if row["scheme"] == audit.SIGNED:
                signer = sign_as(row, key_rows) if sign_as else None
                if signer is not None:
                    row["key_id"] = keys.key_id(signer.public_key_bytes)
                data = chain.link_bytes(audit.link_fields(row))
                row["hash"] = chain.link_hash(audit.link_fields(row))
                if signer is not None:
                    row["signature"] = signer.sign(data)
            else:
                row["hash"] = audit.entry_hash(**{k: row[k] for k in audit.HASHED_FIELDS})
            prev = row["hash"]
            session.add(AuditEntry(**row))
        head = session.get(AuditHead, 1)
        head.seq, head.hash = len(rows), prev


def _every_key(*sessions):
    """The worst case: someone who holds every person's key (every passphrase, or an office copy from
    before keys were sealed) signs as anybody. Here: each person's key opened in their own session."""
    signers = {}
    for ctx in sessions:
        with ctx.reading() as session:
            signers[ctx.operator_id] = office_keys.person_signer_in(ctx, session)
    return lambda row, key_rows: signers.get(row["operator_id"])


def _kinds(report) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for p in report.problems:
        out.setdefault(p.kind, []).append(p.seq)
    return out


def test_an_untouched_log_with_a_sent_batch_verifies(linked, lurah, dinsos):
    facts = _prepare(linked, lurah, dinsos)
    report = verify_audit(linked)
    assert report.ok, report.problems
    assert report.heads_checked == 1 and report.head_seq > facts["sent_seq"]


def test_deleting_the_view_entry_is_reported_with_its_number(linked, lurah, dinsos):
    facts = _prepare(linked, lurah, dinsos)
    with linked.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": facts["viewed"]})
    assert _kinds(verify_audit(linked))["missing"] == [facts["viewed"]]


def test_editing_an_entry_is_reported_with_its_number(linked, lurah, dinsos):
    facts = _prepare(linked, lurah, dinsos)
    with linked.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET action = 'proposal.list' WHERE seq = :s"), {"s": facts["viewed"]})
    assert _kinds(verify_audit(linked))["edited"] == [facts["viewed"]]


def test_deleting_and_rechaining_with_only_ones_own_key_breaks_the_next_persons_signature(linked, lurah, dinsos):
    """Once private keys open only for their owner, an operator can re-sign only their own entries."""
    facts = _prepare(linked, lurah, dinsos)
    with linked.reading() as session:  # the operator's own key, opened in their own session
        own = office_keys.person_signer_in(linked, session)
    _rechain(linked, drop={facts["viewed"]},
             sign_as=lambda row, key_rows: own if row["operator_id"] == linked.operator_id else None)
    kinds = _kinds(verify_audit(linked))
    # The first entry after the deleted one that is not the operator's own (the Lurah's) is reported,
    # and the head Dinsos receipted is gone.
    assert kinds["bad_signature"][0] >= facts["viewed"] and kinds["bad_signature"][0] < facts["sent_seq"]
    assert kinds["sent_head_gone"] == [facts["sent_seq"]]


def test_deleting_and_rechaining_with_every_key_is_caught_by_the_head_dinsos_holds(linked, lurah, dinsos):
    """Today's worst case (keys readable in the database): every signature redone, every hash
    recomputed. The head the batch carried to Dinsos no longer matches: reported at its number."""
    facts = _prepare(linked, lurah, dinsos)
    _rechain(linked, drop={facts["viewed"]}, sign_as=_every_key(linked, lurah))
    report = verify_audit(linked)
    assert [(p.seq, p.kind, p.batch_sequence) for p in report.problems] == [(facts["sent_seq"], "sent_head_gone", 1)]


def test_editing_and_rechaining_is_caught_by_the_head_dinsos_holds(linked, lurah, dinsos):
    facts = _prepare(linked, lurah, dinsos)
    with linked.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = NULL WHERE seq = :s"), {"s": facts["viewed"]})
    _rechain(linked, sign_as=_every_key(linked, lurah))
    assert _kinds(verify_audit(linked)) == {"sent_head_gone": [facts["sent_seq"]]}


def test_cutting_the_log_back_before_the_last_batch_is_reported(linked, lurah, dinsos):
    facts = _prepare(linked, lurah, dinsos)
    keep = facts["viewed"] - 1
    with linked.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq > :s"), {"s": keep})
        last = conn.execute(text("SELECT hash FROM audit_entry WHERE seq = :s"), {"s": keep}).scalar_one()
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": keep, "h": last})
    assert _kinds(verify_audit(linked)) == {"sent_head_gone": [facts["sent_seq"]]}


def test_altering_the_evidence_of_the_sent_batch_is_reported(linked, lurah, dinsos):
    _prepare(linked, lurah, dinsos)
    with linked.engine.begin() as conn:
        row = conn.execute(text("SELECT batch_id, signed FROM outbox_batch")).one()
        forged = row.signed.replace(b'"audit_head"', b'"audit_hexd"')
        conn.execute(text("UPDATE outbox_batch SET signed = :s WHERE batch_id = :b"), {"s": forged, "b": row.batch_id})
    report = verify_audit(linked)
    assert [(p.kind, p.batch_sequence) for p in report.problems] == [("receipt_damaged", 1)]


def test_the_command_line_names_the_entry(linked, lurah, dinsos, capsys):
    from app.cli.audit import PROBLEMS
    from app.i18n import _

    facts = _prepare(linked, lurah, dinsos)
    _rechain(linked, drop={facts["viewed"]}, sign_as=_every_key(linked, lurah))
    [problem] = verify_audit(linked).problems
    line = _(PROBLEMS[problem.kind]).format(seq=problem.seq, batch=problem.batch_sequence)
    assert str(facts["sent_seq"]) in line and "1" in line


def test_deleting_the_sent_batches_hides_nothing_from_the_online_check(linked, lurah, dinsos):
    """Thin the evidence first (delete the delivered batch rows), then rewrite with every key:
    the stored receipts are gone, but Dinsos's signed list of heads still names the entry."""
    facts = _prepare(linked, lurah, dinsos)
    with linked.engine.begin() as conn:
        conn.execute(text("UPDATE outbox_item SET batch_id = NULL"))
        conn.execute(text("DELETE FROM outbox_batch"))
    _rechain(linked, drop={facts["viewed"]}, sign_as=_every_key(linked, lurah))
    assert verify_audit(linked).ok  # offline, nothing is left to compare with: the window reopened
    report = verify_audit(linked, dinsos)
    assert [(p.seq, p.kind, p.batch_sequence) for p in report.problems] == [(facts["sent_seq"], "sent_head_gone", 1)]


def test_a_forged_list_of_heads_is_refused(linked, lurah, dinsos):
    from app.sync.audit_heads import AuditHeadsInvalid

    _prepare(linked, lurah, dinsos)
    dinsos.server = keys.generate_ed25519()  # someone else signs the list
    with pytest.raises(AuditHeadsInvalid):
        verify_audit(linked, dinsos)
