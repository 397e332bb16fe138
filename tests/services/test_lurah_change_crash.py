"""Ganti Lurah killed at every step: either the old Lurah still holds the office, or the new one does, whole.

Never both, never neither: the new Lurah's passphrase opens the office only once she holds the
authority key, and then the old Lurah's opens no session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import keys as office_keys
from app.services.office import OperatorInactive, list_operators, open_office
from app.storage.models import Operator
from app.storage.vault import UnknownOperator
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.storage.childproc import ROOT, child_env

HELPER = Path(__file__).with_name("crash_lurah_change.py")
NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"
STEPS = ["slot_written", "database_committed", "slot_completed", "recovery_written", "none"]


@pytest.mark.parametrize("step", STEPS)
def test_a_change_killed_at_each_step_leaves_one_whole_lurah(linked, lurah, created_office, step):
    folder, created = created_office
    old_key = office_keys.ensure_authority_key(lurah)
    linked.close()
    lurah.close()
    done = subprocess.run([sys.executable, str(HELPER), str(folder), created.lurah_id, step],
                          input=LURAH_PASS + "\n", capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          timeout=120)
    assert (done.returncode != 0) == (step != "none"), done.stderr

    # The next opening (by the operator, who is always there) finishes what the kill left.
    operator = open_office(folder, created.operator_id, OPERATOR_PASS)
    with operator.reading() as session:
        lurahs = session.scalars(select(Operator).where(Operator.role == "lurah", Operator.active.is_(True))).all()
    operator.close()
    assert len(lurahs) == 1
    names = dict(list_operators(folder))
    if lurahs[0].id == created.lurah_id:  # the change did not happen
        assert step == "slot_written" and "Ibu Lurah Baru" not in names.values()
        old = open_office(folder, created.lurah_id, LURAH_PASS)
        try:
            assert office_keys.ensure_authority_key(old) == old_key
        finally:
            old.close()
        return
    new = open_office(folder, lurahs[0].id, NEW_PASS)
    try:
        with new.reading() as session:
            office_keys.authority_signer(new, session)  # she holds the new key
        assert office_keys.ensure_authority_key(new) != old_key
    finally:
        new.close()
    with pytest.raises((UnknownOperator, OperatorInactive)):
        open_office(folder, created.lurah_id, LURAH_PASS)
