"""One keyslot: an X25519 key pair sealed under a secret (Argon2id + AES-GCM), and the data key sealed to it (HPKE).

The split is what lets a re-key leave people out: wrapping a new data key for a slot needs only
its public key, so the remaining operators keep their passphrases and the one who left gets
nothing new. Opening a slot takes the secret; sealing to it does not.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from app.storage import kdf
from app.storage.kdf import KdfParams

OPERATOR, RECOVERY = "operator", "recovery"
KINDS = (OPERATOR, RECOVERY)
HPKE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
NONCE_BYTES = 12
CHECK_BYTES = 16
SEALED_BYTES = 32 + 32 + 16  # HPKE encapsulated key, data key, GCM tag
_WRAP_CONTEXT = b"usulkan keyslot v1\x00"
_SEAL_CONTEXT = b"usulkan data key v1\x00"


class WrongSecret(Exception):
    """The passphrase or recovery code does not open this slot (internal; the vault names it)."""


class SlotDamaged(Exception):
    """The slot's sealed parts fail authentication: damaged or tampered (internal)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if size is not None and len(data) != size:
        raise ValueError("wrong length")
    return data


def _context(prefix: bytes, *parts: object) -> bytes:
    # A JSON array is an unambiguous encoding of the parts (no "a|b" vs "a|" + "b" confusion).
    return prefix + json.dumps(list(parts), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _kek_and_check(secret: bytes, salt: bytes, params: KdfParams) -> tuple[bytes, bytes]:
    """The key-encryption key and the check value, both from one (slow) Argon2id run."""
    master = kdf.derive(secret, salt, params, 32)
    expand = lambda info, length: HKDFExpand(hashes.SHA256(), length, info).derive(master)  # noqa: E731
    return expand(b"usulkan keyslot kek", 32), expand(b"usulkan keyslot check", CHECK_BYTES)


def _raw_public(public_key: X25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Keyslot:
    """A slot as stored in vault.json. ``failures``/``last_failure`` feed the unlock throttle."""

    id: str
    kind: str
    operator_id: str | None
    label: str
    public_key: bytes
    kdf: KdfParams
    salt: bytes
    check: bytes
    nonce: bytes
    wrapped_private_key: bytes
    sealed_data_key: bytes = b""
    failures: int = 0
    last_failure: float | None = None

    @property
    def pending(self) -> bool:
        """Written by an enrolment that has not reached its commit point: no data key sealed to it yet."""
        return not self.sealed_data_key

    # --- what the secret protects -------------------------------------------------------

    def _aad(self, office_id: str) -> bytes:
        # Binds the wrapped private key to this office, slot, kind and person: copying it into
        # another slot or renaming the operator in vault.json breaks it.
        return _context(_WRAP_CONTEXT, office_id, self.id, self.kind, self.operator_id or "")

    def open_private_key(self, secret: bytes, office_id: str) -> X25519PrivateKey:
        """Derive the KEK from ``secret`` and unwrap the slot's private key (slow: Argon2id)."""
        kek, check = _kek_and_check(secret, self.salt, self.kdf)
        # The check value tells a wrong secret from a damaged slot; it costs an attacker the
        # same Argon2id run per guess as the AES-GCM tag already does.
        if not hmac.compare_digest(check, self.check):
            raise WrongSecret()
        try:
            raw = AESGCM(kek).decrypt(self.nonce, self.wrapped_private_key, self._aad(office_id))
            private_key = X25519PrivateKey.from_private_bytes(raw)
        except (InvalidTag, ValueError) as exc:
            raise SlotDamaged() from exc
        if _raw_public(private_key.public_key()) != self.public_key:
            raise SlotDamaged()
        return private_key

    def rewrapped(self, private_key: X25519PrivateKey, secret: bytes, params: KdfParams, office_id: str) -> Keyslot:
        """The same key pair sealed under a new secret (a changed passphrase)."""
        salt = kdf.new_salt()
        kek, check = _kek_and_check(secret, salt, params)
        nonce = secrets.token_bytes(NONCE_BYTES)
        raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        slot = replace(self, kdf=params, salt=salt, check=check, nonce=nonce, failures=0, last_failure=None)
        return replace(slot, wrapped_private_key=AESGCM(kek).encrypt(nonce, raw, slot._aad(office_id)))

    # --- what the key pair protects -----------------------------------------------------

    def _info(self, office_id: str, generation: int) -> bytes:
        # A sealed data key is valid for one office, one generation and one slot only.
        return _context(_SEAL_CONTEXT, office_id, generation, self.id)

    def sealed(self, data_key: bytes, office_id: str, generation: int) -> Keyslot:
        """This slot with ``data_key`` sealed to its public key (no secret needed)."""
        public_key = X25519PublicKey.from_public_bytes(self.public_key)
        return replace(self, sealed_data_key=HPKE.encrypt(data_key, public_key, info=self._info(office_id, generation)))

    def open_data_key(self, private_key: X25519PrivateKey, office_id: str, generation: int) -> bytes:
        try:
            data_key = HPKE.decrypt(self.sealed_data_key, private_key, info=self._info(office_id, generation))
        except (InvalidTag, ValueError) as exc:
            raise SlotDamaged() from exc
        if len(data_key) != 32:
            raise SlotDamaged()
        return data_key

    # --- vault.json -----------------------------------------------------------------

    def public_view(self) -> dict:
        """What the vault MAC covers: everything that decides who receives the data key."""
        return {
            "id": self.id,
            "kind": self.kind,
            "operator_id": self.operator_id,
            "label": self.label,
            "public_key": _b64(self.public_key),
            "sealed_data_key": _b64(self.sealed_data_key),
        }

    def to_json(self) -> dict:
        return {
            **self.public_view(),
            "kdf": {**self.kdf.to_json(), "salt": _b64(self.salt), "check": _b64(self.check)},
            "wrapped_private_key": {"nonce": _b64(self.nonce), "ciphertext": _b64(self.wrapped_private_key)},
            "throttle": {"failures": self.failures, "last_failure": self.last_failure},
        }

    @classmethod
    def from_json(cls, data: dict) -> Keyslot:
        """Parse one slot; any missing or malformed field raises ValueError/KeyError/TypeError."""
        kind = data["kind"]
        operator_id = data["operator_id"]
        if kind not in KINDS or (kind == OPERATOR) != isinstance(operator_id, str):
            raise ValueError("bad slot kind")
        if not isinstance(data["id"], str) or not isinstance(data["label"], str):
            raise ValueError("bad slot id or label")
        throttle = data["throttle"]
        failures, last = throttle["failures"], throttle["last_failure"]
        if type(failures) is not int or failures < 0 or not (last is None or isinstance(last, int | float)):
            raise ValueError("bad throttle state")
        wrapped = data["wrapped_private_key"]
        return cls(
            id=data["id"],
            kind=kind,
            operator_id=operator_id,
            label=data["label"],
            public_key=_unb64(data["public_key"], 32),
            kdf=KdfParams.from_json(data["kdf"]),
            salt=_unb64(data["kdf"]["salt"], kdf.SALT_BYTES),
            check=_unb64(data["kdf"]["check"], CHECK_BYTES),
            nonce=_unb64(wrapped["nonce"], NONCE_BYTES),
            wrapped_private_key=_unb64(wrapped["ciphertext"], 32 + 16),
            # Empty while an enrolment is under way (a pending slot opens nothing; see Vault).
            sealed_data_key=b"" if data["sealed_data_key"] == "" else _unb64(data["sealed_data_key"], SEALED_BYTES),
            failures=failures,
            last_failure=None if last is None else float(last),
        )


def new_slot(
    kind: str, operator_id: str | None, label: str, secret: bytes, params: KdfParams, office_id: str
) -> Keyslot:
    """A slot with a fresh key pair sealed under ``secret``; seal the data key to it next."""
    return new_slot_and_key(kind, operator_id, label, secret, params, office_id)[0]


def new_slot_and_key(
    kind: str, operator_id: str | None, label: str, secret: bytes, params: KdfParams, office_id: str
) -> tuple[Keyslot, X25519PrivateKey]:
    """``new_slot`` and its private key, for the process that makes it to seal keys to it at once."""
    private_key = X25519PrivateKey.generate()
    blank = Keyslot(
        id=secrets.token_hex(16),
        kind=kind,
        operator_id=operator_id,
        label=label,
        public_key=_raw_public(private_key.public_key()),
        kdf=params,
        salt=b"",
        check=b"",
        nonce=b"",
        wrapped_private_key=b"",
    )
    return blank.rewrapped(private_key, secret, params, office_id), private_key
