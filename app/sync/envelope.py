"""The sealed batch file: HPKE encryption to Dinsos with a clear, checked frame (layout in docs/batch-format.md)."""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.sync.batch import MAX_BATCH_BYTES
from app.sync.canonical import Fields, canonical_bytes, parse_canonical
from app.sync.errors import (
    EnvelopeDamaged,
    EnvelopeNotForUs,
    EnvelopeTooLarge,
    EnvelopeTruncated,
    EnvelopeUnsupported,
    FormatInvalid,
)
from app.sync.keys import KEY_ID, key_id, public_bytes, x25519_public_from_bytes

MAGIC = b"USLKBAT1"
HEADER_FORMAT = "usulkan-envelope"
FORMAT_VERSION = 1
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
# magic, header length (u32), ciphertext length (u64); then the first 8 bytes of SHA-256 of those,
# so that a damaged length is reported as damage, not as a file cut short.
_HEAD = struct.Struct(">8sIQ")
_PRELUDE = struct.Struct(">8sIQ8s")
PRELUDE_BYTES = _PRELUDE.size
TRAILER_BYTES = 32
MAX_HEADER_BYTES = 1024
# HPKE adds the 32-byte encapsulated key and the 16-byte GCM tag.
HPKE_OVERHEAD = 32 + 16
MAX_CIPHERTEXT_BYTES = MAX_BATCH_BYTES + HPKE_OVERHEAD
MAX_ENVELOPE_BYTES = PRELUDE_BYTES + MAX_HEADER_BYTES + MAX_CIPHERTEXT_BYTES + TRAILER_BYTES


@dataclass(frozen=True)
class EnvelopeHeader:
    """The clear part of a sealed file: enough to route it, nothing about any person."""

    format_version: int
    batch_id: str
    office_id: str
    recipient_key_id: str
    ciphertext_length: int

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "format": HEADER_FORMAT,
                "format_version": self.format_version,
                "batch_id": self.batch_id,
                "office_id": self.office_id,
                "recipient_key_id": self.recipient_key_id,
                "ciphertext_length": self.ciphertext_length,
            }
        )


def _prelude_check(head: bytes) -> bytes:
    return hashlib.sha256(head).digest()[:8]


def seal(
    signed_batch_bytes: bytes,
    dinsos_x25519_public: X25519PublicKey | bytes,
    *,
    batch_id: str,
    office_id: str,
) -> bytes:
    """Encrypt a serialised batch (or any file for Dinsos) so only the Dinsos key opens it."""
    if len(signed_batch_bytes) > MAX_BATCH_BYTES:
        raise EnvelopeTooLarge()
    if isinstance(dinsos_x25519_public, bytes):
        dinsos_x25519_public = x25519_public_from_bytes(dinsos_x25519_public)
    # HPKE's overhead is fixed, so the length can go in the header that the ciphertext is bound to.
    header = EnvelopeHeader(
        format_version=FORMAT_VERSION,
        batch_id=batch_id,
        office_id=office_id,
        recipient_key_id=key_id(dinsos_x25519_public),
        ciphertext_length=len(signed_batch_bytes) + HPKE_OVERHEAD,
    )
    header_bytes = header.to_bytes()
    try:
        _read_header(header_bytes)  # never seal what opening would refuse
    except EnvelopeDamaged as err:
        raise ValueError("batch_id and office_id must be UUIDs") from err
    ciphertext = SUITE.encrypt(signed_batch_bytes, dinsos_x25519_public, info=header_bytes)
    if len(ciphertext) != header.ciphertext_length:
        raise RuntimeError("HPKE overhead is not the 48 bytes this format assumes")
    head = _HEAD.pack(MAGIC, len(header_bytes), len(ciphertext))
    body = head + _prelude_check(head) + header_bytes + ciphertext
    return body + hashlib.sha256(body).digest()


def _frame(data: bytes) -> tuple[bytes, bytes]:
    """(header bytes, ciphertext) once the frame is whole and undamaged; nothing inside is read yet."""
    if len(data) < PRELUDE_BYTES:
        # A short file that starts like ours was cut off; anything else is not ours at all.
        if MAGIC.startswith(data[: len(MAGIC)]):
            raise EnvelopeTruncated()
        raise EnvelopeDamaged()
    magic, header_len, ciphertext_len, check = _PRELUDE.unpack_from(data)
    if magic != MAGIC or not hmac.compare_digest(check, _prelude_check(data[: _HEAD.size])):
        raise EnvelopeDamaged()
    if header_len > MAX_HEADER_BYTES or ciphertext_len > MAX_CIPHERTEXT_BYTES:
        raise EnvelopeTooLarge()
    end = PRELUDE_BYTES + header_len + ciphertext_len
    if len(data) < end + TRAILER_BYTES:
        raise EnvelopeTruncated()
    if len(data) > end + TRAILER_BYTES:
        raise EnvelopeDamaged()
    if not hmac.compare_digest(hashlib.sha256(memoryview(data)[:end]).digest(), data[end:]):
        raise EnvelopeDamaged()
    return data[PRELUDE_BYTES : PRELUDE_BYTES + header_len], data[PRELUDE_BYTES + header_len : end]


def _read_header(header_bytes: bytes) -> EnvelopeHeader:
    try:
        f = Fields(parse_canonical(header_bytes, where="envelope"), "envelope")
        f.constant("format", HEADER_FORMAT)
        version = f.integer("format_version")
        if version != FORMAT_VERSION:
            raise EnvelopeUnsupported()
        header = EnvelopeHeader(
            format_version=version,
            batch_id=f.uuid("batch_id"),
            office_id=f.uuid("office_id"),
            recipient_key_id=f.text("recipient_key_id", pattern=KEY_ID),
            ciphertext_length=f.integer("ciphertext_length"),
        )
        f.done()
    except FormatInvalid as err:
        raise EnvelopeDamaged() from err
    return header


def _checked(data: bytes) -> tuple[EnvelopeHeader, bytes, bytes]:
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeTooLarge()
    header_bytes, ciphertext = _frame(data)
    header = _read_header(header_bytes)
    if header.ciphertext_length != len(ciphertext):
        raise EnvelopeDamaged()
    return header, header_bytes, ciphertext


def read_header(data: bytes) -> EnvelopeHeader:
    """The clear header of a sealed file after the frame checks, without decrypting (for routing)."""
    return _checked(data)[0]


def open_envelope(data: bytes, dinsos_x25519_private: X25519PrivateKey) -> bytes:
    """The sealed bytes, or EnvelopeTruncated / EnvelopeDamaged / EnvelopeNotForUs / ...; never partial data."""
    header, header_bytes, ciphertext = _checked(data)
    if header.recipient_key_id != key_id(public_bytes(dinsos_x25519_private.public_key())):
        raise EnvelopeNotForUs()
    try:
        return SUITE.decrypt(ciphertext, dinsos_x25519_private, info=header_bytes)
    except InvalidTag as err:
        # The frame hash matched, so this is not an accident: someone rebuilt the file.
        raise EnvelopeDamaged() from err
