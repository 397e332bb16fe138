"""The signed batch: build, sign in stages (operator, then Lurah), serialise, verify (see docs/batch-format.md)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync.canonical import (
    ZERO_HASH,
    Fields,
    canonical_bytes,
    canonical_json,
    normalise_times,
    parse_canonical,
    sha256_hex,
    utc_second,
)
from app.sync.certificates import OperatorCertificate, Revocation, verify_certificate, verify_revocation
from app.sync.errors import BatchRejected, CertificateError, FormatInvalid, WrongSigner
from app.sync.keys import SIGNATURE_BYTES, PublicKeyLike, Signer, as_signer, verify_ed25519

BATCH_FORMAT = "usulkan-batch"
SCHEMA_VERSION = 1
MAX_ITEMS = 500
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_BATCH_BYTES = 16 * 1024 * 1024
# A batch dated further ahead than this is refused: a clock that far off signs nothing valid.
MAX_CLOCK_SKEW = timedelta(days=1)
ROUTES = ("muskel", "sptjm")
ITEM_TYPE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_SIGNATURES_MEMBER = b',"signatures":'


@dataclass(frozen=True)
class BatchItem:
    """One proposal, revocation, complaint ... with the hash that binds its opaque payload."""

    item_id: str
    item_type: str
    version: int
    base_id: str | None
    route: str | None
    payload: dict[str, Any] = field(repr=False)
    payload_hash: str

    @classmethod
    def create(
        cls,
        *,
        item_id: str,
        item_type: str,
        payload: dict[str, Any],
        version: int = 1,
        base_id: str | None = None,
        route: str | None = None,
    ) -> BatchItem:
        return cls(item_id, item_type, version, base_id, route, payload, sha256_hex(canonical_bytes(payload)))

    @cached_property
    def payload_bytes(self) -> bytes:
        return canonical_bytes(self.payload)

    def header(self) -> dict[str, Any]:
        """The item without its payload: what ``items_hash`` covers, so a receipt can name items cheaply."""
        return {
            "item_id": self.item_id,
            "item_type": self.item_type,
            "version": self.version,
            "base_id": self.base_id,
            "route": self.route,
            "payload_hash": self.payload_hash,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "payload": self.payload}


def items_hash(items: Iterable[BatchItem]) -> str:
    return sha256_hex(canonical_bytes([item.header() for item in items]))


@dataclass(frozen=True)
class UnsignedBatch:
    """Everything the signatures cover; the first stage of a batch."""

    batch_id: str
    office_id: str
    sequence: int
    prev_batch_hash: str
    created_at: datetime
    operator_certificate: OperatorCertificate
    items: tuple[BatchItem, ...] = field(repr=False)
    items_hash: str

    def __post_init__(self) -> None:
        normalise_times(self, "created_at")
        object.__setattr__(self, "items", tuple(self.items))

    def body(self) -> dict[str, Any]:
        return {
            "format": BATCH_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "batch_id": self.batch_id,
            "office_id": self.office_id,
            "sequence": self.sequence,
            "prev_batch_hash": self.prev_batch_hash,
            "created_at": self.created_at,
            "operator_certificate": self.operator_certificate.to_dict(),
            "items": [item.to_dict() for item in self.items],
            "items_hash": self.items_hash,
        }

    @cached_property
    def signing_bytes(self) -> bytes:
        """The bytes both the operator and the Lurah sign."""
        return canonical_bytes(self.body())

    @property
    def needs_countersignature(self) -> bool:
        return any(item.route == "sptjm" for item in self.items)

    def to_bytes(self) -> bytes:
        return _serialise(self, None, None)

    @classmethod
    def from_bytes(cls, data: bytes) -> UnsignedBatch:
        unsigned, operator, lurah = _parse(data)
        if operator is not None or lurah is not None:
            raise BatchRejected("bad_format", field="batch.signatures")
        return unsigned

    def sign_operator(self, signer: Signer | Ed25519PrivateKey) -> PartlySignedBatch:
        signer = as_signer(signer)
        if signer.public_key_bytes != self.operator_certificate.public_key:
            raise WrongSigner()
        return PartlySignedBatch(self, signer.sign(self.signing_bytes))


@dataclass(frozen=True)
class PartlySignedBatch:
    """Signed by the operator, and by the Lurah when needed (``is_complete``); waits in the outbox."""

    unsigned: UnsignedBatch
    operator_signature: bytes = field(repr=False)
    lurah_signature: bytes | None = field(default=None, repr=False)

    batch_id = property(lambda self: self.unsigned.batch_id)
    office_id = property(lambda self: self.unsigned.office_id)
    sequence = property(lambda self: self.unsigned.sequence)
    prev_batch_hash = property(lambda self: self.unsigned.prev_batch_hash)
    created_at = property(lambda self: self.unsigned.created_at)
    operator_certificate = property(lambda self: self.unsigned.operator_certificate)
    items = property(lambda self: self.unsigned.items)
    needs_countersignature = property(lambda self: self.unsigned.needs_countersignature)

    @property
    def is_complete(self) -> bool:
        return not self.needs_countersignature or self.lurah_signature is not None

    def countersign(self, lurah: Signer | Ed25519PrivateKey) -> PartlySignedBatch:
        """Add the Lurah's signature (SPTJM) over the same bytes the operator signed."""
        # The Lurah must never vouch for a batch altered while it waited in the outbox.
        cert_key = self.unsigned.operator_certificate.public_key
        if not verify_ed25519(cert_key, self.operator_signature, self.unsigned.signing_bytes):
            raise BatchRejected("bad_signature")
        signature = as_signer(lurah).sign(self.unsigned.signing_bytes)
        return PartlySignedBatch(self.unsigned, self.operator_signature, signature)

    @cached_property
    def _bytes(self) -> bytes:
        return _serialise(self.unsigned, self.operator_signature, self.lurah_signature)

    def to_bytes(self) -> bytes:
        return self._bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> PartlySignedBatch:
        unsigned, operator, lurah = _parse(data)
        if operator is None:
            raise BatchRejected("bad_format", field="batch.signatures.operator")
        return _received(cls(unsigned, operator, lurah), data)


def load_batch(data: bytes) -> UnsignedBatch | PartlySignedBatch:
    """Whichever stage ``data`` holds (the outbox keeps both)."""
    unsigned, operator, lurah = _parse(data)
    if operator is None:
        if lurah is not None:
            raise BatchRejected("bad_format", field="batch.signatures.operator")
        return unsigned
    return _received(PartlySignedBatch(unsigned, operator, lurah), data)


def _received(batch: PartlySignedBatch, data: bytes) -> PartlySignedBatch:
    # The bytes were checked to be canonical, so they are the serialisation: keep, don't rebuild.
    _prime(batch, "_bytes", data)
    return batch


def batch_hash(batch: PartlySignedBatch | bytes) -> str:
    """What the next batch names as ``prev_batch_hash``: SHA-256 of the serialised signed batch."""
    return sha256_hex(batch if isinstance(batch, bytes) else batch.to_bytes())


def build_batch(
    *,
    office_id: str,
    sequence: int,
    prev_batch_hash: str,
    operator_certificate: OperatorCertificate,
    items: Sequence[BatchItem],
    created_at: datetime,
    batch_id: str | None = None,
) -> UnsignedBatch:
    """An unsigned batch; refused here with the same checks and reasons as at Dinsos."""
    items = tuple(items)
    unsigned = UnsignedBatch(
        batch_id=batch_id or str(uuid.uuid4()),
        office_id=office_id,
        sequence=sequence,
        prev_batch_hash=prev_batch_hash,
        created_at=created_at,
        operator_certificate=operator_certificate,
        items=items,
        items_hash=items_hash(items),
    )
    # Through the reader and the hash checks, so the office never signs a batch Dinsos would refuse.
    again = UnsignedBatch.from_bytes(unsigned.to_bytes())
    _check_hashes(again)
    if again.operator_certificate.office_id != again.office_id:
        raise BatchRejected("bad_certificate")
    return again


def _serialise(unsigned: UnsignedBatch, operator: bytes | None, lurah: bytes | None) -> bytes:
    return canonical_bytes({**unsigned.body(), "signatures": {"operator": operator, "lurah": lurah}})


def _parse(data: bytes) -> tuple[UnsignedBatch, bytes | None, bytes | None]:
    """Size, then format and version, then every field; raises BatchRejected."""
    if len(data) > MAX_BATCH_BYTES:
        raise BatchRejected("too_large", limit="batch_bytes")
    try:
        obj = parse_canonical(data, where="batch")
        # Version first: a newer batch may not follow this version's field rules at all.
        if obj.get("format") != BATCH_FORMAT:
            raise FormatInvalid(field="batch.format")
        version = obj.get("schema_version")
        if type(version) is int and version != SCHEMA_VERSION:
            raise BatchRejected("unsupported_version", version=version)
        unsigned, operator, lurah = _read_fields(Fields(obj, "batch"))
    except FormatInvalid as err:
        raise BatchRejected("bad_format", **err.params) from err
    _prime(unsigned, "signing_bytes", _signed_prefix(data, obj))
    return unsigned, operator, lurah


def _signed_prefix(data: bytes, obj: dict[str, Any]) -> bytes:
    """The signed bytes, cut from the received ones: "signatures" is the last key in RFC 8785 order."""
    cut = data.rfind(_SIGNATURES_MEMBER)
    if data[cut:] != _SIGNATURES_MEMBER + canonical_json(obj["signatures"]) + b"}":
        raise BatchRejected("bad_format", field="batch.signatures")
    return data[:cut] + b"}"


def _prime(record: Any, name: str, value: bytes) -> None:
    """Fill a cached_property from bytes already at hand (it lives in the instance __dict__)."""
    record.__dict__[name] = value


def _read_fields(f: Fields) -> tuple[UnsignedBatch, bytes | None, bytes | None]:
    f.constant("format", BATCH_FORMAT)
    f.constant("schema_version", SCHEMA_VERSION)
    if len(f.array("items", max_items=MAX_BATCH_BYTES)) > MAX_ITEMS:
        raise BatchRejected("too_large", limit="items")
    items = tuple(_read_item(i, item) for i, item in f.each("items", min_items=1, max_items=MAX_ITEMS))
    if len({item.item_id for item in items}) != len(items):
        raise FormatInvalid(field="batch.items")
    sequence = f.integer("sequence", minimum=1)
    prev = f.digest("prev_batch_hash")
    # The first batch has no predecessor; any later one must name one.
    if (sequence == 1) != (prev == ZERO_HASH):
        raise FormatInvalid(field="batch.prev_batch_hash")
    signatures = Fields(f.object("signatures"), "batch.signatures")
    operator = signatures.raw("operator", length=SIGNATURE_BYTES, nullable=True)
    lurah = signatures.raw("lurah", length=SIGNATURE_BYTES, nullable=True)
    signatures.done()
    unsigned = UnsignedBatch(
        batch_id=f.uuid("batch_id", version=4),
        office_id=f.uuid("office_id"),
        sequence=sequence,
        prev_batch_hash=prev,
        created_at=f.time("created_at"),
        operator_certificate=OperatorCertificate.from_dict(
            f.object("operator_certificate"), where="batch.operator_certificate"
        ),
        items=items,
        items_hash=f.digest("items_hash"),
    )
    f.done()
    return unsigned, operator, lurah


def _read_item(index: int, f: Fields) -> BatchItem:
    item = BatchItem(
        item_id=f.uuid("item_id"),
        item_type=f.text("item_type", pattern=ITEM_TYPE),
        version=f.integer("version", minimum=1),
        base_id=f.uuid("base_id", nullable=True),
        route=f.text("route", choices=ROUTES, nullable=True),
        payload=f.object("payload"),
        payload_hash=f.digest("payload_hash"),
    )
    f.done()
    _prime(item, "payload_bytes", canonical_json(item.payload))
    if len(item.payload_bytes) > MAX_PAYLOAD_BYTES:
        raise BatchRejected("too_large", limit="payload_bytes", index=index + 1)
    return item


def _check_hashes(unsigned: UnsignedBatch) -> None:
    for index, item in enumerate(unsigned.items):
        if sha256_hex(item.payload_bytes) != item.payload_hash:
            raise BatchRejected("payload_hash_mismatch", index=index + 1)
    # Parsed headers are plain checked JSON, so the fast encoder applies (build used rfc8785: the
    # two must agree for any batch to verify, a standing cross-check of canonical_json).
    if sha256_hex(canonical_json([item.header() for item in unsigned.items])) != unsigned.items_hash:
        raise BatchRejected("items_hash_mismatch")


@dataclass(frozen=True)
class VerifiedBatch:
    """A batch that passed every check, with the hash its receipt and the next batch name."""

    batch: PartlySignedBatch
    batch_hash: str


def verify_batch(
    batch: PartlySignedBatch | bytes | bytearray | memoryview,
    *,
    authority_public_key: PublicKeyLike,
    now: datetime,
    revocations: Iterable[Revocation] = (),
    expected_sequence: int | None = None,
    expected_prev_hash: str | None = None,
    accepted_hash_at: Callable[[int], str | None] | None = None,
) -> VerifiedBatch:
    """Check a batch in the order of docs/batch-format.md; raise BatchRejected(reason) at the first failure.

    ``accepted_hash_at(sequence)`` gives the hash the server stored for an earlier sequence, so a
    resend of the same batch is told apart (``replay``) from a different one (``rollback``).
    """
    data = batch.to_bytes() if isinstance(batch, PartlySignedBatch) else bytes(batch)
    # Always from bytes: a batch object built by hand gets exactly the checks a received one gets.
    signed = PartlySignedBatch.from_bytes(data)
    unsigned = signed.unsigned
    _check_hashes(unsigned)

    cert = unsigned.operator_certificate
    if cert.office_id != unsigned.office_id:
        raise BatchRejected("bad_certificate")
    if unsigned.created_at > utc_second(now) + MAX_CLOCK_SKEW:
        raise BatchRejected("future_dated")
    try:
        # Validity at the batch's own date: an old batch stays valid after its certificate ends.
        verify_certificate(cert, authority_public_key, at=unsigned.created_at)
    except CertificateError as err:
        raise BatchRejected(err.reason) from err
    boundary = _revocation_boundary(cert, revocations, authority_public_key)
    if boundary is not None and unsigned.sequence > boundary:
        raise BatchRejected("revoked", sequence=unsigned.sequence)

    if not verify_ed25519(cert.public_key, signed.operator_signature, unsigned.signing_bytes):
        raise BatchRejected("bad_signature")
    # A countersignature is always checked when present, so no byte of a batch goes unverified.
    if signed.lurah_signature is not None:
        if not verify_ed25519(authority_public_key, signed.lurah_signature, unsigned.signing_bytes):
            raise BatchRejected("bad_countersignature")
    elif unsigned.needs_countersignature:
        raise BatchRejected("countersignature_missing")

    digest = batch_hash(data)
    _check_sequence(unsigned, digest, expected_sequence, expected_prev_hash, accepted_hash_at)
    return VerifiedBatch(signed, digest)


def _revocation_boundary(
    cert: OperatorCertificate, revocations: Iterable[Revocation], authority_public_key: PublicKeyLike
) -> int | None:
    boundaries = []
    for revocation in revocations:
        if revocation.cert_id == cert.cert_id:
            # A forged revocation must not pass for a real one, nor a real one be ignored: raise.
            verify_revocation(revocation, authority_public_key)
            boundaries.append(revocation.effective_after_sequence)
    return min(boundaries, default=None)


def _check_sequence(
    unsigned: UnsignedBatch,
    digest: str,
    expected_sequence: int | None,
    expected_prev_hash: str | None,
    accepted_hash_at: Callable[[int], str | None] | None,
) -> None:
    sequence = unsigned.sequence
    if expected_sequence is not None and sequence < expected_sequence:
        stored = accepted_hash_at(sequence) if accepted_hash_at else None
        raise BatchRejected("replay" if stored == digest else "rollback", sequence=sequence)
    if expected_sequence is not None and sequence > expected_sequence:
        raise BatchRejected("gap", sequence=sequence, expected=expected_sequence)
    if expected_prev_hash is not None and unsigned.prev_batch_hash != expected_prev_hash:
        raise BatchRejected("prev_hash_mismatch", sequence=sequence)
