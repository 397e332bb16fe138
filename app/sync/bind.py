"""Linking an office to Dinsos without trusting the road in between (docs/batch-format.md §11).

Three signed records and one sealed one:

* the **provisioning document**, signed by the Dinsos root key, so an edited ``server_url`` or
  a swapped key is seen by the office before anything is stored;
* the **bind request**, signed by the Lurah's authority key and then **sealed** (HPKE) to the
  Dinsos batch encryption key from that document: the one-time enrolment code and the feed token
  the office chose never travel in clear, whatever the transport (HTTP, a proxy, a USB file);
* the **bind answer**, signed by the Dinsos server key (certified by the pinned root), naming the
  office, the authority key it registered and the hash of the sealed request it answers. The
  office says "linked" only after checking it.

Pure Python like the rest of ``app.sync``: no database, no HTTP.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.i18n import N_
from app.sync.canonical import (
    Fields,
    SignedRecord,
    as_received,
    b64url_decode,
    b64url_encode,
    canonical_bytes,
    normalise_times,
    parse_canonical,
    sha256_hex,
)
from app.sync.errors import FormatInvalid, SyncError, _Reasoned
from app.sync.keys import (
    KEY_BYTES,
    KEY_ID,
    SIGNATURE_BYTES,
    PublicKeyLike,
    Signer,
    as_signer,
    ed25519_public_raw,
    key_id,
    public_bytes,
    verify_ed25519,
    x25519_public_from_bytes,
)

PROVISIONING_FORMAT = "usulkan-provisioning"
PROVISIONING_VERSION = 2
BIND_FORMAT = "usulkan-bind"
BIND_VERSION = 2
SEALED_FORMAT = "usulkan-bind-request"
SEALED_VERSION = 1
ANSWER_FORMAT = "usulkan-bind-answer"
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
# A bind request is a few hundred bytes; anything much larger is not one.
MAX_SEALED_BYTES = 16 * 1024
MAX_ANSWER_BYTES = 16 * 1024
MAX_CODE_LEN = 64
MAX_TOKEN_LEN = 100
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class BindError(_Reasoned):
    """Why a bind request or answer cannot be used; ``reason`` is a stable code."""

    messages = {
        "bad_format": (N_("The link request or answer is not in the expected format."),
                       N_("Make the link request again from the office application.")),
        "too_large": (N_("The link request or answer is too large to be genuine."),
                      N_("Make the link request again from the office application.")),
        "not_for_us": (N_("The link request was sealed to a different Dinsos key."),
                       N_("Import the current provisioning document from Dinsos and make the request again.")),
        "damaged": (N_("The link request was altered on its way or is damaged."),
                    N_("Make the link request again; if it keeps happening, the connection is being tampered with.")),
        "bad_signature": (N_("The link request is not signed by the key it names."),
                          N_("Make the link request again from the office application.")),
        "wrong_office": (N_("The link request or answer is for a different kelurahan."),
                         N_("Check that the file belongs to this kelurahan.")),
        "answer_not_signed": (N_("The answer to the link request is not signed by the Dinsos server key."),
                              N_("Do not trust this connection. The office is not linked; contact Dinsos.")),
        "answer_mismatch": (N_("The answer from Dinsos does not answer this office's link request."),
                            N_("Do not trust this connection. The office is not linked; contact Dinsos.")),
    }



class ServerUrlInvalid(SyncError):
    reason = "bad_server_url"
    template = N_("The Dinsos server address is not allowed.")
    hint = N_("Use an address that starts with https:// (http:// only for this computer itself, 127.0.0.1), "
              "or leave it empty for an office that sends by USB file.")


# --- the server address ----------------------------------------------------------------------

def _loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(text: str | None) -> str | None:
    """The address without a trailing slash, None when absent (an office that works by file).

    Only ``https://host[:port][/path]``, or ``http://`` to this computer itself (loopback: a
    test or a demo server). No user name or password in it, no query, no fragment, no spaces.
    Anything else raises ServerUrlInvalid.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise ServerUrlInvalid()
    text = text.strip().rstrip("/")
    if not text:
        return None
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in text) or len(text) > 500:
        raise ServerUrlInvalid()
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as err:
        raise ServerUrlInvalid() from err
    del port  # parsing it checks it
    if not host or parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ServerUrlInvalid()
    if "@" in parts.netloc:
        raise ServerUrlInvalid()
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(host)):
        return text
    raise ServerUrlInvalid()


# --- the provisioning document ---------------------------------------------------------------

def provisioning_signing_bytes(doc: dict[str, Any]) -> bytes:
    return canonical_bytes({k: v for k, v in doc.items() if k != "signature"})


def sign_provisioning(root: Signer, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (without ``signature``) with the Dinsos root's signature over its canonical bytes."""
    signer = as_signer(root)
    body = {k: v for k, v in doc.items() if k != "signature"}
    return {**body, "signature": b64url_encode(signer.sign(canonical_bytes(body)))}


def provisioning_signed_by(doc: dict[str, Any], root_public_key: bytes) -> bool:
    try:
        signature = b64url_decode(doc["signature"])
    except (KeyError, TypeError, ValueError):
        return False
    return verify_ed25519(root_public_key, signature, provisioning_signing_bytes(doc))


# --- the bind request --------------------------------------------------------------------------

@dataclass(frozen=True)
class BindRequest(SignedRecord):
    """What the Lurah's authority key signs; travels only inside a SealedBindRequest."""

    office_id: str
    enrolment_code: str
    authority_public_key: bytes
    feed_token: str
    signed_at: datetime
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "signed_at")

    def __repr__(self) -> str:  # never the code or the token in a log
        return f"BindRequest(office_id={self.office_id!r}, authority={key_id(self.authority_public_key)})"

    def body(self) -> dict[str, Any]:
        return {
            "format": BIND_FORMAT,
            "format_version": BIND_VERSION,
            "office_id": self.office_id,
            "enrolment_code": self.enrolment_code,
            "authority_public_key": self.authority_public_key,
            "feed_token": self.feed_token,
            "signed_at": self.signed_at,
        }

    @classmethod
    def from_bytes(cls, data: bytes) -> BindRequest:
        try:
            f = Fields(parse_canonical(data, where="bind"), "bind")
            f.constant("format", BIND_FORMAT)
            f.constant("format_version", BIND_VERSION)
            request = cls(
                office_id=f.uuid("office_id"),
                enrolment_code=f.text("enrolment_code", max_len=MAX_CODE_LEN),
                authority_public_key=f.raw("authority_public_key", length=KEY_BYTES),
                feed_token=f.text("feed_token", max_len=MAX_TOKEN_LEN),
                signed_at=f.time("signed_at"),
                signature=f.raw("signature", length=SIGNATURE_BYTES),
            )
            f.done()
        except FormatInvalid as err:
            raise BindError("bad_format") from err
        return request


def _sealed_header(office_id: str, recipient_key_id: str, kind: str = SEALED_FORMAT) -> dict[str, Any]:
    # ``kind`` is a bind or a re-bind request (app/sync/rebind.py): bound into HPKE's info, so a
    # request sealed as one can never be opened as the other.
    return {"format": kind, "format_version": SEALED_VERSION, "office_id": office_id,
            "recipient_key_id": recipient_key_id}


def make_bind_request(authority: Signer, *, office_id: str, enrolment_code: str, feed_token: str,
                      signed_at: datetime, dinsos_x25519_public: X25519PublicKey | bytes,
                      kind: str = SEALED_FORMAT) -> bytes:
    """The sealed, signed bind request: canonical JSON bytes, the same over HTTP and in a file."""
    signer = as_signer(authority)
    if isinstance(dinsos_x25519_public, bytes):
        dinsos_x25519_public = x25519_public_from_bytes(dinsos_x25519_public)
    unsigned = BindRequest(office_id=office_id, enrolment_code=enrolment_code,
                           authority_public_key=signer.public_key_bytes, feed_token=feed_token,
                           signed_at=signed_at, signature=b"")
    signed = canonical_bytes({**unsigned.body(), "signature": signer.sign(unsigned.signing_bytes())})
    BindRequest.from_bytes(signed)  # never seal what the server would refuse for its form
    header = _sealed_header(office_id, key_id(dinsos_x25519_public), kind)
    sealed = SUITE.encrypt(signed, dinsos_x25519_public, info=canonical_bytes(header))
    return canonical_bytes({**header, "sealed": sealed})


@dataclass(frozen=True)
class OpenedBindRequest:
    request: BindRequest
    request_hash: str  # SHA-256 of the sealed bytes: what the answer names


def read_sealed_header(data: bytes, kind: str = SEALED_FORMAT) -> dict[str, Any]:
    """The clear part of a sealed request (office id, key id), after the format checks."""
    if len(data) > MAX_SEALED_BYTES:
        raise BindError("too_large")
    try:
        f = Fields(parse_canonical(data, where="bind_request"), "bind_request")
        f.constant("format", kind)
        f.constant("format_version", SEALED_VERSION)
        header = {"office_id": f.uuid("office_id"), "recipient_key_id": f.text("recipient_key_id", pattern=KEY_ID),
                  "sealed": f.raw("sealed")}
        f.done()
    except FormatInvalid as err:
        raise BindError("bad_format") from err
    return header


def open_bind_request(data: bytes, dinsos_x25519_private: X25519PrivateKey,
                      kind: str = SEALED_FORMAT) -> OpenedBindRequest:
    """Decrypt and check a sealed bind request: its signature by the key it names, its office id.

    The enrolment code is *not* checked here (the server compares it with its stored hash).
    """
    header = read_sealed_header(data, kind)
    if header["recipient_key_id"] != key_id(public_bytes(dinsos_x25519_private.public_key())):
        raise BindError("not_for_us")
    info = canonical_bytes(_sealed_header(header["office_id"], header["recipient_key_id"], kind))
    try:
        plain = SUITE.decrypt(header["sealed"], dinsos_x25519_private, info=info)
    except (InvalidTag, ValueError) as err:
        raise BindError("damaged") from err
    request = BindRequest.from_bytes(plain)
    if request.office_id != header["office_id"]:
        raise BindError("wrong_office")
    if not verify_ed25519(request.authority_public_key, request.signature, request.signing_bytes()):
        raise BindError("bad_signature")
    return OpenedBindRequest(request, sha256_hex(data))


# --- the bind answer ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BindAnswer(SignedRecord):
    office_id: str
    authority_public_key: bytes
    request_hash: str
    bound_at: datetime
    server_key_id: str
    signature: bytes = field(repr=False)

    def __post_init__(self) -> None:
        normalise_times(self, "bound_at")

    def body(self) -> dict[str, Any]:
        return {
            "format": ANSWER_FORMAT,
            "office_id": self.office_id,
            "authority_public_key": self.authority_public_key,
            "request_hash": self.request_hash,
            "bound_at": self.bound_at,
            "server_key_id": self.server_key_id,
        }

    @classmethod
    def from_dict(cls, obj: Any) -> BindAnswer:
        try:
            f = Fields(obj, "bind_answer")
            f.constant("format", ANSWER_FORMAT)
            answer = cls(
                office_id=f.uuid("office_id"),
                authority_public_key=f.raw("authority_public_key", length=KEY_BYTES),
                request_hash=f.digest("request_hash"),
                bound_at=f.time("bound_at"),
                server_key_id=f.text("server_key_id", pattern=KEY_ID),
                signature=f.raw("signature", length=SIGNATURE_BYTES),
            )
            f.done()
        except FormatInvalid as err:
            raise BindError("bad_format") from err
        return answer

    @classmethod
    def from_bytes(cls, data: bytes) -> BindAnswer:
        if len(data) > MAX_ANSWER_BYTES:
            raise BindError("too_large")
        try:
            obj = parse_canonical(data, where="bind_answer")
        except FormatInvalid as err:
            raise BindError("bad_format") from err
        return cls.from_dict(obj)


def issue_bind_answer(server: Signer, opened: OpenedBindRequest, *, bound_at: datetime) -> BindAnswer:
    signer = as_signer(server)
    unsigned = BindAnswer(office_id=opened.request.office_id,
                          authority_public_key=opened.request.authority_public_key,
                          request_hash=opened.request_hash, bound_at=bound_at,
                          server_key_id=key_id(signer.public_key_bytes), signature=b"")
    signature = signer.sign(unsigned.signing_bytes())
    return BindAnswer.from_dict(as_received({**unsigned.body(), "signature": signature}))


def verify_bind_answer(data: bytes, server_public_key: PublicKeyLike, *, office_id: str,
                       authority_public_key: bytes, sealed_request: bytes) -> BindAnswer:
    """The answer, if the certified server key signed it for exactly this office, key and request."""
    answer = BindAnswer.from_bytes(data)
    raw = ed25519_public_raw(server_public_key)
    if answer.server_key_id != key_id(raw) or not verify_ed25519(raw, answer.signature, answer.signing_bytes()):
        raise BindError("answer_not_signed")
    if (answer.office_id != office_id or answer.authority_public_key != authority_public_key
            or answer.request_hash != sha256_hex(sealed_request)):
        raise BindError("answer_mismatch")
    return answer


# --- files (an office without a network) -------------------------------------------------------

REQUEST_SUFFIX = ".usulkan-bind-request"
ANSWER_SUFFIX = ".usulkan-bind-answer"


def request_file_name(office_id: str) -> str:
    return f"usulkan-{office_id}{REQUEST_SUFFIX}"


def answer_file_name(office_id: str) -> str:
    return f"usulkan-{office_id}{ANSWER_SUFFIX}"
