"""Perbarui kode pemulihan killed at every step: the Lurah keeps her key, and a code left unfinished is shown as due.

Before the vault write the old code still works; after it the old code opens nothing. Until the
new code's seal commits the people page says a new code is due (``recovery_due``); the Lurah
renews again and the new code opens the office and her authority key.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import keys as office_keys
from app.services import lurah_upkeep
from app.services.office import open_office, open_office_with_recovery
from app.storage.lurah_models import LurahChange
from app.storage.vault import WrongRecoveryCode
from tests import factories
from tests.conftest import LURAH_PASS
from tests.storage.childproc import ROOT, child_env

HELPER = Path(__file__).with_name("crash_lurah_recovery.py")
STEPS = ["change_recorded", "recovery_written", "recovery_sealed", "none"]


@pytest.mark.parametrize("step", STEPS)
def test_a_renewal_killed_at_each_step_leaves_the_lurah_her_key_and_says_what_is_due(created_office, fast_kdf,
                                                                                     step):
    folder, created = created_office
    done = subprocess.run([sys.executable, str(HELPER), str(folder), created.lurah_id, step],
                          input=LURAH_PASS + "\n", capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          timeout=120)
    assert (done.returncode != 0) == (step != "none"), done.stderr

    if step == "change_recorded":
        open_office_with_recovery(folder, created.recovery_code).close()  # the vault was not touched yet
    else:
        with pytest.raises(WrongRecoveryCode):
            open_office_with_recovery(folder, created.recovery_code)
    chief = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        with chief.reading() as session:
            office_keys.authority_signer(chief, session)  # whatever the kill, her key is hers
        assert lurah_upkeep.recovery_due(chief) == (step in ("change_recorded", "recovery_written"))
        renewed = lurah_upkeep.renew_recovery_code(chief, confirmation=factories.approve(chief, "recovery", "recovery"),
                                                   kdf=fast_kdf)
        assert renewed.rekeyed and not lurah_upkeep.recovery_due(chief)
        with chief.reading() as session:
            assert set(session.scalars(select(LurahChange.state)).all()) == {"done"}
    finally:
        chief.close()
    recovered = open_office_with_recovery(folder, renewed.recovery_code)
    try:
        with recovered.reading() as session:
            office_keys.authority_signer(recovered, session)
    finally:
        recovered.close()
