"""The audit chain detects an edited entry, a deleted one and a cut-off tail, and says where."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.storage import audit, migrate
from app.storage.engine import make_engine
from app.sync import chain, keys

PERSON = keys.Ed25519Signer(keys.generate_ed25519())
KEYS = {keys.key_id(PERSON.public_key_bytes): ("op-1", PERSON.public_key_bytes)}


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(tmp_path / "office.db", secrets.token_bytes(32))
    migrate.upgrade(engine)
    with Session(engine) as session, session.begin():
        start = datetime(2026, 11, 1, 8, 0)
        for index in range(10):
            audit.append(
                session,
                at=start + timedelta(minutes=index),
                operator_id="op-1",
                action="proposal.create",
                entity_type="proposal",
                entity_id=f"p-{index}",
                detail={"n": index},
                signer=PERSON,
            )
    yield engine
    engine.dispose()


def verify(engine):
    with Session(engine) as session:
        return audit.verify(session, keys=KEYS, batch=3)  # small pages exercise the paging


def tamper(engine, sql):
    with engine.begin() as conn:
        conn.execute(text(sql))


def test_an_untouched_chain_verifies(engine):
    report = verify(engine)
    assert report.ok and report.entries == 10


def test_an_edited_entry_is_found(engine):
    tamper(engine, "UPDATE audit_entry SET detail = '{\"n\": 99}' WHERE seq = 4")
    assert verify(engine).problems == (audit.AuditProblem(seq=4, kind="edited"),)


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(engine):
    with Session(engine) as session, session.begin():
        entry = session.get(audit.AuditEntry, 4)
        entry.operator_id = "someone-else"
        entry.hash = chain.link_hash(audit.link_fields(entry))
    # Its signature was over the old content; the next entry still names the old hash.
    assert verify(engine).problems == (audit.AuditProblem(seq=4, kind="bad_signature"),
                                       audit.AuditProblem(seq=5, kind="broken_link"))


def test_a_deleted_entry_is_found(engine):
    tamper(engine, "DELETE FROM audit_entry WHERE seq = 6")
    assert verify(engine).problems == (audit.AuditProblem(seq=6, kind="missing"),)


def test_a_cut_off_tail_is_found(engine):
    tamper(engine, "DELETE FROM audit_entry WHERE seq >= 9")
    assert verify(engine).problems == (audit.AuditProblem(seq=10, kind="tail_missing"),)


def test_appending_continues_the_chain(engine):
    with Session(engine) as session, session.begin():
        entry = audit.append(session, at=datetime(2026, 11, 2), operator_id=None, action="x", entity_type="y")
        assert entry.seq == 11
    assert verify(engine).ok
