"""Enrolment killed at every step leaves no new slot, or a complete and certified one (issue #10).

Before, a kill between the vault write and the database commit left a keyslot whose passphrase
yielded the data key with no person behind it: it could not be revoked and still received the
new data key after a re-key.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import operators
from app.services.office import list_operators, open_office
from app.storage.models import Operator
from app.storage.sync_models import Certificate
from app.storage.vault import UnknownOperator, Vault
from tests.conftest import LURAH_PASS
from tests.storage.childproc import ROOT, child_env

HELPER = Path(__file__).with_name("crash_enrol.py")
CITRA_PASS = "citra menyiram bunga setiap pagi"
STEPS = ["before_write:1", "after_write:1", "slot_written", "database_committed", "before_write:2",
         "after_write:2", "slot_completed", "none"]


def _enrol_in_child(folder: Path, lurah_id: str, step: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HELPER), str(folder), lurah_id, step], input=LURAH_PASS + "\n",
                          capture_output=True, text=True, env=child_env(), cwd=ROOT, timeout=120)


@pytest.mark.parametrize("step", STEPS)
def test_enrolment_killed_at_each_step_leaves_no_slot_or_a_certified_one(linked, lurah, created_office, step):
    folder, created = created_office
    linked.close()
    lurah.close()
    before = {op for op, _name in list_operators(folder)}
    done = _enrol_in_child(folder, created.lurah_id, step)
    killed = done.returncode != 0
    assert killed == (step != "none"), done.stderr

    # Whatever the kill left, a pending slot's passphrase opens nothing, not even before cleanup.
    vault = Vault.load(folder)
    for _slot_id, operator_id in vault.pending_slots():
        with pytest.raises(UnknownOperator):
            vault.unlock_operator(operator_id, CITRA_PASS)

    # The next opening of the office (by anyone) finishes the job one way or the other.
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        assert ctx.vault.pending_slots() == []
        new = {op for op, _name in list_operators(folder)} - before
        with ctx.reading() as session:
            people = session.scalars(select(Operator).where(Operator.name == "Citra", Operator.active.is_(True))).all()
            if not new:
                assert people == [], f"a record without a slot after a kill at {step}"
                return
            [citra_id] = new
            assert [p.id for p in people] == [citra_id]
            assert session.scalars(select(Certificate).where(Certificate.operator_id == citra_id)).first() is not None
    finally:
        ctx.close()
    citra = open_office(folder, citra_id, CITRA_PASS)
    try:
        from app.services import keys as office_keys

        with citra.reading() as session:
            cert = office_keys.certificate_in(citra, session)
            assert office_keys.signer_in(citra, session).public_key_bytes == cert.public_key
    finally:
        citra.close()
    # A kill after the database commit must complete, never lose, the person.
    if step in ("database_committed", "before_write:2", "after_write:2", "slot_completed", "none"):
        assert new


def test_a_rekey_gives_nothing_to_a_slot_an_enrolment_left_pending(linked, lurah, created_office):
    folder, created = created_office
    linked.close()
    lurah.close()
    assert _enrol_in_child(folder, created.lurah_id, "slot_written").returncode != 0
    vault = Vault.load(folder)
    [(slot_id, citra_id)] = vault.pending_slots()
    key = vault.unlock_operator(created.lurah_id, LURAH_PASS)
    vault.rekey(key)
    assert Vault.load(folder).pending_slots() == []
    with pytest.raises(UnknownOperator):
        Vault.load(folder).unlock_operator(citra_id, CITRA_PASS)
