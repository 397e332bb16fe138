"""Documents that travel with a proposal: references bound in the signed item, sealed bytes, caps (docs/batch-format.md)."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.i18n import N_
from app.sync.canonical import Fields
from app.sync.envelope import HPKE_OVERHEAD, MAX_HEADER_BYTES, PRELUDE_BYTES, TRAILER_BYTES, open_envelope, read_header, seal
from app.sync.errors import FormatInvalid, _Reasoned

# The payload member of a signed item that lists its documents.
DOCUMENTS_KEY = "documents"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS_PER_ITEM = 12
MAX_ITEM_DOCUMENT_BYTES = 40 * 1024 * 1024
MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
# What sealing adds to a document at most: frame, clear header, HPKE key and tag, trailer hash.
MAX_SEAL_OVERHEAD = PRELUDE_BYTES + MAX_HEADER_BYTES + HPKE_OVERHEAD + TRAILER_BYTES


class DocumentRefused(_Reasoned):
    """Why a document (or an item's list of them) is not accepted; same reasons at the office and at Dinsos."""

    messages = {
        "bad_format": (
            N_("The document list of the proposal is not valid (at {field})."),
            N_("Queue the proposal again."),
        ),
        "document_too_large": (
            N_("A document is {size_mb} MB; the limit is {limit_mb} MB per document."),
            N_("Scan it again at a lower resolution or as several pages."),
        ),
        "too_many_documents": (
            N_("The proposal has too many documents ({count}); at most {limit} can be sent with one proposal."),
            N_("Remove the documents Dinsos does not need."),
        ),
        "item_too_large": (
            N_("The documents of the proposal are {size_mb} MB together; the limit is {limit_mb} MB."),
            N_("Remove or scan again the largest documents."),
        ),
        "type_not_allowed": (
            N_("A document is not a PDF, JPEG or PNG."),
            N_("Save the scan as PDF, JPEG or PNG and attach it again."),
        ),
        "hash_mismatch": (
            N_("The document received does not match the one named in the signed proposal."),
            N_("The document was damaged or altered; the office sends it again."),
        ),
        "not_referenced": (
            N_("No proposal received from this kelurahan names this document."),
            N_("Send the proposal's batch first, then its documents."),
        ),
        "wrong_office": (
            N_("The document was sealed by a different kelurahan."),
            N_("Contact Dinsos."),
        ),
    }


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


@dataclass(frozen=True)
class DocumentRef:
    """What the signed item says about one document: its hash binds the bytes Dinsos receives later."""

    sha256: str
    kind: str
    media_type: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "kind": self.kind, "media_type": self.media_type, "size": self.size}

    @property
    def envelope_id(self) -> str:
        return envelope_id(self.sha256)

    @property
    def max_sealed_bytes(self) -> int:
        return self.size + MAX_SEAL_OVERHEAD


def ref_for(data: bytes, *, kind: str, media_type: str) -> DocumentRef:
    """The reference of ``data``, refused here with the caps Dinsos applies."""
    ref = DocumentRef(hashlib.sha256(data).hexdigest(), kind, media_type, len(data))
    check_refs([ref])
    return ref


def envelope_id(sha256: str) -> str:
    """The id in a sealed document's clear header: the first 16 bytes of its hash, as a UUID."""
    return str(uuid.UUID(bytes=bytes.fromhex(sha256)[:16]))


def check_refs(refs: list[DocumentRef] | tuple[DocumentRef, ...]) -> None:
    """The per-document and per-item caps; raises DocumentRefused."""
    if len(refs) > MAX_DOCUMENTS_PER_ITEM:
        raise DocumentRefused("too_many_documents", count=len(refs), limit=MAX_DOCUMENTS_PER_ITEM)
    for ref in refs:
        if ref.media_type not in MEDIA_TYPES:
            raise DocumentRefused("type_not_allowed")
        if ref.size > MAX_DOCUMENT_BYTES:
            raise DocumentRefused("document_too_large", size_mb=_mb(ref.size), limit_mb=_mb(MAX_DOCUMENT_BYTES))
    total = sum(ref.size for ref in refs)
    if total > MAX_ITEM_DOCUMENT_BYTES:
        raise DocumentRefused("item_too_large", size_mb=_mb(total), limit_mb=_mb(MAX_ITEM_DOCUMENT_BYTES))


def with_documents(payload: dict[str, Any], refs: list[DocumentRef]) -> dict[str, Any]:
    """The payload with its document list; none is added when there are no documents (older payloads stay the same)."""
    check_refs(refs)
    if not refs:
        return dict(payload)
    return {**payload, DOCUMENTS_KEY: [ref.to_dict() for ref in refs]}


def refs_in(payload: dict[str, Any]) -> tuple[DocumentRef, ...]:
    """The documents an item's payload names, every field and cap checked; raises DocumentRefused."""
    if DOCUMENTS_KEY not in payload:
        return ()
    try:
        f = Fields(payload, "payload")
        refs = []
        # Over the cap is reported as too many, not as a format error.
        listed = f.array(DOCUMENTS_KEY, max_items=10 * MAX_DOCUMENTS_PER_ITEM)
        if len(listed) > MAX_DOCUMENTS_PER_ITEM:
            raise DocumentRefused("too_many_documents", count=len(listed), limit=MAX_DOCUMENTS_PER_ITEM)
        for _index, d in f.each(DOCUMENTS_KEY, max_items=MAX_DOCUMENTS_PER_ITEM):
            refs.append(DocumentRef(
                sha256=d.digest("sha256"),
                kind=d.text("kind", max_len=32, pattern=KIND),
                media_type=d.text("media_type", max_len=64),
                size=d.integer("size", minimum=1),
            ))
            d.done()
    except FormatInvalid as err:
        raise DocumentRefused("bad_format", **err.params) from err
    if len({ref.sha256 for ref in refs}) != len(refs):
        raise DocumentRefused("bad_format", field="payload.documents")
    check_refs(refs)
    return tuple(refs)


def seal_document(data: bytes, ref: DocumentRef, dinsos_x25519_public: X25519PublicKey | bytes, *, office_id: str) -> bytes:
    """Encrypt one document to Dinsos in the batch envelope; the header names the office and the document."""
    if len(data) != ref.size or not hmac.compare_digest(hashlib.sha256(data).hexdigest(), ref.sha256):
        raise DocumentRefused("hash_mismatch")
    check_refs([ref])
    return seal(data, dinsos_x25519_public, batch_id=ref.envelope_id, office_id=office_id)


def check_sealed_header(sealed: bytes, ref: DocumentRef, *, office_id: str) -> None:
    """The clear header of a (whole) sealed document names this office and this document."""
    header = read_header(sealed)
    if header.office_id != office_id:
        raise DocumentRefused("wrong_office")
    if header.batch_id != ref.envelope_id:
        raise DocumentRefused("hash_mismatch")


def open_document(sealed: bytes, ref: DocumentRef, dinsos_x25519_private: X25519PrivateKey, *, office_id: str) -> bytes:
    """The document's bytes, only if they are exactly the ones the signed item names."""
    if len(sealed) > ref.max_sealed_bytes:
        raise DocumentRefused("document_too_large", size_mb=_mb(len(sealed)), limit_mb=_mb(ref.size))
    check_sealed_header(sealed, ref, office_id=office_id)
    data = open_envelope(sealed, dinsos_x25519_private)
    if len(data) != ref.size or not hmac.compare_digest(hashlib.sha256(data).hexdigest(), ref.sha256):
        raise DocumentRefused("hash_mismatch")
    return data
