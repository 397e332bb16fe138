"""A new Lurah without the old one: the re-bind request and Dinsos's signed answer (docs/batch-format.md §12).

The old Lurah is gone (moved, ill, not cooperating), so the old authority key cannot sign the
hand-over. Dinsos checks the new Lurah in person and issues a **one-time re-bind code**. The
office then makes a new authority key and sends a **re-bind request**: exactly a bind request
(app/sync/bind.py), signed by the *new* key and sealed (HPKE) to the Dinsos batch encryption key,
but under its own sealed format ``usulkan-rebind-request``, which is bound into HPKE's info: a
bind request can never be replayed as a re-bind, nor the other way round. The code travels only
inside the seal.

Dinsos answers with a **re-bind answer** signed by its server key (certified by the pinned
root): the office, the old and the new authority key, the hash of the sealed request it answers,
and the *boundary*, the last batch sequence Dinsos holds under the old key. Batches up to it
stay as they are; every later batch must chain to the new key.

Pure Python like the rest of ``app.sync``: no database, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.sync import bind
from app.sync.bind import BindError, OpenedBindRequest
from app.sync.canonical import Fields, SignedRecord, canonical_bytes, normalise_times, parse_canonical, sha256_hex
from app.sync.errors import FormatInvalid
from app.sync.keys import KEY_BYTES, KEY_ID, SIGNATURE_BYTES, PublicKeyLike, Signer, as_signer, ed25519_public_raw, \
    key_id, verify_ed25519

SEALED_FORMAT = "usulkan-rebind-request"
ANSWER_FORMAT = "usulkan-rebind-answer"
REQUEST_SUFFIX = ".usulkan-rebind-request"
ANSWER_SUFFIX = ".usulkan-rebind-answer"


def make_rebind_request(new_authority: Signer, *, office_id: str, rebind_code: str, feed_token: str,
                        signed_at: datetime, dinsos_x25519_public: X25519PublicKey | bytes) -> bytes:
    """The sealed request, signed by the new authority key: canonical JSON, the same over HTTP and in a file."""
    return bind.make_bind_request(new_authority, office_id=office_id, enrolment_code=rebind_code,
                                  feed_token=feed_token, signed_at=signed_at,
                                  dinsos_x25519_public=dinsos_x25519_public, kind=SEALED_FORMAT)


def read_rebind_header(data: bytes) -> dict[str, Any]:
    return bind.read_sealed_header(data, SEALED_FORMAT)


def open_rebind_request(data: bytes, dinsos_x25519_private: X25519PrivateKey) -> OpenedBindRequest:
    """Decrypt and check: signed by the key it names, for the office in its header (the code is the server's)."""
    return bind.open_bind_request(data, dinsos_x25519_private, SEALED_FORMAT)


@dataclass(frozen=True)
class RebindAnswer(SignedRecord):
    office_id: str
    old_authority_public_key: bytes
    new_authority_public_key: bytes
    request_hash: str
    effective_after_sequence: int
    rebound_at: datetime
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "rebound_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": ANSWER_FORMAT,
            "office_id": self.office_id,
            "old_authority_public_key": self.old_authority_public_key,
            "new_authority_public_key": self.new_authority_public_key,
            "request_hash": self.request_hash,
            "effective_after_sequence": self.effective_after_sequence,
            "rebound_at": self.rebound_at,
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_bytes(cls, data: bytes) -> RebindAnswer:
        if len(data) > bind.MAX_ANSWER_BYTES:
            raise BindError("too_large")
        try:
            f = Fields(parse_canonical(data, where="rebind_answer"), "rebind_answer")
            f.constant("format", ANSWER_FORMAT)
            answer = cls(
                office_id=f.uuid("office_id"),
                old_authority_public_key=f.raw("old_authority_public_key", length=KEY_BYTES),
                new_authority_public_key=f.raw("new_authority_public_key", length=KEY_BYTES),
                request_hash=f.digest("request_hash"),
                effective_after_sequence=f.integer("effective_after_sequence"),
                rebound_at=f.time("rebound_at"),
                server_key_id=f.text("server_key_id", pattern=KEY_ID),
                signature=f.raw("signature", length=SIGNATURE_BYTES),
            )
            f.done()
        except FormatInvalid as err:
            raise BindError("bad_format") from err
        return answer


def issue_rebind_answer(server: Signer, opened: OpenedBindRequest, *, old_authority_public_key: bytes,
                        effective_after_sequence: int, rebound_at: datetime) -> RebindAnswer:
    signer = as_signer(server)
    unsigned = RebindAnswer(
        office_id=opened.request.office_id, old_authority_public_key=old_authority_public_key,
        new_authority_public_key=opened.request.authority_public_key, request_hash=opened.request_hash,
        effective_after_sequence=effective_after_sequence, rebound_at=rebound_at,
        server_key_id=key_id(signer.public_key_bytes), signature=b"")
    return RebindAnswer.from_bytes(canonical_bytes({**unsigned.body(),
                                                    "signature": signer.sign(unsigned.signing_bytes())}))


def verify_rebind_answer(data: bytes, server_public_key: PublicKeyLike, *, office_id: str, old_authority_public_key: bytes,
                         new_authority_public_key: bytes, sealed_request: bytes) -> RebindAnswer:
    """The answer, if the certified server key signed it for exactly this office, these keys and this request."""
    answer = RebindAnswer.from_bytes(data)
    raw = ed25519_public_raw(server_public_key)
    if answer.server_key_id != key_id(raw) or not verify_ed25519(raw, answer.signature, answer.signing_bytes()):
        raise BindError("answer_not_signed")
    if (answer.office_id != office_id or answer.old_authority_public_key != old_authority_public_key
            or answer.new_authority_public_key != new_authority_public_key
            or answer.request_hash != sha256_hex(sealed_request)):
        raise BindError("answer_mismatch")
    return answer


def request_file_name(office_id: str) -> str:
    return f"usulkan-{office_id}{REQUEST_SUFFIX}"


def answer_file_name(office_id: str) -> str:
    return f"usulkan-{office_id}{ANSWER_SUFFIX}"
