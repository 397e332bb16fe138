"""The sealed batch file: round trip, truncation anywhere, bit flips, wrong key, nothing personal in clear."""

from __future__ import annotations

import base64
import random
import struct

import pytest

from app.sync import envelope as envelope_module
from app.sync import keys
from app.sync.envelope import (
    MAGIC,
    PRELUDE_BYTES,
    TRAILER_BYTES,
    open_envelope,
    read_header,
    seal,
)
from app.sync.errors import (
    EnvelopeDamaged,
    EnvelopeNotForUs,
    EnvelopeTooLarge,
    EnvelopeTruncated,
    EnvelopeUnsupported,
)
from sync_fixtures import TEST_NAME, TEST_NIK, make_items


@pytest.fixture
def signed_bytes(make_signed):
    # About 60 KB: many 4 KiB boundaries fall inside the ciphertext.
    return make_signed(items=make_items(120)).to_bytes()


@pytest.fixture
def sealed(world, signed_bytes):
    return seal(signed_bytes, world.dinsos_x25519.public_key(), batch_id="0" * 8 + "-0000-4000-8000-" + "0" * 12,
                office_id=world.office_id)


def test_round_trip_and_header(world, signed_bytes, sealed):
    assert sealed.startswith(MAGIC)
    assert open_envelope(sealed, world.dinsos_x25519) == signed_bytes
    header = read_header(sealed)
    assert header.office_id == world.office_id
    assert header.recipient_key_id == keys.key_id(world.dinsos_x25519.public_key())
    assert header.ciphertext_length == len(signed_bytes) + 48
    assert len(sealed) == PRELUDE_BYTES + len(header.to_bytes()) + header.ciphertext_length + TRAILER_BYTES
    # Sealing again gives other bytes (fresh HPKE key), the same content.
    again = seal(signed_bytes, keys.public_bytes(world.dinsos_x25519.public_key()), batch_id=header.batch_id,
                 office_id=header.office_id)
    assert again != sealed and open_envelope(again, world.dinsos_x25519) == signed_bytes


def test_nothing_personal_in_clear(sealed, signed_bytes):
    assert TEST_NIK.encode() in signed_bytes and TEST_NAME.encode() in signed_bytes
    for secret in (TEST_NIK, TEST_NAME, "Ani Operator", "JL. PAHLAWAN", "3575030101900001"):
        for form in (secret.encode(), secret.encode("utf-16-le"), base64.b64encode(secret.encode())[:12]):
            assert form not in sealed, secret


def test_truncation_at_every_4_kib_boundary_and_random_cuts(world, sealed):
    assert len(sealed) > 10 * 4096
    cuts = set(range(0, len(sealed), 4096))
    cuts |= set(range(0, PRELUDE_BYTES + 2))  # inside the magic and the prelude
    cuts |= {len(sealed) - n for n in range(1, TRAILER_BYTES + 2)}  # inside the trailer
    rng = random.Random(11)
    cuts |= {rng.randrange(len(sealed)) for _ in range(50)}
    for cut in sorted(cuts):
        with pytest.raises(EnvelopeTruncated):
            open_envelope(sealed[:cut], world.dinsos_x25519)


def test_every_bit_flip_of_a_small_envelope_is_damage(world, make_signed):
    small = seal(make_signed(items=make_items(1, payload=lambda i: {"a": 1})).to_bytes(),
                 world.dinsos_x25519.public_key(), batch_id="00000000-0000-4000-8000-000000000000",
                 office_id=world.office_id)
    for index in range(len(small)):
        for bit in range(8):
            flipped = bytearray(small)
            flipped[index] ^= 1 << bit
            with pytest.raises(EnvelopeDamaged):
                open_envelope(bytes(flipped), world.dinsos_x25519)


def test_bit_flips_across_a_large_envelope_are_damage(world, sealed):
    rng = random.Random(5)
    positions = list(range(0, len(sealed), 997)) + [rng.randrange(len(sealed)) for _ in range(200)]
    for index in positions:
        flipped = bytearray(sealed)
        flipped[index] ^= 1 << rng.randrange(8)
        with pytest.raises(EnvelopeDamaged):
            open_envelope(bytes(flipped), world.dinsos_x25519)


def test_trailing_bytes_and_foreign_files_are_damage(world, sealed):
    foreign = (sealed + b"\x00", b"PK\x03\x04" + bytes(100), b"USLKBAT2" + sealed[8:], b"not a batch file at all!!!!")
    for data in foreign:
        with pytest.raises(EnvelopeDamaged):
            open_envelope(data, world.dinsos_x25519)


def test_wrong_recipient_key(world, sealed):
    with pytest.raises(EnvelopeNotForUs):
        open_envelope(sealed, keys.generate_x25519())


def test_a_rebuilt_frame_around_altered_ciphertext_is_still_damage(world, sealed):
    # An attacker can recompute the unkeyed hashes; the HPKE tag still catches the change.
    end = len(sealed) - TRAILER_BYTES
    body = bytearray(sealed[:end])
    body[-100] ^= 1
    rebuilt = bytes(body) + envelope_module.hashlib.sha256(bytes(body)).digest()
    with pytest.raises(EnvelopeDamaged):
        open_envelope(rebuilt, world.dinsos_x25519)


def _reframe(header: bytes, ciphertext: bytes) -> bytes:
    hashlib = envelope_module.hashlib
    head = struct.pack(">8sIQ", MAGIC, len(header), len(ciphertext))
    body = head + hashlib.sha256(head).digest()[:8] + header + ciphertext
    return body + hashlib.sha256(body).digest()


def test_a_rebuilt_frame_with_a_changed_header_does_not_open(world, sealed):
    header = read_header(sealed)
    ciphertext = sealed[PRELUDE_BYTES + len(header.to_bytes()) : -TRAILER_BYTES]
    # The header is HPKE info: moving a batch under another office's header breaks decryption.
    moved = envelope_module.EnvelopeHeader(1, header.batch_id, "00000000-0000-4000-8000-000000000000",
                                           header.recipient_key_id, header.ciphertext_length)
    with pytest.raises(EnvelopeDamaged):
        open_envelope(_reframe(moved.to_bytes(), ciphertext), world.dinsos_x25519)
    newer = envelope_module.EnvelopeHeader(2, header.batch_id, header.office_id, header.recipient_key_id,
                                           header.ciphertext_length)
    with pytest.raises(EnvelopeUnsupported):
        open_envelope(_reframe(newer.to_bytes(), ciphertext), world.dinsos_x25519)


def test_size_limits(world, monkeypatch):
    monkeypatch.setattr(envelope_module, "MAX_BATCH_BYTES", 10)
    with pytest.raises(EnvelopeTooLarge):
        seal(b"x" * 11, world.dinsos_x25519.public_key(), batch_id="00000000-0000-4000-8000-000000000000",
             office_id=world.office_id)
    with pytest.raises(ValueError):
        seal(b"x", world.dinsos_x25519.public_key(), batch_id="batch-1", office_id=world.office_id)
    # A prelude announcing a ciphertext beyond the cap is refused before anything else is read.
    head = struct.pack(">8sIQ", MAGIC, 10, 2**40)
    data = head + envelope_module.hashlib.sha256(head).digest()[:8]
    with pytest.raises(EnvelopeTooLarge):
        open_envelope(data, world.dinsos_x25519)
