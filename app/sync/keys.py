"""Keystore interface: signers, raw 32-byte key encoding, generation and display fingerprints."""

from __future__ import annotations

import hashlib
import re
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

KEY_BYTES = 32
SIGNATURE_BYTES = 64
KEY_ID = re.compile(r"[0-9a-f]{16}")

PublicKeyLike = bytes | Ed25519PublicKey


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign: a key held in memory today, a hardware token or a remote one later."""

    @property
    def public_key_bytes(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


class Ed25519Signer:
    """A Signer over an Ed25519 private key held in memory."""

    def __init__(self, private_key: Ed25519PrivateKey):
        self._key = private_key
        self._public = public_bytes(private_key.public_key())

    @classmethod
    def from_bytes(cls, raw: bytes) -> Ed25519Signer:
        return cls(ed25519_private_from_bytes(raw))

    @property
    def public_key_bytes(self) -> bytes:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def __repr__(self) -> str:
        # Never the key itself: a repr ends up in logs and tracebacks.
        return f"Ed25519Signer({fingerprint(self._public)})"


def as_signer(key: Signer | Ed25519PrivateKey) -> Signer:
    return Ed25519Signer(key) if isinstance(key, Ed25519PrivateKey) else key


def generate_ed25519() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def generate_x25519() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    """The raw 32 bytes (the seed, for Ed25519): the only way a private key leaves this module."""
    return key.private_bytes_raw()


def public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def _exact(raw: bytes) -> bytes:
    if not isinstance(raw, bytes) or len(raw) != KEY_BYTES:
        raise ValueError("a raw key is exactly 32 bytes")
    return raw


def ed25519_private_from_bytes(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_exact(raw))


def ed25519_public_from_bytes(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_exact(raw))


def x25519_private_from_bytes(raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_exact(raw))


def x25519_public_from_bytes(raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_exact(raw))


def ed25519_public_raw(key: PublicKeyLike) -> bytes:
    """Raw bytes of an Ed25519 public key given either as bytes or as a key object."""
    return public_bytes(key) if isinstance(key, Ed25519PublicKey) else _exact(key)


def verify_ed25519(public_key: PublicKeyLike, signature: bytes | None, data: bytes) -> bool:
    if signature is None or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        if not isinstance(public_key, Ed25519PublicKey):
            public_key = ed25519_public_from_bytes(public_key)
        public_key.verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(public_key: bytes | Ed25519PublicKey | X25519PublicKey) -> str:
    """16 hex digits of SHA-256 of the raw public key: names a key inside a signed record."""
    raw = public_key if isinstance(public_key, bytes) else public_bytes(public_key)
    return hashlib.sha256(raw).hexdigest()[:16]


def fingerprint(public_key: bytes | Ed25519PublicKey | X25519PublicKey) -> str:
    """The key id in groups of four, for reading aloud over the phone when a key is registered."""
    ident = key_id(public_key)
    return " ".join(ident[i : i + 4] for i in range(0, len(ident), 4))
