"""Field files: an assignment opens only for its person; results refused when tampered, replayed elsewhere or uncertified."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from app.sync import field, keys
from app.sync.canonical import b64url_decode, b64url_encode, canonical_bytes
from app.sync.certificates import issue_certificate

OFFICE = "7d4c1e2a-9b3f-4a5e-8c6d-0f1e2d3c4b5a"
OTHER_OFFICE = "11111111-2222-4333-8444-555555555555"
OPERATOR = "0c8f6a8e-1f0b-4c1e-9a55-1d7e2b3c4d5e"
FIELD = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
OTHER_FIELD = "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KK = "3575031201090001"


class World:
    def __init__(self):
        self.authority = keys.generate_ed25519()
        self.authority_public = keys.public_bytes(self.authority.public_key())
        self.operator_key = keys.Ed25519Signer(keys.generate_ed25519())
        self.field_key = keys.Ed25519Signer(keys.generate_ed25519())
        self.box = keys.generate_x25519()
        self.other_box = keys.generate_x25519()
        self.ret = keys.generate_x25519()

    def cert(self, person, signer, role, authority=None):
        return issue_certificate(authority or self.authority, office_id=OFFICE, operator_id=person, name="X",
                                 role=role, public_key=signer.public_key_bytes, valid_from=NOW - timedelta(days=1),
                                 valid_until=NOW + timedelta(days=365), issued_at=NOW - timedelta(days=1))

    def assignment(self, person=FIELD):
        household = field.AssignedHousehold(
            KK, "Siti Aminah", "Jl. Mawar 3 RT 001/RW 002", ("floor_material", "income_band"), 4,
            {"floor_material": "earth"},
            (field.Remark("question", "Foto dapur kurang jelas"),))
        return field.Assignment(field.new_id(), OFFICE, person, OPERATOR, NOW, date(2026, 12, 14),
                                keys.public_bytes(self.ret.public_key()), (household,),
                                self.cert(OPERATOR, self.operator_key, "operator"))

    def results(self, *, signer=None, cert=None, values=None, photo=b"\xff\xd8jpeg-front"):
        record = field.ResultRecord(KK, 4, values or {"floor_material": "cement_brick"}, NOW + timedelta(days=2),
                                    (field.Photo("front", photo),), "-7.6453", "112.9075", "Lantai sudah disemen")
        return field.Results(field.new_id(), field.new_id(), OFFICE, FIELD, NOW + timedelta(days=2), (record,),
                             cert or self.cert(FIELD, self.field_key, "field_staff"))


@pytest.fixture
def w():
    return World()


def _open_a(w, data, box=None, person=FIELD):
    return field.open_assignment(data, box or w.box, office_id=OFFICE, person_id=person, authority=w.authority_public)


def _open_r(w, data, office=OFFICE):
    return field.open_results(data, w.ret, office_id=office, authority=w.authority_public)


def test_the_assignment_opens_for_its_person_with_everything(w):
    a = w.assignment()
    data = field.write_assignment(a, w.operator_key, keys.public_bytes(w.box.public_key()))
    assert KK.encode() not in data and b"Siti" not in data  # only the header is clear
    got = _open_a(w, data)
    assert got.households == a.households and got.due_date == date(2026, 12, 14)
    assert got.return_key == a.return_key and got.households[0].remarks[0].kind == "question"


def test_another_person_or_laptop_opens_nothing(w):
    data = field.write_assignment(w.assignment(), w.operator_key, keys.public_bytes(w.box.public_key()))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_a(w, data, box=w.other_box)  # another laptop's key
    assert err.value.reason == "not_for_you"
    with pytest.raises(field.FieldFileRefused) as err:
        _open_a(w, data, person=OTHER_FIELD)
    assert err.value.reason == "not_for_you"
    # Relabelled for another person: the header is bound into the seal.
    obj = json.loads(data)
    obj["person_id"] = OTHER_FIELD
    with pytest.raises(field.FieldFileRefused) as err:
        _open_a(w, canonical_bytes(obj), person=OTHER_FIELD)
    assert err.value.reason == "damaged"


def test_an_assignment_signed_by_field_staff_or_another_authority_is_refused(w):
    a = w.assignment()
    forged = field.Assignment(**{**a.__dict__, "certificate": w.cert(OPERATOR, w.operator_key, "field_staff")})
    data = field.write_assignment(forged, w.operator_key, keys.public_bytes(w.box.public_key()))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_a(w, data)
    assert err.value.reason == "not_certified"
    stranger = keys.generate_ed25519()
    forged = field.Assignment(**{**a.__dict__, "certificate": w.cert(OPERATOR, w.operator_key, "operator", stranger)})
    with pytest.raises(field.FieldFileRefused):
        _open_a(w, field.write_assignment(forged, w.operator_key, keys.public_bytes(w.box.public_key())))


def test_results_round_trip_with_photos(w):
    r = w.results()
    data = field.write_results(r, w.field_key, keys.public_bytes(w.ret.public_key()))
    assert b"jpeg-front" not in data and b"Lantai" not in data
    got = _open_r(w, data)
    assert got.records[0].values == {"floor_material": "cement_brick"}
    assert got.records[0].photos[0].data == b"\xff\xd8jpeg-front" and got.records[0].latitude == "-7.6453"
    assert got.results_id == r.results_id


def test_tampered_results_are_refused(w):
    data = field.write_results(w.results(), w.field_key, keys.public_bytes(w.ret.public_key()))
    obj = json.loads(data)
    sealed = bytearray(b64url_decode(obj["sealed"]))
    sealed[-20] ^= 1
    obj["sealed"] = b64url_encode(bytes(sealed))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, canonical_bytes(obj))
    assert err.value.reason == "damaged"
    with pytest.raises(field.FieldFileRefused):
        _open_r(w, data[:-5])


def test_results_resigned_after_a_change_by_someone_else_are_refused(w):
    # An operator who holds the return key re-seals changed results: the field person's signature breaks.
    r = w.results()
    intruder = keys.Ed25519Signer(keys.generate_ed25519())
    changed = field.Results(**{**r.__dict__, "certificate": w.cert(FIELD, intruder, "field_staff",
                                                                     keys.generate_ed25519())})
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, field.write_results(changed, intruder, keys.public_bytes(w.ret.public_key())))
    assert err.value.reason == "not_certified"
    # An operator's certificate (not field staff) is refused too.
    as_operator = field.Results(**{**r.__dict__, "person_id": OPERATOR,
                                   "certificate": w.cert(OPERATOR, w.operator_key, "operator")})
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, field.write_results(as_operator, w.operator_key, keys.public_bytes(w.ret.public_key())))
    assert err.value.reason == "not_certified"


def test_results_for_another_office_are_refused(w):
    data = field.write_results(w.results(), w.field_key, keys.public_bytes(w.ret.public_key()))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, data, office=OTHER_OFFICE)
    assert err.value.reason == "wrong_office"


def test_a_value_outside_the_catalogue_is_refused(w):
    data = field.write_results(w.results(values={"floor_material": "gold_leaf"}), w.field_key,
                               keys.public_bytes(w.ret.public_key()))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, data)
    assert err.value.reason == "bad_value"


def test_huge_and_garbage_input_is_refused(w, monkeypatch):
    monkeypatch.setattr(field, "MAX_FILE_BYTES", 1024 * 1024)
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, b"x" * (field.MAX_FILE_BYTES + 1))
    assert err.value.reason == "too_large"
    for junk in (b"", b"{}", b"\x00\xff", b'{"format":"usulkan-field-file"}'):
        with pytest.raises(field.FieldFileRefused):
            _open_r(w, junk)
    assignment = field.write_assignment(w.assignment(), w.operator_key, keys.public_bytes(w.ret.public_key()))
    with pytest.raises(field.FieldFileRefused) as err:
        _open_r(w, assignment)
    assert err.value.reason == "wrong_purpose"
