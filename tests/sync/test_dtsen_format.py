"""The DTSEN reference package (docs/batch-format.md "DTSEN reference"): what opens, and every refusal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.sync.canonical import canonical_bytes
from app.sync.dtsen import DtsenRefused, open_package, payload_files
from dtsen_fixtures import OFFICE, OTHER, TOKEN, family, package
from sync_fixtures import NOW, ed25519

SERVER = ed25519("server").public_key()


def _open(data, version=0, previous=None, **kwargs):
    args = {"office_id": OFFICE, "server_public_key": SERVER, "current_version": version,
            "current_manifest_hash": previous, **kwargs}
    return open_package(data, kwargs.pop("token", TOKEN), **{k: v for k, v in args.items() if k != "token"})


def test_a_snapshot_then_a_delta_open_in_order():
    snap, m1 = package(1, families=[family(1), family(2, desil=7)])
    release = _open(snap)
    assert release.version == 1 and [f.no_kk for f in release.families] == [family(1).no_kk, family(2).no_kk]
    assert release.families[1].desil == 7 and release.removed == ()
    assert b"Warga" not in snap and family(1).no_kk.encode() not in snap  # the payload is encrypted
    delta, _m2 = package(2, "delta", [family(3)], [family(2).no_kk], base=1, previous=m1.digest)
    opened = _open(delta, 1, m1.digest)
    assert opened.removed == (family(2).no_kk,) and opened.families == (family(3),)
    assert not opened.expired(NOW) and opened.expired(NOW + timedelta(days=101))


@pytest.mark.parametrize(("version", "current", "reason"), [(3, 3, "replay"), (2, 3, "rollback")])
def test_replay_and_rollback_are_refused(version, current, reason):
    data, _ = package(version, families=[family(1)])
    with pytest.raises(DtsenRefused) as err:
        _open(data, current, "0" * 64)
    assert err.value.reason == reason


def test_a_gap_and_a_wrong_previous_manifest_are_refused():
    _, m1 = package(1, families=[family(1)])
    gapped, _ = package(3, "delta", [family(2)], base=2, previous=m1.digest)
    with pytest.raises(DtsenRefused) as err:
        _open(gapped, 1, m1.digest)
    assert err.value.reason == "gap"
    forged, _ = package(2, "delta", [family(2)], base=1, previous="f" * 64)
    with pytest.raises(DtsenRefused) as err:
        _open(forged, 1, m1.digest)
    assert err.value.reason == "wrong_previous"
    # A delta with nothing to stand on (no snapshot yet) is a gap too.
    with pytest.raises(DtsenRefused) as err:
        _open(package(2, "delta", [family(2)], base=1, previous=m1.digest)[0], 0, None)
    assert err.value.reason == "gap"


def test_another_office_a_wrong_token_and_another_key_are_refused():
    other_office, _ = package(1, families=[family(1)], office=OTHER)
    for data, kwargs, reason in (
        (other_office, {}, "wrong_office"),
        (package(1, families=[family(1)])[0], {"token": "another-token"}, "damaged"),
        (package(1, families=[family(1)], server=ed25519("intruder"))[0], {}, "bad_signature"),
    ):
        with pytest.raises(DtsenRefused) as err:
            _open(data, **kwargs)
        assert err.value.reason == reason


def test_tampering_is_refused():
    data, _ = package(1, families=[family(1, desil=8)])
    obj = json.loads(data)
    # A desil lowered in the signed manifest breaks the signature.
    obj["manifest"]["families"] = 5
    with pytest.raises(DtsenRefused) as err:
        _open(canonical_bytes(obj))
    assert err.value.reason == "bad_signature"
    # A byte of the ciphertext changed.
    obj = json.loads(data)
    sealed = obj["files"][0]["sealed"]
    obj["files"][0]["sealed"] = ("A" if sealed[0] != "A" else "B") + sealed[1:]
    with pytest.raises(DtsenRefused) as err:
        _open(canonical_bytes(obj))
    assert err.value.reason == "damaged"
    # Sealed with the right key but a payload other than the one signed.
    swapped, _ = package(1, families=[family(1, desil=8)], files=payload_files("snapshot", [family(1, desil=1)]))
    with pytest.raises(DtsenRefused) as err:
        _open(swapped)
    assert err.value.reason == "hash_mismatch"
    for junk in (b"", b"not json", b"{}", data[:-10]):
        with pytest.raises(DtsenRefused) as err:
            _open(junk)
        assert err.value.reason == "bad_format"


def test_the_refusals_speak_indonesian():
    from app.i18n import set_language

    set_language("id")
    try:
        assert "kelurahan lain" in DtsenRefused("wrong_office").message()
    finally:
        set_language("en")


def test_one_person_in_two_families_is_refused():
    from app.sync.dtsen import Family

    twin = family(2)
    stolen = Family(twin.no_kk, twin.dtsen_id, twin.desil, twin.programmes, family(1).members[:1])
    data, _ = package(1, families=[family(1), stolen])
    with pytest.raises(DtsenRefused) as err:
        _open(data)
    assert err.value.reason == "bad_format"
