"""With an authenticator app enrolled, every authority step needs a fresh code, and guessing codes is throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.services import handover, handover_report, operators, outbox, provisioning, totp
from app.services.office import open_office
from app.storage.models import AuditEntry
from app.storage.sync_models import OutboxBatch
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS
from tests.fakes.sync_world import queue_ready


@pytest.fixture
def chief(created_office, office):
    """The Lurah's own session, her clock standing still until a test moves it."""
    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    yield ctx
    ctx.close()


def freeze(*contexts):
    moment = [contexts[0].clock().replace(microsecond=0)]
    for ctx in contexts:
        ctx.clock = lambda: moment[0]
    return moment


def enrol_app(ctx, moment) -> bytes:
    pending = totp.start_enrolment(ctx)
    totp.confirm_enrolment(ctx, pending, totp.code_at(pending.secret, moment[0]))
    moment[0] += timedelta(seconds=30)
    return pending.secret


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_revocation_is_refused_without_the_code_and_nothing_changes(chief, office, created_office):
    folder = created_office[0]
    moment = freeze(chief, office)
    secret = enrol_app(chief, moment)
    leaver = office.operator_id
    office.close()
    with pytest.raises(totp.TotpCodeMissing):
        operators.revoke_operator(chief, leaver, reason="Kontrak selesai",
                                  confirmation=factories.approve(chief, "revoke", leaver))
    with pytest.raises(totp.TotpCodeWrong):
        factories.approve(chief, "revoke", leaver, totp_code=wrong(totp.code_at(secret, moment[0])))
    open_office(folder, leaver, OPERATOR_PASS).close()  # still in: nothing was revoked
    result = operators.revoke_operator(chief, leaver, reason="Kontrak selesai", confirmation=factories.approve(
        chief, "revoke", leaver, totp_code=totp.code_at(secret, moment[0])))
    assert result.operator_id == leaver
    with chief.reading() as session:
        verified = session.scalars(select(AuditEntry).where(AuditEntry.action == "totp.verify")).all()
    assert [entry.detail["purpose"] for entry in verified] == ["revoke"]


def test_countersigning_is_refused_without_the_code(linked, chief):
    queue_ready(linked, 1, route="sptjm")  # the SPTJM recorded before the app was enrolled
    outbox.build_batches(linked)
    moment = freeze(chief)
    secret = enrol_app(chief, moment)
    with pytest.raises(totp.TotpCodeMissing):
        factories.countersign_all(chief)
    with pytest.raises(totp.TotpCodeMissing):  # nor at an operator's desk with the Lurah's passphrase
        factories.countersign_all(linked)
    with chief.reading() as session:
        assert session.scalars(select(OutboxBatch.state)).all() == ["awaiting_countersignature"]
    assert len(factories.countersign_all(chief, totp_code=totp.code_at(secret, moment[0]))) == 1


def test_linking_is_refused_without_the_code(chief, office, dinsos):
    moment = freeze(chief)
    secret = enrol_app(chief, moment)
    with pytest.raises(totp.TotpCodeMissing):
        provisioning.link_office(chief, dinsos.document(), dinsos, confirmation=factories.approve(chief, "link"))
    assert dinsos.authority is None  # the server never heard of it
    provisioning.link_office(chief, dinsos.document(), dinsos, confirmation=factories.approve(
        chief, "link", totp_code=totp.code_at(secret, moment[0])))
    assert dinsos.authority is not None


def test_the_sptjm_and_endorsing_need_the_code_too(chief, office, created_office):
    from tests.fakes.sync_world import waiting_for_sptjm

    pid, doc = waiting_for_sptjm(office)
    report = handover.move_all_open_work(chief, office.operator_id, chief.operator_id)
    record_id = handover_report.record_handover(chief, report)
    moment = freeze(chief, office)
    secret = enrol_app(chief, moment)
    with pytest.raises(totp.TotpCodeMissing):
        factories.record_sptjm(office, pid, doc, LURAH_PASS)
    with pytest.raises(totp.TotpCodeMissing):
        handover_report.countersign(chief, record_id, factories.approve(chief, "endorse", record_id))
    assert not handover_report.verify_record(chief, record_id).lurah_signed
    factories.record_sptjm(office, pid, doc, LURAH_PASS, totp.code_at(secret, moment[0]))
    moment[0] += timedelta(seconds=30)
    signed = handover_report.countersign(chief, record_id, factories.approve(
        chief, "endorse", record_id, totp_code=totp.code_at(secret, moment[0])))
    assert signed.lurah_signed


def test_wrong_codes_are_throttled_across_sessions_even_with_the_right_code(chief, created_office):
    folder, created = created_office
    moment = freeze(chief)
    secret = enrol_app(chief, moment)
    good = totp.code_at(secret, moment[0])
    for _ in range(totp.FREE_ATTEMPTS):
        with pytest.raises(totp.TotpCodeWrong):
            factories.approve(chief, "revoke", "x", totp_code=wrong(good))
    with pytest.raises(totp.TotpThrottled) as throttled:
        factories.approve(chief, "revoke", "x", totp_code=good)
    assert throttled.value.retry_after_seconds == 1
    assert "detik" in throttled.value.message()

    # A new session (or a restart) does not reset the count: it is in the database.
    again = open_office(folder, created.lurah_id, LURAH_PASS)
    try:
        again.clock = lambda: moment[0]
        with pytest.raises(totp.TotpThrottled):
            factories.approve(again, "revoke", "x", totp_code=good)
    finally:
        again.close()

    moment[0] += timedelta(seconds=1)
    with pytest.raises(totp.TotpCodeWrong):  # the fourth wrong code doubles the wait
        factories.approve(chief, "revoke", "x", totp_code=wrong(good))
    moment[0] += timedelta(seconds=1)
    with pytest.raises(totp.TotpThrottled) as throttled:
        factories.approve(chief, "revoke", "x", totp_code=good)
    assert throttled.value.retry_after_seconds == 1
    moment[0] += timedelta(seconds=1)
    approval = factories.approve(chief, "revoke", "x", totp_code=good)
    assert approval.with_totp
    # Accepted: the count starts again from zero.
    moment[0] += timedelta(seconds=30)
    with pytest.raises(totp.TotpCodeWrong):
        factories.approve(chief, "revoke", "x", totp_code=wrong(totp.code_at(secret, moment[0])))
    assert factories.approve(chief, "revoke", "x", totp_code=totp.code_at(secret, moment[0])).with_totp


def test_a_wait_is_capped_and_a_clock_set_back_does_not_lock_the_lurah_out(chief):
    moment = freeze(chief)
    secret = enrol_app(chief, moment)
    for _ in range(30):
        moment[0] += timedelta(seconds=totp.MAX_WAIT_SECONDS)
        with pytest.raises(totp.TotpCodeWrong):
            factories.approve(chief, "revoke", "x", totp_code="000000" if totp.code_at(secret, moment[0]) != "000000"
                              else "111111")
    with pytest.raises(totp.TotpThrottled) as throttled:
        factories.approve(chief, "revoke", "x", totp_code=totp.code_at(secret, moment[0]))
    assert throttled.value.retry_after_seconds == totp.MAX_WAIT_SECONDS
    moment[0] -= timedelta(days=1)  # the PC's clock is set back a day
    with pytest.raises(totp.TotpThrottled) as throttled:
        factories.approve(chief, "revoke", "x", totp_code=totp.code_at(secret, moment[0]))
    assert throttled.value.retry_after_seconds == totp.MAX_WAIT_SECONDS
    moment[0] += timedelta(seconds=totp.MAX_WAIT_SECONDS)
    # The wait is over: the code is checked again (this one is older than the last accepted step).
    with pytest.raises(totp.TotpCodeReused):
        factories.approve(chief, "revoke", "x", totp_code=totp.code_at(secret, moment[0]))


def test_a_locked_out_guesser_learns_nothing_about_the_passphrase(chief):
    """While codes are throttled the passphrase is not even tried: no oracle for it either."""
    moment = freeze(chief)
    secret = enrol_app(chief, moment)
    for _ in range(totp.FREE_ATTEMPTS):
        with pytest.raises(totp.TotpCodeWrong):
            factories.approve(chief, "revoke", "x", totp_code=wrong(totp.code_at(secret, moment[0])))
    with pytest.raises(totp.TotpThrottled):
        factories.approve(chief, "revoke", "x", passphrase="bukan sandi lurah", totp_code="123456")
    # The wrong passphrase was never tried: the keyslot's own failure count did not move.
    from app.storage.vault import Vault

    slot = Vault.load(chief.folder)._state.find(lambda s: s.operator_id == chief.operator_id)
    assert slot.failures == 0


def test_a_lost_phone_is_removed_with_the_passphrase_and_the_recovery_code(chief, created_office):
    from app.services import lurah
    from app.storage.recovery_code import InvalidRecoveryCode
    from app.storage.vault import WrongPassphrase, WrongRecoveryCode

    recovery = created_office[1].recovery_code
    moment = freeze(chief)
    enrol_app(chief, moment)
    with pytest.raises(WrongPassphrase):
        lurah.confirm_lost_phone(chief, "bukan sandi lurah", recovery)
    other = "0" * 27
    with pytest.raises((InvalidRecoveryCode, WrongRecoveryCode)):
        lurah.confirm_lost_phone(chief, LURAH_PASS, other)
    approval = lurah.confirm_lost_phone(chief, LURAH_PASS, recovery)
    with pytest.raises(lurah.ConfirmationRefused):  # it approves removing the app, nothing else
        operators.revoke_operator(chief, created_office[1].operator_id, reason="x", confirmation=approval)
    approval = lurah.confirm_lost_phone(chief, LURAH_PASS, recovery)
    lurah.remove_totp(chief, approval)
    assert not totp.is_enrolled(chief)
