"""Enrolment needs the Lurah and their passphrase; revocation is signed, shuts the person out and re-keys."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.services import keys as office_keys
from app.services import lurah as lurah_service
from app.services import operators
from app.services.office import open_office
from app.storage.engine import WrongKey, connect
from app.storage.vault import UnknownOperator, Vault, WrongPassphrase
from app.sync.certificates import verify_revocation
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

NEW_PASS = "sandi operator baru"


def test_an_operator_cannot_enrol(office, fast_kdf):
    # Without the Lurah's approval, or with the operator's own passphrase in its place: nothing.
    with pytest.raises(lurah_service.ConfirmationRefused):
        operators.enrol_operator(office, name="Citra", role="operator", passphrase=NEW_PASS,
                                 confirmation=None, kdf=fast_kdf)
    with pytest.raises(WrongPassphrase):
        factories.approve(office, "enrol", passphrase=OPERATOR_PASS)
    assert [name for _, name in office.vault.operators()] == ["Bapak Lurah", "Ani Operator"]


def test_a_wrong_lurah_passphrase_cannot_enrol(lurah, fast_kdf):
    with pytest.raises(WrongPassphrase):
        operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase="bukan sandi lurah"), kdf=fast_kdf)
    assert [name for _, name in lurah.vault.operators()] == ["Bapak Lurah", "Ani Operator"]


def test_the_lurah_enrols_and_certifies(linked, lurah, fast_kdf, created_office):
    enrolled = operators.enrol_operator(lurah, name="Citra", role="field_staff", passphrase=NEW_PASS,
                                        confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), valid_days=20, kdf=fast_kdf)
    assert enrolled.certificate.role == "field_staff" and enrolled.certificate.name == "Citra"
    ctx = open_office(created_office[0], enrolled.operator_id, NEW_PASS)
    ctx.close()
    expiring = operators.certificates_expiring(lurah, within_days=30)
    assert [c.operator_id for c in expiring] == [enrolled.operator_id]
    assert operators.certificates_expiring(lurah, within_days=10) == []


def test_enrolment_before_linking_waits_for_the_certificate(lurah, fast_kdf):
    enrolled = operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                        confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    assert enrolled.certificate is None
    with pytest.raises(operators.UnknownRole):
        operators.enrol_operator(lurah, name="Dodi", role="lurah", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)


def test_revocation_is_signed_shuts_out_and_rekeys(linked, lurah, created_office, tmp_path):
    folder, created = created_office
    a_id = linked.operator_id
    old_copy = tmp_path / "old-copy"
    old_copy.mkdir()
    shutil.copy(folder / "vault.json", old_copy / "vault.json")  # A keeps a copy of the vault
    old_name = Vault.load(folder).database_path.name
    linked.close()  # A's session ends: a re-key needs every connection closed

    result = operators.revoke_operator(lurah, a_id, reason="Kontrak selesai", confirmation=factories.approve(lurah, "revoke", a_id))
    [revocation] = result.revocations
    verify_revocation(revocation, office_keys.ensure_authority_key(lurah))
    assert revocation.operator_id == a_id and result.effective_after_sequence == 0
    assert operators.pending_revocations(lurah) == [revocation]

    with pytest.raises((WrongPassphrase, UnknownOperator)):
        open_office(folder, a_id, OPERATOR_PASS)
    new_db = Vault.load(folder).database_path
    shutil.copy(new_db, old_copy / old_name)
    stale_key = Vault.load(old_copy).unlock_operator(a_id, OPERATOR_PASS)
    with pytest.raises(WrongKey):
        connect(new_db, stale_key)
    # The Lurah's session carries on with the new key.
    assert operators.certificates_expiring(lurah, within_days=400) == []


def test_only_the_lurah_revokes_and_not_themselves(office, lurah):
    with pytest.raises(lurah_service.ConfirmationRefused):
        operators.revoke_operator(office, office.operator_id, reason="x", confirmation=None)
    with pytest.raises(WrongPassphrase):
        factories.approve(office, "revoke", office.operator_id, passphrase=OPERATOR_PASS)
    with pytest.raises(operators.CannotRevokeSelf):
        operators.revoke_operator(lurah, lurah.operator_id, reason="x", confirmation=factories.approve(lurah, "revoke", lurah.operator_id))
    with pytest.raises(operators.RevocationReasonMissing):
        operators.revoke_operator(lurah, office.operator_id, reason=" ", confirmation=factories.approve(lurah, "revoke", office.operator_id))


def test_expired_certificates_are_flagged(linked, lurah):
    later = lurah.clock() + timedelta(days=400)
    lurah.clock = lambda: later
    [warning] = operators.certificates_expiring(lurah)
    assert warning.operator_id == linked.operator_id and warning.expired


def test_a_revocation_stopped_by_an_open_session_can_be_repeated(linked, lurah, created_office):
    from app.storage.vault import DatabaseInUse

    a_id = linked.operator_id
    with pytest.raises(DatabaseInUse):
        operators.revoke_operator(lurah, a_id, reason="Kontrak selesai", confirmation=factories.approve(lurah, "revoke", a_id))  # A is still signed in
    linked.close()
    result = operators.revoke_operator(lurah, a_id, reason="Kontrak selesai", confirmation=factories.approve(lurah, "revoke", a_id))
    # The statement signed by the first attempt stands; no second one for the same certificate.
    assert result.revocations == tuple(operators.pending_revocations(lurah)) and len(result.revocations) == 1
    with pytest.raises(UnknownOperator):
        open_office(created_office[0], a_id, OPERATOR_PASS)
