"""The Dinsos server's signed receipt for an accepted batch: proof the office may stop resending it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync.batch import MAX_ITEMS, VerifiedBatch
from app.sync.canonical import Fields, SignedRecord, as_received, normalise_times, parse_canonical
from app.sync.errors import FormatInvalid, ReceiptInvalid
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

RECEIPT_FORMAT = "usulkan-receipt"


@dataclass(frozen=True)
class Receipt(SignedRecord):
    batch_id: str
    office_id: str
    sequence: int
    batch_hash: str
    accepted_items: tuple[str, ...]
    received_at: datetime
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "received_at")
        object.__setattr__(self, "accepted_items", tuple(self.accepted_items))

    def body(self) -> dict[str, Any]:
        return {
            "format": RECEIPT_FORMAT,
            "batch_id": self.batch_id,
            "office_id": self.office_id,
            "sequence": self.sequence,
            "batch_hash": self.batch_hash,
            "accepted_items": list(self.accepted_items),
            "received_at": self.received_at,
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> Receipt:
        try:
            f = Fields(obj, "receipt")
            f.constant("format", RECEIPT_FORMAT)
            receipt = cls(
                batch_id=f.uuid("batch_id"),
                office_id=f.uuid("office_id"),
                sequence=f.integer("sequence", minimum=1),
                batch_hash=f.digest("batch_hash"),
                accepted_items=tuple(f.uuids("accepted_items", max_items=MAX_ITEMS)),
                received_at=f.time("received_at"),
                server_key_id=f.text("server_key_id", pattern=KEY_ID),
                signature=f.raw("signature", length=SIGNATURE_BYTES),
            )
            f.done()
        except FormatInvalid as err:
            raise ReceiptInvalid("bad_format", **err.params) from err
        return receipt

    @classmethod
    def from_bytes(cls, data: bytes) -> Receipt:
        try:
            obj = parse_canonical(data, where="receipt")
        except FormatInvalid as err:
            raise ReceiptInvalid("bad_format", **err.params) from err
        return cls.from_dict(obj)


def issue_receipt(
    server: Signer | Ed25519PrivateKey,
    *,
    batch_id: str,
    office_id: str,
    sequence: int,
    batch_hash: str,
    accepted_items: Sequence[str],
    received_at: datetime,
) -> Receipt:
    signer = as_signer(server)
    unsigned = Receipt(
        batch_id=batch_id,
        office_id=office_id,
        sequence=sequence,
        batch_hash=batch_hash,
        accepted_items=tuple(accepted_items),
        received_at=received_at,
        server_key_id=key_id(signer.public_key_bytes),
        signature=b"",
    )
    signature = signer.sign(unsigned.signing_bytes())
    return Receipt.from_dict(as_received({**unsigned.body(), "signature": signature}))


def receipt_for(
    server: Signer | Ed25519PrivateKey,
    verified: VerifiedBatch,
    *,
    received_at: datetime,
    accepted_items: Sequence[str] | None = None,
) -> Receipt:
    """The receipt for a batch verify_batch accepted; by default every item is accepted."""
    batch = verified.batch
    return issue_receipt(
        server,
        batch_id=batch.batch_id,
        office_id=batch.office_id,
        sequence=batch.sequence,
        batch_hash=verified.batch_hash,
        accepted_items=[item.item_id for item in batch.items] if accepted_items is None else accepted_items,
        received_at=received_at,
    )


def verify_receipt(receipt: Receipt, server_public_key: PublicKeyLike, *, expected_batch_hash: str) -> None:
    """Raise ReceiptInvalid unless the server key signed this receipt for exactly this batch."""
    raw = ed25519_public_raw(server_public_key)
    if receipt.server_key_id != key_id(raw) or not verify_ed25519(raw, receipt.signature, receipt.signing_bytes()):
        raise ReceiptInvalid("bad_signature")
    if receipt.batch_hash != expected_batch_hash:
        raise ReceiptInvalid("wrong_batch")
