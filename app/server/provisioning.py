"""Registering a kelurahan (provisioning document + one-time code) and binding its Lurah key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.domain.regions import default_regions
from app.server import audit
from app.server.context import ServerContext
from app.server.errors import EnrolmentRefused, UnknownOffice, UnknownVillage
from app.server.models import Office
from app.sync.bind import (
    PROVISIONING_FORMAT,
    PROVISIONING_VERSION,
    BindError,
    check_server_url,
    issue_bind_answer,
    open_bind_request,
    read_sealed_header,
    sign_provisioning,
)
from app.sync.canonical import ZERO_HASH
from app.sync.keys import fingerprint
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


def known_village(code: str) -> str:
    """The dotted code of a kelurahan/desa in the shipped region list (app/domain/regions.py), else UnknownVillage."""
    region = default_regions().village(code) if code.strip().replace(".", "").isdigit() else None
    if region is None:
        raise UnknownVillage(code=code.strip()[:20] or "-")
    return region.code


def register_office(ctx: ServerContext, *, name: str, village_code: str, actor: str = "admin") -> Registered:
    check_server_url(ctx.settings.public_url)  # refuse before anything is stored
    village_code = known_village(village_code)
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
    """The document the kelurahan imports, signed by the Dinsos root (docs/batch-format.md §11).

    ``server_url`` is the checked public address, or None for an office that works by file.
    """
    keys = ctx.keys.public_document()
    doc = {
        "format": PROVISIONING_FORMAT,
        "format_version": PROVISIONING_VERSION,
        "server_url": check_server_url(ctx.settings.public_url),
        "office_id": office_id,
        "office_name": name,
        "village_code": village_code,
        "dinsos_root_public_key": keys["root_public_key"],
        "dinsos_root_fingerprint": keys["root_fingerprint"],
        "server_signing_certificate": keys["server_signing"],
        "batch_encryption_certificate": keys["batch_encryption"],
        "enrolment_code": code,
    }
    return sign_provisioning(ctx.keys.root, doc)


# The office draws 32 random bytes; base64url of them is 43 characters.
MIN_FEED_TOKEN_LEN = 43


def open_office_request(ctx: ServerContext, office_id: str, sealed: bytes, read_header, open_request):
    """A sealed bind or re-bind request, opened with the server's key, for this office and well formed.

    ``read_header``/``open_request`` are the format's pair (app/sync/bind.py, app/sync/rebind.py).
    """
    if read_header(sealed)["office_id"] != office_id:
        raise BindError("wrong_office")
    opened = open_request(sealed, ctx.keys.x25519)
    if len(opened.request.feed_token) < MIN_FEED_TOKEN_LEN:
        raise BindError("bad_format")
    return opened


def bind_office(ctx: ServerContext, office_id: str, sealed: bytes) -> bytes:
    """Open the sealed bind request, check the Lurah's signature and the one-time code, store the key.

    Returns the signed ``usulkan-bind-answer`` bytes. The code then dies; the *same* request sent
    again (a lost answer, the file imported twice) gets the same stored answer, anything else
    ``enrolment_refused``.
    """
    opened = open_office_request(ctx, office_id, sealed, read_sealed_header, open_bind_request)
    request = opened.request
    now = ctx.now()
    with ctx.transaction() as session:
        office = session.execute(select(Office).where(Office.id == office_id).with_for_update()).scalar_one_or_none()
        if office is None:
            raise UnknownOffice()
        if office.bind_request_hash is not None and office.bind_answer is not None:
            if hmac.compare_digest(office.bind_request_hash, opened.request_hash):
                return office.bind_answer.encode("utf-8")
            raise EnrolmentRefused()
        given = _hash(_normalise_code(request.enrolment_code))
        # Constant-time, and a used code (hash cleared) fails exactly like a wrong one.
        if office.enrolment_code_hash is None or not hmac.compare_digest(given, office.enrolment_code_hash):
            raise EnrolmentRefused()
        answer = issue_bind_answer(ctx.keys.server, opened, bound_at=now).to_bytes()
        office.enrolment_code_hash = None
        office.authority_public_key = request.authority_public_key
        office.feed_token_hash = _hash(request.feed_token)
        office.bound_at = now
        office.bind_request_hash = opened.request_hash
        office.bind_answer = answer.decode("utf-8")
        audit.append(session, at=now, actor=f"office:{office_id}", action="office_bound", subject=office_id,
                     detail={"authority_key_id": fingerprint(request.authority_public_key),
                             "request_hash": opened.request_hash})
    return answer


def bind_from_file(ctx: ServerContext, sealed: bytes) -> tuple[str, bytes]:
    """(office id, answer bytes) for a request file brought on a USB stick."""
    office_id = read_sealed_header(sealed)["office_id"]
    return office_id, bind_office(ctx, office_id, sealed)


def office_for_feed_token(session, office_id: str, token: str | None) -> Office | None:
    """The office when ``token`` is its feed token (compared as hashes, in constant time)."""
    if not token:
        return None
    office = session.get(Office, office_id)
    if office is None or office.feed_token_hash is None:
        return None
    return office if hmac.compare_digest(_hash(token), office.feed_token_hash) else None
