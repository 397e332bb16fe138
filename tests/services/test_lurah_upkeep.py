"""After a change of Lurah: the old Lurah's kept keyslot removed, and the recovery code renewed on its own.

Hostile first: an operator, an approval for another step, an active person's slot, a database
still open elsewhere change nothing. Then the real outcome: the old slot (and the data key it
held) opens nothing written afterwards; the old recovery code opens nothing, the new one opens
the office and the Lurah's authority key.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.services import keys as office_keys
from app.services import lurah, lurah_handover, lurah_upkeep
from app.services.office import OperatorInactive, open_office, open_office_with_recovery
from app.storage.engine import WrongKey, make_engine
from app.storage.lurah_models import LurahChange
from app.storage.models import AuditEntry
from app.storage.sync_models import AUTHORITY_OWNER, SealedKey
from app.storage.vault import DatabaseInUse, UnknownOperator, WrongRecoveryCode
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def _opens(vault, key: bytes) -> bool:
    try:
        engine = make_engine(vault.database_path, key)
        with engine.connect() as connection:
            connection.execute(text("select count(*) from operator")).scalar()
    except WrongKey:
        return False
    engine.dispose()
    return True


@pytest.fixture
def kept(chief, office, created_office, fast_kdf):
    """A change of Lurah while the operator's window had the database open: the old slot is kept."""
    folder, created = created_office
    done = lurah_handover.change_lurah(chief, confirmation=factories.approve(chief, "rotate", lurah_handover.SUBJECT),
                                       new_name="Ibu Lurah Baru", passphrase=NEW_PASS, kdf=fast_kdf)
    chief.close()
    new = open_office(folder, done.new_lurah_id, NEW_PASS)
    yield folder, created, new, done
    new.close()


def test_the_kept_slot_is_listed_and_nobody_but_the_lurah_removes_it(kept, office):
    folder, created, new, _done = kept
    assert [(s.operator_id, s.name) for s in lurah_upkeep.kept_slots(new)] == [(created.lurah_id, "Bapak Lurah")]
    with pytest.raises(OperatorInactive):
        open_office(folder, created.lurah_id, LURAH_PASS)  # inactive already, but her slot still holds the key
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_upkeep.remove_old_slot(office, created.lurah_id, confirmation=None)
    wrong_step = factories.approve(new, "rotate", created.lurah_id, passphrase=NEW_PASS)
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_upkeep.remove_old_slot(new, created.lurah_id, confirmation=wrong_step)
    # The old Lurah's passphrase approves nothing any more.
    with pytest.raises(Exception):
        factories.approve(new, "remove_slot", created.lurah_id, passphrase=LURAH_PASS)
    with pytest.raises(lurah_upkeep.SlotOfActivePerson):
        lurah_upkeep.remove_old_slot(new, created.operator_id, confirmation=factories.approve(
            new, "remove_slot", created.operator_id, passphrase=NEW_PASS))
    # The operator's window is still open: nothing can be re-keyed, nothing changes.
    with pytest.raises(DatabaseInUse):
        lurah_upkeep.remove_old_slot(new, created.lurah_id, confirmation=factories.approve(
            new, "remove_slot", created.lurah_id, passphrase=NEW_PASS))
    assert new.vault.has_operator(created.lurah_id)
    with new.reading() as session:
        assert "lurah.old_slot_removed" not in session.scalars(select(AuditEntry.action)).all()


def test_removing_the_kept_slot_leaves_it_opening_nothing(kept, office):
    folder, created, new, _done = kept
    old_key = new.vault.unlock_operator(created.lurah_id, LURAH_PASS)  # what a copy of her slot yields
    assert _opens(new.vault, old_key)
    office.close()  # the operator closes her window
    lurah_upkeep.remove_old_slot(new, created.lurah_id, confirmation=factories.approve(
        new, "remove_slot", created.lurah_id, passphrase=NEW_PASS))
    assert lurah_upkeep.kept_slots(new) == [] and not new.vault.has_operator(created.lurah_id)
    assert not _opens(new.vault, old_key)  # the database moved to a new key
    with pytest.raises(UnknownOperator):
        open_office(folder, created.lurah_id, LURAH_PASS)
    with new.reading() as session:
        assert "lurah.old_slot_removed" in session.scalars(select(AuditEntry.action)).all()
        slot_ids = set(session.scalars(select(SealedKey.slot_id)).all())
        assert all(state == "done" for state in session.scalars(select(LurahChange.state)))
    assert new.vault.operator_slot(created.operator_id)[0] in slot_ids
    # Everyone else carries on: the session that removed it, the operator, the new Lurah's key.
    with new.reading() as session:
        office_keys.authority_signer(new, session)
    again = open_office(folder, created.operator_id, OPERATOR_PASS)
    again.close()
    with pytest.raises(lurah_upkeep.NoKeptSlot):
        lurah_upkeep.remove_old_slot(new, created.lurah_id, confirmation=factories.approve(
            new, "remove_slot", created.lurah_id, passphrase=NEW_PASS))


def test_renewing_the_recovery_code_alone(chief, office, created_office, fast_kdf):
    folder, created = created_office
    old_code = created.recovery_code
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_upkeep.renew_recovery_code(office, confirmation=None, kdf=fast_kdf)
    with pytest.raises(lurah.ConfirmationRefused):
        lurah_upkeep.renew_recovery_code(chief, confirmation=factories.approve(chief, "rotate", "recovery"),
                                         kdf=fast_kdf)
    open_office_with_recovery(folder, old_code).close()  # nothing changed so far
    old_key = chief.vault.unlock_recovery(old_code)
    office.close()
    done = lurah_upkeep.renew_recovery_code(chief, confirmation=factories.approve(chief, "recovery", "recovery"),
                                            kdf=fast_kdf)
    assert done.rekeyed and done.recovery_code != old_code
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, old_code)
    assert not _opens(chief.vault, old_key)  # an older vault.json with the old code opens nothing written now
    recovered = open_office_with_recovery(folder, done.recovery_code)
    try:
        with recovered.reading() as session:
            office_keys.authority_signer(recovered, session)  # the authority key is sealed to the new slot
            recovery_slot = recovered.vault.recovery_slot()[0]
            seals = session.scalars(select(SealedKey.slot_id).where(SealedKey.owner == AUTHORITY_OWNER)).all()
            assert recovery_slot in seals and len(seals) == 2  # the Lurah's own slot and the new recovery slot
            assert "lurah.recovery_renewed" in session.scalars(select(AuditEntry.action)).all()
    finally:
        recovered.close()
    with chief.reading() as session:  # the Lurah's own session carries on, on the new key
        office_keys.authority_signer(chief, session)
    open_office(folder, created.operator_id, OPERATOR_PASS).close()


def test_renewing_with_another_window_open_still_retires_the_old_code(chief, office, created_office, fast_kdf):
    folder, created = created_office
    done = lurah_upkeep.renew_recovery_code(chief, confirmation=factories.approve(chief, "recovery", "recovery"),
                                            kdf=fast_kdf)
    assert not done.rekeyed
    with pytest.raises(WrongRecoveryCode):
        open_office_with_recovery(folder, created.recovery_code)
    open_office_with_recovery(folder, done.recovery_code).close()
    with office.reading() as session:  # the other window is not disturbed
        assert "lurah.recovery_rekey_deferred" in session.scalars(select(AuditEntry.action)).all()
