"""The Lurah's TOTP: enrolled only after a correct first code; then enrolment needs a fresh code, once."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from app.services import keys as office_keys
from app.services import lurah as lurah_service
from app.services import operators, people, totp
from app.services.office import open_office
from app.storage.handover_models import LurahTotp
from app.storage.models import AuditEntry, Operator
from app.storage.vault import WrongPassphrase
from tests import factories
from tests.conftest import LURAH_PASS, OPERATOR_PASS

NEW_PASS = "sandi petugas baru"


@pytest.fixture
def frozen(lurah):
    """The Lurah's clock stands still until a test moves it."""
    moment = [lurah.clock().replace(microsecond=0)]
    lurah.clock = lambda: moment[0]
    return moment


def enrolled(lurah) -> bytes:
    pending = totp.start_enrolment(lurah)
    totp.confirm_enrolment(lurah, pending, totp.code_at(pending.secret, lurah.clock()))
    return pending.secret


def names(ctx) -> list[str]:
    with ctx.reading() as session:
        return sorted(session.scalars(select(Operator.name)))


def actions(ctx) -> list[str]:
    with ctx.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_the_secret_is_twenty_bytes_in_an_otpauth_uri(lurah, frozen):
    pending = totp.start_enrolment(lurah)
    assert len(pending.secret) == 20
    uri = urlparse(pending.uri)
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    query = parse_qs(uri.query)
    assert query["issuer"] == ["Usulkan"] and query["digits"] == ["6"] and query["period"] == ["30"]
    assert base64.b32decode(query["secret"][0] + "=" * (-len(query["secret"][0]) % 8)) == pending.secret
    assert pending.text.replace(" ", "") == query["secret"][0]
    assert "secret" not in repr(pending).lower().replace("<secret>", "")
    assert not totp.is_enrolled(lurah)  # nothing stored before the first code


def test_enrolment_needs_a_correct_first_code(lurah, frozen):
    pending = totp.start_enrolment(lurah)
    good = totp.code_at(pending.secret, frozen[0])
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    with pytest.raises(totp.TotpCodeWrong):
        totp.confirm_enrolment(lurah, pending, wrong)
    with pytest.raises(totp.TotpCodeMissing):
        totp.confirm_enrolment(lurah, pending, "  ")
    assert not totp.is_enrolled(lurah)
    totp.confirm_enrolment(lurah, pending, good[:3] + " " + good[3:])  # as the app shows it
    assert totp.is_enrolled(lurah)
    assert "totp.enrol_refused" in actions(lurah) and actions(lurah)[-1] == "totp.enrol"
    with pytest.raises(totp.TotpAlreadyEnrolled):
        totp.start_enrolment(lurah)


def test_only_the_lurah_enrols(office):
    with pytest.raises(office_keys.LurahOnly):
        totp.start_enrolment(office)


def test_codes_one_step_either_side_are_accepted_once(lurah, frozen):
    secret = enrolled(lurah)
    frozen[0] += timedelta(minutes=5)
    # The phone is a step behind: accepted.
    assert totp.verify(lurah, totp.code_at(secret, frozen[0] - timedelta(seconds=30)))
    # The same code again (and any older one) is refused as replayed, not as wrong.
    with pytest.raises(totp.TotpCodeReused):
        totp.verify(lurah, totp.code_at(secret, frozen[0] - timedelta(seconds=30)))
    assert totp.verify(lurah, totp.code_at(secret, frozen[0]))
    assert totp.verify(lurah, totp.code_at(secret, frozen[0] + timedelta(seconds=30)))  # phone a step ahead
    with pytest.raises(totp.TotpCodeWrong):  # two steps away: outside the window
        totp.verify(lurah, totp.code_at(secret, frozen[0] + timedelta(seconds=90)))
    with pytest.raises(totp.TotpCodeWrong):
        totp.verify(lurah, "12345")
    assert "totp.refused" in actions(lurah)


def test_verify_without_enrolment_asks_nothing(lurah):
    assert totp.verify(lurah, None) is False


def test_enrol_operator_requires_a_fresh_code_when_enrolled(lurah, frozen, fast_kdf, created_office):
    secret = enrolled(lurah)
    before = names(lurah)
    slots = lurah.vault.operators()
    frozen[0] += timedelta(minutes=1)

    def enrol(code):
        return operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                        confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS, totp_code=code), kdf=fast_kdf)

    with pytest.raises(totp.TotpCodeMissing):
        enrol(None)
    good = totp.code_at(secret, frozen[0])
    with pytest.raises(totp.TotpCodeWrong) as wrong:
        enrol(f"{(int(good) + 7) % 1_000_000:06d}")
    assert "kode" in wrong.value.message().lower()  # explained in Indonesian
    assert names(lurah) == before and lurah.vault.operators() == slots

    enrolment = enrol(good)
    open_office(created_office[0], enrolment.operator_id, NEW_PASS).close()

    # Replayed for a second person: refused, and nothing of that person exists.
    with pytest.raises(totp.TotpCodeReused):
        operators.enrol_operator(lurah, name="Dodi", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS, totp_code=good), kdf=fast_kdf)
    assert "Dodi" not in names(lurah)
    assert "Dodi" not in [n for _, n in lurah.vault.operators()]


def test_a_wrong_lurah_passphrase_creates_nothing(lurah, fast_kdf):
    before, slots = names(lurah), lurah.vault.operators()
    with pytest.raises(WrongPassphrase):
        operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase="bukan sandi lurah"), kdf=fast_kdf)
    assert names(lurah) == before and lurah.vault.operators() == slots


@pytest.mark.parametrize("step", ["add_pending_operator_slot", "complete_slot"])
def test_a_failing_keyslot_rolls_the_record_back(lurah, fast_kdf, monkeypatch, step):
    # The vault is written twice (a pending slot first, the data key sealed to it last); a
    # failure at either leaves no person and no slot.
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(lurah.vault, step, broken)
    before, slots = names(lurah), lurah.vault.operators()
    with pytest.raises(OSError):
        operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    assert names(lurah) == before
    assert lurah.vault.operators() == slots and lurah.vault.pending_slots() == []
    done = actions(lurah)
    assert "operator.enrol" not in done or done.index("operator.enrol_undone") > done.index("operator.enrol")


def test_names_must_differ_and_validity_is_bounded(lurah, fast_kdf):
    with pytest.raises(operators.OperatorNameTaken):
        operators.enrol_operator(lurah, name="  ani   operator ", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    with pytest.raises(operators.OperatorNameMissing):
        operators.enrol_operator(lurah, name=" ", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    with pytest.raises(operators.ValidityOutOfRange):
        operators.enrol_operator(lurah, name="Citra", role="operator", passphrase=NEW_PASS,
                                 confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf, valid_days=0)


def test_removal_needs_the_lurah_passphrase(lurah, frozen):
    secret = enrolled(lurah)
    frozen[0] += timedelta(seconds=30)
    with pytest.raises(WrongPassphrase):
        factories.approve(lurah, "totp_remove", passphrase="bukan sandi lurah")
    with pytest.raises(lurah_service.ConfirmationRefused):
        lurah_service.remove_totp(lurah, None)
    with pytest.raises(lurah_service.ConfirmationRefused):  # an approval of another step
        lurah_service.remove_totp(lurah, factories.approve(lurah, "revoke", totp_code=totp.code_at(secret, frozen[0])))
    assert totp.is_enrolled(lurah)
    frozen[0] += timedelta(seconds=30)
    lurah_service.remove_totp(lurah, factories.approve(lurah, "totp_remove", totp_code=totp.code_at(secret, frozen[0])))
    assert not totp.is_enrolled(lurah)
    with lurah.reading() as session:
        assert session.scalars(select(LurahTotp)).all() == []
    assert actions(lurah)[-1] == "totp.remove"
    with pytest.raises(totp.TotpNotEnrolled):
        lurah_service.remove_totp(lurah, factories.approve(lurah, "totp_remove"))


def test_people_list_and_first_sign_in(lurah, office, created_office, fast_kdf):
    folder, created = created_office
    listed = {p.name: p for p in people.list_people(lurah)}
    assert listed["Bapak Lurah"].role == "lurah" and listed["Ani Operator"].active
    assert listed["Ani Operator"].valid_until is None  # not linked to Dinsos yet

    enrolment = operators.enrol_operator(lurah, name="Citra", role="field_staff", passphrase=NEW_PASS,
                                         confirmation=factories.approve(lurah, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf)
    first = open_office(folder, enrolment.operator_id, NEW_PASS)
    assert people.is_first_sign_in(first)
    first.close()
    second = open_office(folder, enrolment.operator_id, NEW_PASS)
    assert not people.is_first_sign_in(second)
    second.close()
    # Ani has signed in once (the `office` fixture); the Lurah too: each counts on their own.
    assert people.sign_in_count(lurah) == 1
    assert people.sign_in_count(lurah, created.operator_id) == 1
    reopened = open_office(folder, created.operator_id, OPERATOR_PASS)
    assert not people.is_first_sign_in(reopened)
    reopened.close()
