"""Lurah lama tidak ada, killed at every step: either the old Lurah still holds the office, or the new one does, whole.

The operator imports Dinsos's signed re-bind answer in a child process that dies (SIGKILL) at each
step. The next opening finishes what the kill left: exactly one active Lurah; before the commit
point the old one with her key (and the same answer still completes the re-bind), after it the new
one holding the key Dinsos registered, while the old Lurah's passphrase opens nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.server.rebind import issue_rebind_code, rebind_from_file
from app.services import keys as office_keys
from app.services import lurah_rebind, lurah_upkeep
from app.services.office import OperatorInactive, open_office, open_office_with_recovery
from app import fsutil
from app.storage.lurah_models import LurahChange
from app.storage.models import Operator
from app.storage.vault import UnknownOperator
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.fakes.rebind import link_and_send, server_state
from tests.storage.childproc import ROOT, child_env

HELPER = Path(__file__).with_name("crash_lurah_rebind.py")
NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"
STEPS = ["slot_written", "database_committed", "slot_completed", "recovery_written", "none"]


def _active_lurahs(folder, operator_id):
    ctx = open_office(folder, operator_id, OPERATOR_PASS)  # finishes what the kill left
    try:
        with ctx.reading() as session:
            return session.scalars(select(Operator).where(Operator.role == "lurah", Operator.active.is_(True))).all()
    finally:
        ctx.close()


@pytest.mark.parametrize("step", STEPS)
def test_a_rebind_killed_at_each_step_leaves_one_whole_lurah(server, chief, created_office, office, tmp_path,
                                                             fast_kdf, step):
    server_ctx, url = server
    folder, created = created_office
    office_id, _transport = link_and_send(server_ctx, url, chief, office)
    old_key = office_keys.ensure_authority_key(chief)
    chief.close()  # the old Lurah is gone
    code, _ = issue_rebind_code(server_ctx, office_id, actor="staff:admin")
    request = lurah_rebind.write_rebind_request_file(office, tmp_path, code, "Ibu Lurah Baru")
    _, answer = rebind_from_file(server_ctx, request.read_bytes())
    answer_path = tmp_path / "answer"
    fsutil.write_atomic(answer_path, answer)
    office.close()

    done = subprocess.run([sys.executable, str(HELPER), str(folder), created.operator_id, str(answer_path), step],
                          input=f"{OPERATOR_PASS}\n{code}\n", capture_output=True, text=True, env=child_env(),
                          cwd=ROOT, timeout=120)
    assert (done.returncode != 0) == (step != "none"), done.stderr

    lurahs = _active_lurahs(folder, created.operator_id)
    assert len(lurahs) == 1
    if lurahs[0].id == created.lurah_id:  # killed before the commit point: nothing changed at the office
        assert step == "slot_written"
        old = open_office(folder, created.lurah_id, LURAH_PASS)
        try:
            assert office_keys.ensure_authority_key(old) == old_key
        finally:
            old.close()
        # The same signed answer, imported again, completes the re-bind.
        again = open_office(folder, created.operator_id, OPERATOR_PASS)
        try:
            lurah_rebind.import_rebind_answer_file(again, answer_path, code, NEW_PASS, fast_kdf)
        finally:
            again.close()
        lurahs = _active_lurahs(folder, created.operator_id)
        assert len(lurahs) == 1 and lurahs[0].id != created.lurah_id
    new = open_office(folder, lurahs[0].id, NEW_PASS)
    try:
        with new.reading() as session:
            office_keys.authority_signer(new, session)  # she holds the new key
        new_key = office_keys.ensure_authority_key(new)
        assert new_key != old_key and server_state(server_ctx, office_id)[0] == new_key
        kept = lurah_upkeep.kept_slots(new)
        # Killed before the old slot went: it is listed, for "Hapus slot lama".
        assert [s.operator_id for s in kept] == ([created.lurah_id] if step in ("database_committed", "slot_completed") else [])
        # Killed before the new recovery code was sealed: the people page says it is due.
        due = step in ("database_committed", "slot_completed", "recovery_written")
        assert lurah_upkeep.recovery_due(new) == due
        # What the kill left, the new Lurah finishes: the slot removed, a new code; the change is done.
        for slot in kept:
            lurah_upkeep.remove_old_slot(new, slot.operator_id, confirmation=factories.approve(
                new, "remove_slot", slot.operator_id, passphrase=NEW_PASS))
        if due:
            renewed = lurah_upkeep.renew_recovery_code(new, confirmation=factories.approve(
                new, "recovery", "recovery", passphrase=NEW_PASS), kdf=fast_kdf)
            assert renewed.rekeyed
            recovered = open_office_with_recovery(folder, renewed.recovery_code)
            try:
                with recovered.reading() as session:
                    office_keys.authority_signer(recovered, session)
            finally:
                recovered.close()
        assert not lurah_upkeep.recovery_due(new) and lurah_upkeep.kept_slots(new) == []
        with new.reading() as session:
            assert set(session.scalars(select(LurahChange.state)).all()) == {"done"}
    finally:
        new.close()
    with pytest.raises((UnknownOperator, OperatorInactive)):
        open_office(folder, created.lurah_id, LURAH_PASS)
