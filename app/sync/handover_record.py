"""The signed handover record: the report's canonical body, the leaver's signature, the Lurah's countersignature.

A handover record stays in the office (docs/batch-format.md §14). Its body is RFC 8785 JSON
(``usulkan-handover``, version 1); its hash, the SHA-256 of those bytes, is the fingerprint
printed on the report. The leaver signs the body with their certified operator key; the Lurah
countersigns a small statement (``usulkan-handover-countersignature``) naming the record, its
hash and the leaver's signature, with the authority key. Records written before this module
existed have exactly these bytes and keep verifying.

Pure Python like the rest of ``app.sync``: no database; the office service looks the keys and
the certificate up and calls the checks here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import UsulkanError
from app.sync.canonical import canonical_bytes, parse_canonical, parse_time, sha256_hex, utc_second
from app.sync.certificates import OperatorCertificate, verify_certificate
from app.sync.errors import FormatInvalid
from app.sync.keys import PublicKeyLike, Signer, key_id, verify_ed25519

RECORD_FORMAT = "usulkan-handover"
COUNTERSIGN_FORMAT = "usulkan-handover-countersignature"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Person:
    id: str
    name: str

    def body(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class RecordItem:
    """One piece of work in the record: its key (``type:id``), what it is, who took it (None: the pool)."""

    key: str
    type: str
    label: str
    to: str | None
    to_name: str | None
    note: str | None

    def body(self) -> dict[str, Any]:
        return {"key": self.key, "type": self.type, "label": self.label, "to": self.to, "to_name": self.to_name,
                "note": self.note}


@dataclass(frozen=True)
class OperatorKey:
    """Which certified key the leaver signed with: the certificate and the key's id."""

    cert_id: str
    key_id: str

    @classmethod
    def of(cls, cert: OperatorCertificate) -> OperatorKey:
        return cls(cert.cert_id, key_id(cert.public_key))


def record_body(
    *, record_id: str, office_id: str, office_name: str, from_person: Person | None, by_person: Person | None,
    successor: Person | None, at: datetime, items: Iterable[RecordItem], operator_key: OperatorKey | None,
) -> dict[str, Any]:
    return {
        "format": RECORD_FORMAT,
        "format_version": FORMAT_VERSION,
        "record_id": record_id,
        "office_id": office_id,
        "office_name": office_name,
        "from": from_person.body() if from_person else None,
        "by": by_person.body() if by_person else None,
        "successor": successor.body() if successor else None,
        "at": utc_second(at),
        "items": [item.body() for item in items],
        "operator_key": None if operator_key is None else {"cert_id": operator_key.cert_id,
                                                           "key_id": operator_key.key_id},
    }


def record_bytes(**fields: Any) -> bytes:
    """The canonical bytes of ``record_body(**fields)``: what the leaver signs and the hash is taken of."""
    return canonical_bytes(record_body(**fields))


def report_hash(body: bytes) -> str:
    return sha256_hex(body)


def parse_record(data: bytes) -> dict[str, Any]:
    """The body as a dict; ``FormatInvalid`` unless it is canonical JSON (what it says is ``check_record``'s)."""
    return parse_canonical(data, where="handover")


def check_record(data: bytes, *, digest: str, record_id: str, from_operator: str,
                 successor: str | None) -> dict[str, Any]:
    """The body, if its hash is ``digest`` and it names this record, leaver and successor; else ``FormatInvalid``."""
    if sha256_hex(data) != digest:
        raise FormatInvalid(field="handover.report_hash")
    body = parse_record(data)
    if body.get("format") != RECORD_FORMAT or body.get("record_id") != record_id or (body.get("from") or {}).get("id") != from_operator \
            or (body.get("successor") or {}).get("id") != successor:
        raise FormatInvalid(field="handover.record_id")
    return body


def countersign_bytes(*, record_id: str, digest: str, operator_signature: bytes | None, signed_at: datetime) -> bytes:
    """What the Lurah's authority key signs: the record, its hash, the leaver's signature (or null), when."""
    return canonical_bytes({
        "format": COUNTERSIGN_FORMAT, "record_id": record_id, "report_hash": digest,
        "operator_signature": operator_signature, "signed_at": utc_second(signed_at),
    })


def countersign(authority: Signer, *, record_id: str, digest: str, operator_signature: bytes | None,
                signed_at: datetime) -> bytes:
    return authority.sign(countersign_bytes(record_id=record_id, digest=digest,
                                            operator_signature=operator_signature, signed_at=signed_at))


def countersignature_holds(authority_keys: Sequence[PublicKeyLike], signature: bytes, *, record_id: str, digest: str,
                           operator_signature: bytes | None, signed_at: datetime) -> bool:
    """True if one of the office's authority keys (past ones too: a record outlives a key change) signed it."""
    data = countersign_bytes(record_id=record_id, digest=digest, operator_signature=operator_signature,
                             signed_at=signed_at)
    return any(verify_ed25519(key, signature, data) for key in authority_keys)


def operator_signature_holds(data: bytes, body: dict[str, Any], *, cert: OperatorCertificate, public_key: bytes,
                             signature: bytes, authority_keys: Sequence[PublicKeyLike]) -> bool:
    """True if ``cert`` is the key the body names, was certified by an authority key when signing, and signed ``data``."""
    claimed = body.get("operator_key") or {}
    if cert.public_key != public_key or key_id(cert.public_key) != claimed.get("key_id") \
            or cert.cert_id != claimed.get("cert_id"):
        return False
    if not any(_certified(cert, key, body.get("at")) for key in authority_keys):
        return False
    return verify_ed25519(public_key, signature, data)


def _certified(cert: OperatorCertificate, authority: PublicKeyLike, at_text: object) -> bool:
    try:
        verify_certificate(cert, authority, at=parse_time(at_text))  # type: ignore[arg-type]
    except (UsulkanError, ValueError, TypeError):
        return False
    return True
