"""The handover record: signed by the leaver's certified key, countersigned by the Lurah, tamper-evident."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.services import lurah as lurah_service
from app.services import handover, handover_report, operators
from app.services import keys as office_keys
from app.services.office import open_office
from app.storage.handover_models import HandoverRecord
from app.storage.models import AuditEntry
from app.sync.keys import fingerprint
from tests import factories
from tests.conftest import LURAH_PASS
from tests.fakes.handover_work import B_PASS, make_work_of_every_kind


def _enrol_b(lurah_ctx, fast_kdf) -> str:
    return operators.enrol_operator(lurah_ctx, name="Budi", role="operator", passphrase=B_PASS,
                                    confirmation=factories.approve(lurah_ctx, "enrol", passphrase=LURAH_PASS), kdf=fast_kdf).operator_id


def _hand_all(a, b_id, note="Telepon dulu sebelum kunjungan"):
    keys = make_work_of_every_kind(a)
    notes = {key: f"{note} ({name})" for name, key in keys.items() if name != "action"}
    report, record_id = handover_report.hand_over_and_record(
        a, from_operator=a.operator_id, assignments={k: b_id for k in keys.values()}, notes=notes)
    return keys, notes, report, record_id


def _actions(ctx) -> list[str]:
    with ctx.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _edit(ctx, record_id, **changes):
    with ctx.transaction() as session:
        row = session.get(HandoverRecord, record_id)
        for name, value in changes.items():
            setattr(row, name, value(getattr(row, name)) if callable(value) else value)


def test_a_certified_leaver_signs_and_the_lurah_countersigns(linked, lurah, fast_kdf, created_office):
    a = linked
    b_id = _enrol_b(lurah, fast_kdf)
    keys, notes, report, record_id = _hand_all(a, b_id)
    view = handover_report.verify_record(a, record_id)
    assert view.operator_signed and not view.lurah_signed
    assert view.successor == b_id and view.successor_name == "Budi" and view.from_name == "Ani Operator"
    assert {line.key: line.note for line in view.items} == {line.key: line.note for line in report.items}
    assert {line.type for line in view.items} == {"proposal", "complaint", "next_action", "form_draft"}
    assert len(view.short_hash.split()) == 6
    # The certificate's key is the one that signed.
    assert view.operator_key_fingerprint == fingerprint(office_keys.current_certificate(a).public_key)
    with pytest.raises(lurah_service.ConfirmationRefused):  # the leaver cannot endorse their own report
        handover_report.countersign(a, record_id, None)
    with pytest.raises(lurah_service.ConfirmationRefused):  # nor with the Lurah's approval of another record
        handover_report.countersign(a, record_id, factories.approve(a, "endorse", "another-record"))
    signed = handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    assert signed.lurah_signed and signed.lurah_signed_at is not None
    assert handover_report.verify_record(a, record_id).lurah_signed
    with pytest.raises(handover_report.AlreadyCountersigned):
        handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    assert {"handover", "handover.record"} <= set(_actions(a))
    assert "handover.countersign" in _actions(lurah)
    assert handover_report.awaiting_countersignature(lurah) == []


def test_the_body_is_canonical_json_of_the_report(linked, lurah, fast_kdf):
    b_id = _enrol_b(lurah, fast_kdf)
    _keys, notes, _report, record_id = _hand_all(linked, b_id)
    with linked.reading() as session:
        row = session.get(HandoverRecord, record_id)
        body = json.loads(row.body)
    assert body["format"] == "usulkan-handover" and body["from"]["id"] == linked.operator_id
    assert body["successor"] == {"id": b_id, "name": "Budi"}
    assert {item["key"]: item["note"] for item in body["items"] if item["note"]} == notes
    assert body["operator_key"]["cert_id"] == office_keys.current_certificate(linked).cert_id


def test_a_tampered_body_is_caught(linked, lurah, fast_kdf):
    b_id = _enrol_b(lurah, fast_kdf)
    _keys, _notes, _report, record_id = _hand_all(linked, b_id)
    original = None

    def swap_note(body):
        nonlocal original
        original = body
        return body.replace("Telepon dulu", "Tidak perlu telepon")

    _edit(linked, record_id, body=swap_note)
    with pytest.raises(handover_report.HandoverRecordTampered) as caught:
        handover_report.verify_record(linked, record_id)
    assert "tidak lagi cocok" in caught.value.message()
    with pytest.raises(handover_report.HandoverRecordTampered):
        handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    # Someone who also fixes the hash still cannot make the leaver's signature fit.
    from app.sync.canonical import sha256_hex

    with linked.reading() as session:
        new_body = session.get(HandoverRecord, record_id).body
    _edit(linked, record_id, report_hash=sha256_hex(new_body.encode()))
    with pytest.raises(handover_report.OperatorSignatureInvalid):
        handover_report.verify_record(linked, record_id)
    # Put back as signed, the record verifies again.
    _edit(linked, record_id, body=original, report_hash=sha256_hex(original.encode()))
    handover_report.verify_record(linked, record_id)


def test_a_stripped_or_forged_signature_is_caught(linked, lurah, fast_kdf):
    b_id = _enrol_b(lurah, fast_kdf)
    _keys, _notes, _report, record_id = _hand_all(linked, b_id)
    with linked.reading() as session:
        signature = session.get(HandoverRecord, record_id).operator_signature
    _edit(linked, record_id, operator_signature=None)
    with pytest.raises(handover_report.OperatorSignatureInvalid):
        handover_report.verify_record(linked, record_id)
    _edit(linked, record_id, operator_signature=signature)
    handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    _edit(linked, record_id, lurah_signature=lambda s: bytes([s[0] ^ 1]) + s[1:])
    with pytest.raises(handover_report.LurahSignatureInvalid):
        handover_report.verify_record(linked, record_id)


def test_without_a_certificate_the_record_says_it_is_unsigned(office, lurah, fast_kdf):
    b_id = _enrol_b(lurah, fast_kdf)
    _keys, _notes, _report, record_id = _hand_all(office, b_id)
    view = handover_report.verify_record(office, record_id)
    assert not view.operator_signed and view.operator_key_fingerprint is None
    handover_report.countersign(lurah, record_id, factories.approve(lurah, "endorse", record_id))
    assert handover_report.verify_record(lurah, record_id).lurah_signed


def test_the_lurah_on_behalf_of_the_leaver_does_not_use_their_key(linked, lurah, fast_kdf):
    b_id = _enrol_b(lurah, fast_kdf)
    make_work_of_every_kind(linked)
    keys = [item.key for item in handover.open_work(lurah, linked.operator_id)]
    report, record_id = handover_report.hand_over_and_record(
        lurah, from_operator=linked.operator_id, assignments={k: b_id for k in keys}, notes={})
    view = handover_report.verify_record(lurah, record_id)
    assert not view.operator_signed and view.by_name == "Bapak Lurah" and view.from_name == "Ani Operator"


def test_the_successor_acknowledges_on_sign_in(office, lurah, fast_kdf, created_office):
    b_id = _enrol_b(lurah, fast_kdf)
    _keys, _notes, _report, record_id = _hand_all(office, b_id)
    with pytest.raises(handover_report.NotTheSuccessor):
        handover_report.acknowledge(office, record_id)
    b = open_office(created_office[0], b_id, B_PASS)
    try:
        [waiting] = handover_report.awaiting_acknowledgement(b)
        assert waiting.id == record_id
        done = handover_report.acknowledge(b, record_id)
        assert done.acknowledged_by == b_id and done.acknowledged_at is not None
        assert handover_report.awaiting_acknowledgement(b) == []
        assert "handover.acknowledge" in _actions(b)
    finally:
        b.close()


def test_a_failed_record_leaves_the_work_where_it_was(office, lurah, fast_kdf, monkeypatch):
    b_id = _enrol_b(lurah, fast_kdf)
    keys = make_work_of_every_kind(office)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(handover_report, "record_in", broken)
    with pytest.raises(RuntimeError):
        handover_report.hand_over_and_record(office, from_operator=office.operator_id,
                                             assignments={k: b_id for k in keys.values()}, notes={})
    assert {item.key for item in handover.open_work(office, office.operator_id)} == set(keys.values())


def test_unknown_record(office):
    with pytest.raises(handover_report.HandoverRecordUnknown):
        handover_report.verify_record(office, "00000000-0000-4000-8000-000000000000")
