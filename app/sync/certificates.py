"""The trust chain's statements: operator certificates, revocations and Dinsos key certificates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync.canonical import Fields, SignedRecord, as_received, normalise_times, parse_canonical, utc_second
from app.sync.errors import (
    CertificateExpired,
    CertificateInvalid,
    CertificateNotYetValid,
    FormatInvalid,
    RevocationInvalid,
)
from app.sync.keys import (
    KEY_BYTES,
    KEY_ID,
    SIGNATURE_BYTES,
    PublicKeyLike,
    Signer,
    as_signer,
    key_id,
    verify_ed25519,
)

CERTIFICATE_FORMAT = "usulkan-operator-certificate"
REVOCATION_FORMAT = "usulkan-revocation"
DINSOS_KEY_FORMAT = "usulkan-dinsos-key"
ROLES = ("operator", "field_staff")
# What a Dinsos key may be used for; a signing key must never be accepted as the encryption key.
PURPOSES = ("server_signing", "batch_encryption")


def _check_window(at: datetime, valid_from: datetime, valid_until: datetime) -> None:
    at = utc_second(at)
    if at < valid_from:
        raise CertificateNotYetValid()
    if at > valid_until:
        raise CertificateExpired()


@dataclass(frozen=True)
class OperatorCertificate(SignedRecord):
    """The Lurah's statement that ``public_key`` belongs to an operator of the office, for a time."""

    cert_id: str
    office_id: str
    operator_id: str
    name: str
    role: str
    public_key: bytes
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "valid_from", "valid_until", "issued_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": CERTIFICATE_FORMAT,
            "cert_id": self.cert_id,
            "office_id": self.office_id,
            "operator_id": self.operator_id,
            "name": self.name,
            "role": self.role,
            "public_key": self.public_key,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_dict(cls, obj: Any, *, where: str = "certificate") -> OperatorCertificate:
        f = Fields(obj, where)
        f.constant("format", CERTIFICATE_FORMAT)
        cert = cls(
            cert_id=f.uuid("cert_id"),
            office_id=f.uuid("office_id"),
            operator_id=f.uuid("operator_id"),
            name=f.text("name", max_len=200),
            role=f.text("role", choices=ROLES),
            public_key=f.raw("public_key", length=KEY_BYTES),
            valid_from=f.time("valid_from"),
            valid_until=f.time("valid_until"),
            issued_at=f.time("issued_at"),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        if cert.valid_until <= cert.valid_from:
            raise FormatInvalid(field=f.path("valid_until"))
        return cert

    @classmethod
    def from_bytes(cls, data: bytes) -> OperatorCertificate:
        return cls.from_dict(parse_canonical(data, where="certificate"))


def issue_certificate(
    authority: Signer | Ed25519PrivateKey,
    *,
    office_id: str,
    operator_id: str,
    name: str,
    role: str,
    public_key: bytes,
    valid_from: datetime,
    valid_until: datetime,
    issued_at: datetime,
    cert_id: str | None = None,
) -> OperatorCertificate:
    """Certify an operator's key with the Lurah's authority key."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    unsigned = OperatorCertificate(
        cert_id=cert_id or str(uuid.uuid4()),
        office_id=office_id,
        operator_id=operator_id,
        name=name,
        role=role,
        public_key=public_key,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=issued_at,
        signature=b"",
    )
    signature = as_signer(authority).sign(unsigned.signing_bytes())
    return OperatorCertificate.from_dict(as_received({**unsigned.body(), "signature": signature}))


def verify_certificate(cert: OperatorCertificate, authority_public_key: PublicKeyLike, *, at: datetime) -> None:
    """Raise unless ``cert`` was signed by the authority key and is valid at ``at``."""
    if not verify_ed25519(authority_public_key, cert.signature, cert.signing_bytes()):
        raise CertificateInvalid()
    _check_window(at, cert.valid_from, cert.valid_until)


@dataclass(frozen=True)
class Revocation(SignedRecord):
    """The Lurah's statement that a certificate signs nothing after an office batch sequence."""

    office_id: str
    cert_id: str
    operator_id: str
    # Batches with a sequence above this, signed by the certificate, are refused; earlier ones stand.
    # A sequence, not a date, because the office's clock is not trusted.
    effective_after_sequence: int
    reason: str
    issued_at: datetime
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": REVOCATION_FORMAT,
            "office_id": self.office_id,
            "cert_id": self.cert_id,
            "operator_id": self.operator_id,
            "effective_after_sequence": self.effective_after_sequence,
            "reason": self.reason,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_dict(cls, obj: Any, *, where: str = "revocation") -> Revocation:
        f = Fields(obj, where)
        f.constant("format", REVOCATION_FORMAT)
        revocation = cls(
            office_id=f.uuid("office_id"),
            cert_id=f.uuid("cert_id"),
            operator_id=f.uuid("operator_id"),
            effective_after_sequence=f.integer("effective_after_sequence"),
            reason=f.text("reason", max_len=500),
            issued_at=f.time("issued_at"),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        return revocation

    @classmethod
    def from_bytes(cls, data: bytes) -> Revocation:
        return cls.from_dict(parse_canonical(data, where="revocation"))


def issue_revocation(
    authority: Signer | Ed25519PrivateKey,
    certificate: OperatorCertificate,
    *,
    effective_after_sequence: int,
    reason: str,
    issued_at: datetime,
) -> Revocation:
    unsigned = Revocation(
        office_id=certificate.office_id,
        cert_id=certificate.cert_id,
        operator_id=certificate.operator_id,
        effective_after_sequence=effective_after_sequence,
        reason=reason,
        issued_at=issued_at,
        signature=b"",
    )
    signature = as_signer(authority).sign(unsigned.signing_bytes())
    return Revocation.from_dict(as_received({**unsigned.body(), "signature": signature}))


def verify_revocation(revocation: Revocation, authority_public_key: PublicKeyLike) -> None:
    """Raise unless the revocation was signed by the office's authority key."""
    if not verify_ed25519(authority_public_key, revocation.signature, revocation.signing_bytes()):
        raise RevocationInvalid()


@dataclass(frozen=True)
class DinsosKeyCertificate(SignedRecord):
    """The Dinsos root's statement that a key is its server signing key or its encryption key."""

    key_id: str
    purpose: str
    public_key: bytes
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "valid_from", "valid_until", "issued_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": DINSOS_KEY_FORMAT,
            "key_id": self.key_id,
            "purpose": self.purpose,
            "public_key": self.public_key,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_dict(cls, obj: Any, *, where: str = "dinsos_key") -> DinsosKeyCertificate:
        f = Fields(obj, where)
        f.constant("format", DINSOS_KEY_FORMAT)
        cert = cls(
            key_id=f.text("key_id", pattern=KEY_ID),
            purpose=f.text("purpose", choices=PURPOSES),
            public_key=f.raw("public_key", length=KEY_BYTES),
            valid_from=f.time("valid_from"),
            valid_until=f.time("valid_until"),
            issued_at=f.time("issued_at"),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        if cert.key_id != key_id(cert.public_key):
            raise FormatInvalid(field=f.path("key_id"))
        if cert.valid_until <= cert.valid_from:
            raise FormatInvalid(field=f.path("valid_until"))
        return cert

    @classmethod
    def from_bytes(cls, data: bytes) -> DinsosKeyCertificate:
        return cls.from_dict(parse_canonical(data, where="dinsos_key"))


def issue_dinsos_key(
    root: Signer | Ed25519PrivateKey,
    *,
    purpose: str,
    public_key: bytes,
    valid_from: datetime,
    valid_until: datetime,
    issued_at: datetime,
) -> DinsosKeyCertificate:
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    unsigned = DinsosKeyCertificate(
        key_id=key_id(public_key),
        purpose=purpose,
        public_key=public_key,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=issued_at,
        signature=b"",
    )
    signature = as_signer(root).sign(unsigned.signing_bytes())
    return DinsosKeyCertificate.from_dict(as_received({**unsigned.body(), "signature": signature}))


def verify_dinsos_key(
    cert: DinsosKeyCertificate, root_public_key: PublicKeyLike, *, purpose: str, at: datetime
) -> bytes:
    """The certified raw public key, once checked against the root key, its purpose and ``at``."""
    if cert.purpose != purpose or not verify_ed25519(root_public_key, cert.signature, cert.signing_bytes()):
        raise CertificateInvalid()
    _check_window(at, cert.valid_from, cert.valid_until)
    return cert.public_key



AUTHORITY_ROTATION_FORMAT = "usulkan-authority-rotation"


@dataclass(frozen=True)
class AuthorityRotation(SignedRecord):
    """The old authority key hands the office over to a new one, from a batch sequence on.

    Signed by the *old* key. Batches up to ``effective_after_sequence`` stay as they were (their
    certificates chain to the old key); from the batch that carries this statement on, Dinsos
    checks certificates and countersignatures against ``new_public_key`` only, so the old key
    (e.g. one that stood in clear in old backups) signs nothing the server accepts any more.
    """

    rotation_id: str
    office_id: str
    old_public_key: bytes
    new_public_key: bytes
    effective_after_sequence: int
    reason: str
    issued_at: datetime
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": AUTHORITY_ROTATION_FORMAT,
            "rotation_id": self.rotation_id,
            "office_id": self.office_id,
            "old_public_key": self.old_public_key,
            "new_public_key": self.new_public_key,
            "effective_after_sequence": self.effective_after_sequence,
            "reason": self.reason,
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_dict(cls, obj: Any, *, where: str = "authority_rotation") -> AuthorityRotation:
        f = Fields(obj, where)
        f.constant("format", AUTHORITY_ROTATION_FORMAT)
        rotation = cls(
            rotation_id=f.uuid("rotation_id"),
            office_id=f.uuid("office_id"),
            old_public_key=f.raw("old_public_key", length=KEY_BYTES),
            new_public_key=f.raw("new_public_key", length=KEY_BYTES),
            effective_after_sequence=f.integer("effective_after_sequence"),
            reason=f.text("reason", max_len=500),
            issued_at=f.time("issued_at"),
            signature=f.raw("signature", length=SIGNATURE_BYTES),
        )
        f.done()
        if rotation.old_public_key == rotation.new_public_key:
            raise FormatInvalid(field=f.path("new_public_key"))
        return rotation

    @classmethod
    def from_bytes(cls, data: bytes) -> AuthorityRotation:
        return cls.from_dict(parse_canonical(data, where="authority_rotation"))


def issue_authority_rotation(
    old_authority: Signer | Ed25519PrivateKey, *, office_id: str, new_public_key: bytes,
    effective_after_sequence: int, reason: str, issued_at: datetime,
) -> AuthorityRotation:
    signer = as_signer(old_authority)
    unsigned = AuthorityRotation(
        rotation_id=str(uuid.uuid4()), office_id=office_id, old_public_key=signer.public_key_bytes,
        new_public_key=new_public_key, effective_after_sequence=effective_after_sequence, reason=reason,
        issued_at=issued_at, signature=b"",
    )
    signature = signer.sign(unsigned.signing_bytes())
    return AuthorityRotation.from_dict(as_received({**unsigned.body(), "signature": signature}))


def verify_authority_rotation(rotation: AuthorityRotation, authority_public_key: PublicKeyLike) -> None:
    """Raise unless signed by the key the office has now, and naming it as the old key."""
    current = authority_public_key if isinstance(authority_public_key, bytes) else None
    if current is not None and rotation.old_public_key != current:
        raise RevocationInvalid()
    if not verify_ed25519(rotation.old_public_key, rotation.signature, rotation.signing_bytes()):
        raise RevocationInvalid()
