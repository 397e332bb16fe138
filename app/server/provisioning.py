"""Registering a kelurahan (provisioning document + one-time code) and binding its Lurah key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.server import audit
from app.server.context import ServerContext
from app.server.errors import BadRequest, BindInvalid, EnrolmentRefused, UnknownOffice
from app.server.models import Office
from app.sync.canonical import ZERO_HASH, b64url_decode, b64url_encode, canonical_bytes, parse_time
from app.sync.keys import fingerprint, verify_ed25519

PROVISIONING_FORMAT = "usulkan-provisioning"
BIND_FORMAT = "usulkan-bind"
FORMAT_VERSION = 1
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
_CODE_LENGTH = 20  # 100 bits


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, _CODE_LENGTH, 5))


def _normalise_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


@dataclass(frozen=True)
class Registered:
    office_id: str
    document: dict[str, Any]  # holds the code: hand it to the kelurahan only


def register_office(ctx: ServerContext, *, name: str, village_code: str, actor: str = "admin") -> Registered:
    code = new_enrolment_code()
    office_id = str(uuid.uuid4())
    now = ctx.now()
    with ctx.transaction() as session:
        session.add(Office(id=office_id, name=name, village_code=village_code,
                           enrolment_code_hash=_hash(_normalise_code(code)), created_at=now,
                           last_sequence=0, last_batch_hash=ZERO_HASH, feed_cursor=0))
        audit.append(session, at=now, actor=actor, action="office_registered", subject=office_id,
                     detail={"village_code": village_code})
    return Registered(office_id, provisioning_document(ctx, office_id, name, village_code, code))


def provisioning_document(ctx: ServerContext, office_id: str, name: str, village_code: str, code: str) -> dict:
    keys = ctx.keys.public_document()
    return {
        "format": PROVISIONING_FORMAT,
        "format_version": FORMAT_VERSION,
        "server_url": ctx.settings.public_url,
        "office_id": office_id,
        "office_name": name,
        "village_code": village_code,
        "dinsos_root_public_key": keys["root_public_key"],
        "dinsos_root_fingerprint": keys["root_fingerprint"],
        "server_signing_certificate": keys["server_signing"],
        "batch_encryption_certificate": keys["batch_encryption"],
        "enrolment_code": code,
    }


def bind_request_body(*, office_id: str, enrolment_code: str, authority_public_key: bytes, signed_at) -> dict:
    """The fields the Lurah key signs (what an office client builds; tests use it too)."""
    return {
        "format": BIND_FORMAT,
        "office_id": office_id,
        "enrolment_code": enrolment_code,
        "authority_public_key": authority_public_key,
        "signed_at": signed_at,
    }


def sign_bind_request(authority, **fields) -> dict:
    body = bind_request_body(**fields)
    signature = authority.sign(canonical_bytes(body))
    return {**_jsonable(body), "signature": b64url_encode(signature)}


def _jsonable(body: dict) -> dict:
    import json

    return json.loads(canonical_bytes(body))


@dataclass(frozen=True)
class Bound:
    office_id: str
    feed_token: str  # shown once; the server keeps only its hash
    authority_fingerprint: str


def bind_office(ctx: ServerContext, office_id: str, request: dict[str, Any]) -> Bound:
    """Check the Lurah's signature and the one-time code; store the key; the code then dies."""
    try:
        authority = b64url_decode(request["authority_public_key"])
        signature = b64url_decode(request["signature"])
        body = bind_request_body(
            office_id=request["office_id"], enrolment_code=request["enrolment_code"],
            authority_public_key=authority, signed_at=parse_time(request["signed_at"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BadRequest(field="bind") from err
    if request.get("format") != BIND_FORMAT or set(request) != {*body, "signature"}:
        raise BadRequest(field="bind")
    if body["office_id"] != office_id or len(authority) != 32:
        raise BadRequest(field="bind.office_id")
    if not verify_ed25519(authority, signature, canonical_bytes(body)):
        raise BindInvalid()
    now = ctx.now()
    token = secrets.token_urlsafe(32)
    with ctx.transaction() as session:
        office = session.execute(select(Office).where(Office.id == office_id).with_for_update()).scalar_one_or_none()
        if office is None:
            raise UnknownOffice()
        given = _hash(_normalise_code(str(body["enrolment_code"])))
        # Constant-time, and a used code (hash cleared) fails exactly like a wrong one.
        if office.enrolment_code_hash is None or not hmac.compare_digest(given, office.enrolment_code_hash):
            raise EnrolmentRefused()
        office.enrolment_code_hash = None
        office.authority_public_key = authority
        office.feed_token_hash = _hash(token)
        office.bound_at = now
        audit.append(session, at=now, actor=f"office:{office_id}", action="office_bound", subject=office_id,
                     detail={"authority_key_id": fingerprint(authority)})
    return Bound(office_id, token, fingerprint(authority))


def office_for_feed_token(session, office_id: str, token: str | None) -> Office | None:
    """The office when ``token`` is its feed token (compared as hashes, in constant time)."""
    if not token:
        return None
    office = session.get(Office, office_id)
    if office is None or office.feed_token_hash is None:
        return None
    return office if hmac.compare_digest(_hash(token), office.feed_token_hash) else None
