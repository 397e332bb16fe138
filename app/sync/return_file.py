"""The signed return file from Dinsos to one office: receipts, status pages, which of its documents Dinsos
stores, and documents Dinsos sends back (the SK of an approval), encrypted to that office.

Layout in docs/batch-format.md ("Return file"). The inner record is signed by the server key the
office pinned at provisioning (certified by the Dinsos root); every receipt and status page inside
keeps its own signature, so the office checks them with the very functions the network path uses.
The outer file is AES-256-GCM under a key only this office and Dinsos can derive (from the office's
feed token, which travelled sealed in its bind request), so another office cannot read it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.i18n import N_
from app.sync.canonical import Fields, SignedRecord, as_received, canonical_bytes, normalise_times, parse_canonical
from app.sync.errors import FormatInvalid, ReceiptInvalid, StatusRejected, _Reasoned
from app.sync.keys import (
    KEY_ID,
    SIGNATURE_BYTES,
    PublicKeyLike,
    Signer,
    as_signer,
    ed25519_public_raw,
    key_id,
    verify_ed25519,
)
from app.sync.receipt import Receipt
from app.sync.status import StatusPage

RETURN_FORMAT = "usulkan-return"
FILE_FORMAT = "usulkan-return-file"
FORMAT_VERSION = 1
RETURN_SUFFIX = ".usulkan-return"
# 40 pages of 500 decisions, ten thousand receipts and 16 MiB of documents (base64 twice: inside the
# signed record and again as the sealed bytes) fit well inside; anything larger is not ours.
MAX_RETURN_FILE_BYTES = 64 * 1024 * 1024
MAX_RECEIPTS = 10_000
MAX_PAGES = 40
# The hashes of the office's documents Dinsos holds (the newest first when there are more).
MAX_STORED_DOCUMENTS = 20_000
# Documents Dinsos sends back: at most this many, and this many bytes together, in one file; the rest
# come in the next file (docs/batch-format.md, "Documents in the return file").
MAX_RETURN_DOCUMENTS = 40
MAX_RETURN_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_ONE_RETURN_DOCUMENT = 10 * 1024 * 1024
RETURN_DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
RETURN_DOCUMENT_KINDS = ("decree",)
_HEX64 = re.compile(r"[0-9a-f]{64}")
NONCE_BYTES = 12
_KDF_SALT = b"usulkan-return-file/1"


class ReturnFileInvalid(_Reasoned):
    """A return file the office must not use: nothing in it is applied."""

    messages = {
        "too_large": (N_("The file is far too large to be a return file from Dinsos."),
                      N_("Choose the .usulkan-return file Dinsos made for this kelurahan.")),
        "bad_format": (N_("The file is not a return file from Dinsos, or it is damaged."),
                       N_("Ask Dinsos to make the return file again and copy it once more.")),
        "wrong_office": (N_("This return file is for another kelurahan."),
                         N_("Ask Dinsos for the return file of this kelurahan.")),
        "damaged": (N_("The return file is damaged or was changed after Dinsos made it."),
                    N_("Ask Dinsos to make the return file again and copy it once more.")),
        "bad_signature": (N_("The return file is not signed by the Dinsos server key."),
                          N_("Do not use this file; tell Dinsos.")),
        "gap": (N_("This return file starts after decisions this office has not received yet."),
                N_("Ask Dinsos for a return file with every decision (without --after).")),
    }


def feed_token_digest(feed_token: str) -> str:
    """What the server stores of the office's feed token; both sides derive the file key from it."""
    return hashlib.sha256(feed_token.encode("utf-8")).hexdigest()


def file_key(token_digest: str, office_id: str, *, salt: bytes = _KDF_SALT) -> bytes:
    """The AES-256 key of one office's return files (HKDF-SHA256 over the feed token's digest).

    Another file format for the office passes its own ``salt`` and so gets a key of its own.
    """
    try:
        secret = bytes.fromhex(token_digest)
    except ValueError as err:
        raise ReturnFileInvalid("bad_format") from err
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=office_id.encode("utf-8")).derive(secret)


def return_file_name(office_id: str, issued_at: datetime) -> str:
    return f"usulkan-{office_id}-{issued_at:%Y%m%d%H%M%S}{RETURN_SUFFIX}"


@dataclass(frozen=True)
class ReturnDocument:
    """A document Dinsos sends back with one item of the office (the walikota's decree of its approval)."""

    item_id: str
    kind: str
    media_type: str
    name: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "kind": self.kind, "media_type": self.media_type, "name": self.name,
                "sha256": self.sha256, "data": self.data}

    @classmethod
    def read(cls, f: Fields) -> ReturnDocument:
        doc = cls(item_id=f.uuid("item_id"), kind=f.text("kind", choices=RETURN_DOCUMENT_KINDS),
                  media_type=f.text("media_type", choices=RETURN_DOCUMENT_TYPES),
                  name=f.text("name", max_len=120), data=f.raw("data"))
        sha256 = f.digest("sha256")
        f.done()
        if len(doc.data) > MAX_ONE_RETURN_DOCUMENT or not hmac.compare_digest(doc.sha256, sha256):
            raise FormatInvalid(field="return.documents")
        return doc


@dataclass(frozen=True)
class ReturnBundle(SignedRecord):
    """Everything Dinsos hands back to one office at once; status pages chain without a gap."""

    return_id: str
    office_id: str
    issued_at: datetime
    receipts: tuple[Receipt, ...]
    pages: tuple[StatusPage, ...]
    server_key_id: str
    signature: bytes = field(repr=False)
    # Added later, optional in the record (absent means none), so an older file still reads and verifies.
    stored_documents: tuple[str, ...] = ()
    documents: tuple[ReturnDocument, ...] = ()

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at")
        object.__setattr__(self, "receipts", tuple(self.receipts))
        object.__setattr__(self, "pages", tuple(self.pages))
        object.__setattr__(self, "stored_documents", tuple(self.stored_documents))
        object.__setattr__(self, "documents", tuple(self.documents))

    @property
    def cursor_from(self) -> int:
        return self.pages[0].cursor_from

    @property
    def cursor_to(self) -> int:
        return self.pages[-1].cursor_to

    def body(self) -> dict[str, Any]:
        body = {
            "format": RETURN_FORMAT,
            "format_version": FORMAT_VERSION,
            "return_id": self.return_id,
            "office_id": self.office_id,
            "issued_at": self.issued_at,
            "receipts": [receipt.to_dict() for receipt in self.receipts],
            "pages": [page.to_dict() for page in self.pages],
            "server_key_id": self.server_key_id,
        }
        if self.stored_documents:
            body["stored_documents"] = list(self.stored_documents)
        if self.documents:
            body["documents"] = [doc.to_dict() for doc in self.documents]
        return body

    @classmethod
    def from_dict(cls, obj: Any) -> ReturnBundle:
        try:
            f = Fields(obj, "return")
            f.constant("format", RETURN_FORMAT)
            f.constant("format_version", FORMAT_VERSION)
            bundle = cls(
                return_id=f.uuid("return_id"),
                office_id=f.uuid("office_id"),
                issued_at=f.time("issued_at"),
                receipts=tuple(Receipt.from_dict(r) for r in f.array("receipts", max_items=MAX_RECEIPTS)),
                pages=tuple(StatusPage.from_dict(p) for p in f.array("pages", max_items=MAX_PAGES, min_items=1)),
                server_key_id=f.text("server_key_id", pattern=KEY_ID),
                signature=f.raw("signature", length=SIGNATURE_BYTES),
                stored_documents=_stored(f, obj),
                documents=tuple(ReturnDocument.read(d) for _i, d in f.each("documents", max_items=MAX_RETURN_DOCUMENTS, min_items=1))
                if "documents" in obj else (),
            )
            f.done()
            if sum(len(d.data) for d in bundle.documents) > MAX_RETURN_DOCUMENT_BYTES:
                raise FormatInvalid(field="return.documents")
        except (FormatInvalid, ReceiptInvalid, StatusRejected) as err:
            raise ReturnFileInvalid("bad_format") from err
        if any(a.cursor_to != b.cursor_from for a, b in zip(bundle.pages, bundle.pages[1:])):
            raise ReturnFileInvalid("bad_format")  # pages that skip decisions
        others = [r.office_id for r in bundle.receipts] + [p.office_id for p in bundle.pages]
        if any(other != bundle.office_id for other in others):
            raise ReturnFileInvalid("wrong_office")
        return bundle


def _stored(f: Fields, obj: dict) -> tuple[str, ...]:
    if "stored_documents" not in obj:
        return ()
    hashes = f.array("stored_documents", max_items=MAX_STORED_DOCUMENTS, min_items=1)
    if not all(isinstance(h, str) and _HEX64.fullmatch(h) for h in hashes) or len(set(hashes)) != len(hashes):
        raise FormatInvalid(field="return.stored_documents")
    return tuple(hashes)


def issue_return(server: Signer | Ed25519PrivateKey, *, return_id: str, office_id: str, issued_at: datetime,
                 receipts: Sequence[Receipt], pages: Sequence[StatusPage], stored_documents: Sequence[str] = (),
                 documents: Sequence[ReturnDocument] = ()) -> ReturnBundle:
    signer = as_signer(server)
    unsigned = ReturnBundle(return_id, office_id, issued_at, tuple(receipts), tuple(pages),
                            key_id(signer.public_key_bytes), b"", tuple(stored_documents), tuple(documents))
    signature = signer.sign(unsigned.signing_bytes())
    return ReturnBundle.from_dict(as_received({**unsigned.body(), "signature": signature}))


def _header(office_id: str) -> dict[str, Any]:
    return {"format": FILE_FORMAT, "format_version": FORMAT_VERSION, "office_id": office_id}


def seal_return(bundle: ReturnBundle, token_digest: str, *, nonce: bytes | None = None) -> bytes:
    """The file's bytes: a clear header naming the office, the signed bundle encrypted to that office.

    ``nonce`` is for the test vector only; a real file always draws a fresh one.
    """
    header = _header(bundle.office_id)
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    sealed = AESGCM(file_key(token_digest, bundle.office_id)).encrypt(
        nonce, bundle.to_bytes(), canonical_bytes(header))
    return canonical_bytes({**header, "nonce": nonce, "sealed": sealed})


def read_return_header(data: bytes) -> dict[str, Any]:
    """The clear part (office id, nonce, ciphertext) after the size and format checks."""
    if len(data) > MAX_RETURN_FILE_BYTES:
        raise ReturnFileInvalid("too_large")
    try:
        f = Fields(parse_canonical(data, where="return_file"), "return_file")
        f.constant("format", FILE_FORMAT)
        f.constant("format_version", FORMAT_VERSION)
        header = {"office_id": f.uuid("office_id"), "nonce": f.raw("nonce", length=NONCE_BYTES),
                  "sealed": f.raw("sealed")}
        f.done()
    except FormatInvalid as err:
        raise ReturnFileInvalid("bad_format") from err
    return header


def open_return(data: bytes, feed_token: str, *, office_id: str, server_public_key: PublicKeyLike) -> ReturnBundle:
    """Decrypt and check a return file for ``office_id``; raise ReturnFileInvalid before anything is used.

    Checked here: the office, the encryption (tampering or another office's key both end as
    ``damaged``), the format, and the server key's signature over the whole. The receipts and
    pages inside are checked again one by one where they are applied.
    """
    header = read_return_header(data)
    if header["office_id"] != office_id:
        raise ReturnFileInvalid("wrong_office")
    try:
        plain = AESGCM(file_key(feed_token_digest(feed_token), office_id)).decrypt(
            header["nonce"], header["sealed"], canonical_bytes(_header(office_id)))
    except InvalidTag as err:
        raise ReturnFileInvalid("damaged") from err
    try:
        obj = parse_canonical(plain, where="return")
    except FormatInvalid as err:
        raise ReturnFileInvalid("bad_format") from err
    bundle = ReturnBundle.from_dict(obj)
    if bundle.office_id != office_id:
        raise ReturnFileInvalid("wrong_office")
    raw = ed25519_public_raw(server_public_key)
    if bundle.server_key_id != key_id(raw) or not verify_ed25519(raw, bundle.signature, bundle.signing_bytes()):
        raise ReturnFileInvalid("bad_signature")
    return bundle
