"""Private keys sealed to a person's keyslot: HPKE (RFC 9180) to the slot's X25519 public key.

The office database is shared: every operator who can open it holds the data key and can read
every row. So no row may hold a private key in clear. A signing key (or the Lurah's TOTP secret)
is sealed to the X25519 public key of its owner's keyslot in vault.json; only that slot's private
key, unwrapped by its owner's passphrase (or, for the Lurah's authority key, by the recovery
code) and held in memory for that session alone (``SlotKey``), opens it.

The HPKE ``info`` binds the office, the owner, the purpose, the slot and the public half of the
sealed key, so a blob copied to another row, owner or purpose does not open. HPKE base mode does
not say who sealed a blob (anyone may seal to a public key), so every opener checks what it got:
a signing key must derive the public key the row (and the certificate) names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

HPKE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
_INFO = b"usulkan sealed key v1\x00"

# What a sealed blob holds.
SIGNING = "signing"        # an operator's (or the Lurah's own) Ed25519 signing key
AUTHORITY = "authority"    # the Lurah's authority Ed25519 key
TOTP = "totp"              # the Lurah's TOTP secret
VOUCHED = "vouched"        # no secret: the Lurah's tag that a person's public key is the one she enrolled
FIELD_BOX = "field_box"    # a field person's X25519 key that assignment files are sealed to
PURPOSES = (SIGNING, AUTHORITY, TOTP, VOUCHED, FIELD_BOX)


class SealBroken(Exception):
    """The blob does not open with this slot key for this office/owner/purpose (internal)."""


def _info(office_id: str, owner: str, purpose: str, slot_id: str, public: bytes) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    # A JSON array: no ambiguity between "a|b" + "c" and "a" + "b|c".
    return _INFO + json.dumps([office_id, owner, purpose, slot_id, public.hex()], separators=(",", ":")).encode()


def seal(secret: bytes, slot_public_key: bytes, *, office_id: str, owner: str, purpose: str, slot_id: str,
         public: bytes = b"") -> bytes:
    """``secret`` sealed to the slot's X25519 public key; ``public`` names what it is (a key's public half)."""
    recipient = X25519PublicKey.from_public_bytes(slot_public_key)
    return HPKE.encrypt(secret, recipient, info=_info(office_id, owner, purpose, slot_id, public))


@dataclass(frozen=True)
class SlotKey:
    """A keyslot's private key, in memory for one session only (never written anywhere)."""

    slot_id: str
    kind: str  # "operator" or "recovery"
    operator_id: str | None
    _private: X25519PrivateKey = field(repr=False)

    @property
    def public_key(self) -> bytes:
        return self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def tag(self, blob: bytes, *, office_id: str, owner: str, purpose: str, public: bytes = b"") -> bytes:
        """A MAC over the blob that only this slot's owner can make: "I sealed this to myself".

        HPKE base mode lets anyone seal to a public key; the tag is what tells a key the owner's
        own session (or the Lurah enrolling them, who made the slot) sealed from one an operator
        planted. Keyed from the slot's private key, so it needs the owner's passphrase.
        """
        raw = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        key = HKDFExpand(hashes.SHA256(), 32, b"usulkan seal tag v1").derive(raw)
        message = _info(office_id, owner, purpose, self.slot_id, public) + hashlib.sha256(blob).digest()
        return hmac.new(key, message, hashlib.sha256).digest()

    def tag_ok(self, tag: bytes | None, blob: bytes, **context) -> bool:
        return tag is not None and hmac.compare_digest(tag, self.tag(blob, **context))

    def open(self, blob: bytes, *, office_id: str, owner: str, purpose: str, public: bytes = b"") -> bytes:
        try:
            return HPKE.decrypt(blob, self._private, info=_info(office_id, owner, purpose, self.slot_id, public))
        except (InvalidTag, ValueError) as exc:
            raise SealBroken() from exc

    def __repr__(self) -> str:  # never print a private key into a log or a traceback
        return f"SlotKey({self.slot_id!r}, {self.kind!r})"
