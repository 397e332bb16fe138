"""The keystore interface: raw encodings, signers and fingerprints."""

from __future__ import annotations

import re

import pytest

from app.sync import keys


def test_raw_round_trip_for_both_key_kinds():
    ed = keys.generate_ed25519()
    raw = keys.private_bytes(ed)
    assert len(raw) == 32
    again = keys.ed25519_private_from_bytes(raw)
    assert keys.public_bytes(again.public_key()) == keys.public_bytes(ed.public_key())

    x = keys.generate_x25519()
    x_again = keys.x25519_private_from_bytes(keys.private_bytes(x))
    assert keys.public_bytes(x_again.public_key()) == keys.public_bytes(x.public_key())
    assert keys.public_bytes(keys.x25519_public_from_bytes(keys.public_bytes(x.public_key()))) == keys.public_bytes(
        x.public_key()
    )


@pytest.mark.parametrize("raw", [b"", b"\x00" * 31, b"\x00" * 33, "x" * 32])
def test_raw_keys_must_be_exactly_32_bytes(raw):
    with pytest.raises(ValueError):
        keys.ed25519_public_from_bytes(raw)


def test_signer_signs_and_hides_the_key_in_repr():
    private = keys.generate_ed25519()
    signer = keys.Ed25519Signer.from_bytes(keys.private_bytes(private))
    assert isinstance(signer, keys.Signer)
    signature = signer.sign(b"data")
    assert keys.verify_ed25519(signer.public_key_bytes, signature, b"data")
    assert keys.verify_ed25519(private.public_key(), signature, b"data")
    assert not keys.verify_ed25519(signer.public_key_bytes, signature, b"datb")
    assert not keys.verify_ed25519(signer.public_key_bytes, signature[:-1], b"data")
    assert not keys.verify_ed25519(signer.public_key_bytes, None, b"data")
    assert keys.private_bytes(private).hex() not in repr(signer)
    assert keys.fingerprint(signer.public_key_bytes) in repr(signer)


def test_as_signer_wraps_a_private_key_and_passes_a_signer_through():
    private = keys.generate_ed25519()
    wrapped = keys.as_signer(private)
    assert wrapped.public_key_bytes == keys.public_bytes(private.public_key())
    assert keys.as_signer(wrapped) is wrapped


def test_fingerprint_is_the_key_id_grouped_for_reading_aloud():
    public = keys.public_bytes(keys.generate_ed25519().public_key())
    assert re.fullmatch(r"[0-9a-f]{16}", keys.key_id(public))
    assert keys.fingerprint(public).replace(" ", "") == keys.key_id(public)
    assert re.fullmatch(r"([0-9a-f]{4} ){3}[0-9a-f]{4}", keys.fingerprint(public))
