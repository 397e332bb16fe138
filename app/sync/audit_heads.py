"""Dinsos's signed statement of the audit heads an office's batches carried (online `audit verify`).

``{format "usulkan-audit-heads", office_id, heads: [{batch_sequence, seq, hash}], issued_at,
server_key_id, signature}``, signed by the Dinsos server key. The office checks it with the
certified server key and then that its chain still holds every head listed: unlike the stored
receipts, this list cannot be thinned by deleting rows in the office database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.i18n import N_
from app.sync import chain
from app.sync.canonical import Fields, SignedRecord, as_received, normalise_times, parse_canonical
from app.sync.errors import FormatInvalid, _Reasoned
from app.sync.keys import KEY_ID, SIGNATURE_BYTES, PublicKeyLike, Signer, as_signer, ed25519_public_raw, key_id, verify_ed25519

HEADS_FORMAT = "usulkan-audit-heads"
MAX_HEADS = 1_000_000


class AuditHeadsInvalid(_Reasoned):
    messages = {
        "bad_format": (N_("The list of audit heads from Dinsos is not in the expected format."),
                       N_("Try again later; if it persists, contact Dinsos.")),
        "bad_signature": (N_("The list of audit heads is not signed by the Dinsos server key."),
                          N_("Do not trust this connection; check the audit log again later or contact Dinsos.")),
        "wrong_office": (N_("The list of audit heads is for a different kelurahan."),
                         N_("Contact Dinsos.")),
    }


@dataclass(frozen=True)
class AuditHeads(SignedRecord):
    office_id: str
    heads: tuple[chain.Head, ...]
    issued_at: datetime
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "issued_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": HEADS_FORMAT,
            "office_id": self.office_id,
            "heads": [{"batch_sequence": h.batch_sequence, "seq": h.seq, "hash": h.hash} for h in self.heads],
            "issued_at": self.issued_at,
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_bytes(cls, data: bytes) -> AuditHeads:
        try:
            f = Fields(parse_canonical(data, where="audit_heads"), "audit_heads")
            f.constant("format", HEADS_FORMAT)
            office_id = f.uuid("office_id")
            heads = []
            for _, h in f.each("heads", max_items=MAX_HEADS):
                heads.append(chain.Head(h.integer("seq"), h.digest("hash"), batch_sequence=h.integer("batch_sequence",
                                                                                                     minimum=1)))
                h.done()
            record = cls(office_id=office_id, heads=tuple(heads), issued_at=f.time("issued_at"),
                         server_key_id=f.text("server_key_id", pattern=KEY_ID),
                         signature=f.raw("signature", length=SIGNATURE_BYTES))
            f.done()
        except FormatInvalid as err:
            raise AuditHeadsInvalid("bad_format") from err
        return record


def issue_audit_heads(server: Signer, *, office_id: str, heads, issued_at: datetime) -> bytes:
    signer = as_signer(server)
    unsigned = AuditHeads(office_id=office_id, heads=tuple(heads), issued_at=issued_at,
                          server_key_id=key_id(signer.public_key_bytes), signature=b"")
    from app.sync.canonical import canonical_bytes

    return canonical_bytes(as_received({**unsigned.body(), "signature": signer.sign(unsigned.signing_bytes())}))


def verify_audit_heads(data: bytes, server_public_key: PublicKeyLike, *, office_id: str) -> tuple[chain.Head, ...]:
    record = AuditHeads.from_bytes(data)
    raw = ed25519_public_raw(server_public_key)
    if record.server_key_id != key_id(raw) or not verify_ed25519(raw, record.signature, record.signing_bytes()):
        raise AuditHeadsInvalid("bad_signature")
    if record.office_id != office_id:
        raise AuditHeadsInvalid("wrong_office")
    return record.heads
