"""Link the office to Dinsos: import the provisioning document, then bind the Lurah's authority key."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sqlalchemy import select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import lurah
from app.services.context import OfficeContext
from app.storage.models import Office, Operator
from app.storage.sync_models import Certificate, DinsosKey, SyncLink
from app import fsutil
from app.sync import bind as bind_format
from app.sync.bind import PROVISIONING_FORMAT, BindError, ServerUrlInvalid
from app.sync.bind import request_file_name as request_file_name  # re-exported: the Sync page names the file
from app.sync.canonical import b64url_decode
from app.sync.certificates import DinsosKeyCertificate, verify_dinsos_key
from app.sync.errors import CertificateError, FormatInvalid
from app.sync.keys import KEY_BYTES, fingerprint

FORMAT_VERSION = bind_format.PROVISIONING_VERSION
_FIELDS = {
    "format", "format_version", "server_url", "office_id", "office_name", "village_code",
    "dinsos_root_public_key", "dinsos_root_fingerprint", "server_signing_certificate",
    "batch_encryption_certificate", "enrolment_code", "signature",
}
_CERTS = {"server_signing": "server_signing_certificate", "batch_encryption": "batch_encryption_certificate"}


class ProvisioningInvalid(UsulkanError):
    template = N_("The provisioning document is not valid ({field}).")
    hint = N_("Ask Dinsos for the provisioning document again.")


class DinsosKeyNotTrusted(UsulkanError):
    template = N_("A Dinsos key in the provisioning document is not certified by the Dinsos root key.")
    hint = N_("Do not use this document. Ask Dinsos for a new one in person.")


class RootFingerprintMismatch(UsulkanError):
    template = N_("The Dinsos root key fingerprint does not match the one Dinsos read out.")
    hint = N_("Do not use this document. Check the fingerprint with Dinsos by phone.")


class AlreadyBound(UsulkanError):
    template = N_("This office is already linked to the Dinsos server.")


class ProvisioningNotSigned(UsulkanError):
    template = N_("The provisioning document is not signed by the Dinsos root key: it has been changed "
                  "since Dinsos made it.")
    hint = N_("Do not use this document. Ask Dinsos for a new one in person.")


class ServerAddressNotAllowed(UsulkanError):
    template = N_("The server address in the provisioning document is not allowed.")
    hint = N_("Dinsos must give an address that starts with https://. Ask Dinsos for a new document.")


class BindAnswerInvalid(UsulkanError):
    template = N_("The Dinsos server's answer to the link request is not valid: the office is NOT linked.")
    hint = N_("Someone may be changing the connection. Do not use this network for the link; link by file "
              "(request file to Dinsos) or contact Dinsos.")

    def __init__(self, reason: str = "bad_format"):
        super().__init__()
        self.reason = reason


class NoBindRequest(UsulkanError):
    template = N_("This office has not made a link request yet, so there is no answer to import.")
    hint = N_("Make the link request file first and take it to Dinsos.")


def _root_key(doc: dict, spoken_fingerprint: str | None) -> bytes:
    try:
        root = b64url_decode(doc["dinsos_root_public_key"])
    except (TypeError, ValueError) as err:
        raise ProvisioningInvalid(field="dinsos_root_public_key") from err
    if len(root) != KEY_BYTES:
        raise ProvisioningInvalid(field="dinsos_root_public_key")
    if doc["dinsos_root_fingerprint"] != fingerprint(root):
        raise ProvisioningInvalid(field="dinsos_root_fingerprint")
    if spoken_fingerprint is not None and _squash(spoken_fingerprint) != _squash(fingerprint(root)):
        raise RootFingerprintMismatch()
    return root


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("-", "").lower()


def read_document(doc: dict, *, at, root_fingerprint: str | None = None) -> tuple[bytes, dict[str, DinsosKeyCertificate]]:
    """Check the document's shape and both Dinsos key certificates against its root key."""
    if not isinstance(doc, dict) or set(doc) != _FIELDS:
        raise ProvisioningInvalid(field="fields")
    if doc["format"] != PROVISIONING_FORMAT or doc["format_version"] != FORMAT_VERSION:
        raise ProvisioningInvalid(field="format")
    for name in ("office_id", "enrolment_code"):
        if not isinstance(doc[name], str) or not doc[name]:
            raise ProvisioningInvalid(field=name)
    root = _root_key(doc, root_fingerprint)
    # The root signs the whole document: an edited address, code or certificate shows here.
    if not bind_format.provisioning_signed_by(doc, root):
        raise ProvisioningNotSigned()
    try:
        bind_format.check_server_url(doc["server_url"])
    except ServerUrlInvalid as err:
        raise ServerAddressNotAllowed() from err
    certs = {}
    for purpose, name in _CERTS.items():
        try:
            cert = DinsosKeyCertificate.from_dict(doc[name])
            verify_dinsos_key(cert, root, purpose=purpose, at=at)
        except FormatInvalid as err:
            raise ProvisioningInvalid(field=name) from err
        except CertificateError as err:
            raise DinsosKeyNotTrusted() from err
        certs[purpose] = cert
    return root, certs


def import_provisioning(ctx: OfficeContext, doc: dict, *, root_fingerprint: str | None = None) -> str:
    """The Lurah imports the document from Dinsos; return the root key fingerprint to confirm aloud."""
    office_keys.require_lurah(ctx)
    now = office_keys.now_seconds(ctx)
    root, certs = read_document(doc, at=now, root_fingerprint=root_fingerprint)
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is not None and link.bound_at is not None:
            raise AlreadyBound()
        if link is None:
            link = SyncLink(id=1, status_cursor=0)
            session.add(link)
        link.server_office_id, link.root_public_key = doc["office_id"], root
        link.enrolment_code, link.feed_token, link.imported_at = doc["enrolment_code"], None, now
        link.bind_request = link.bind_feed_token = None  # made for the previous document's keys
        for purpose, cert in certs.items():
            row = session.get(DinsosKey, purpose) or DinsosKey(purpose=purpose)
            row.key_id, row.public_key, row.valid_until = cert.key_id, cert.public_key, cert.valid_until.replace(tzinfo=None)
            row.certificate = cert.to_bytes().decode("utf-8")
            session.add(row)
        office = session.get(Office, ctx.office_id)
        office.server_url = bind_format.check_server_url(doc["server_url"])
        ctx.audit(session, "sync.provision", "office", ctx.office_id, server_office_id=doc["office_id"],
                  root_key_id=fingerprint(root))
    return fingerprint(root)


def bind_request(ctx: OfficeContext) -> tuple[str, bytes]:
    """(server office id, the sealed bind request) as the server expects it, made once.

    The request is signed by the Lurah's authority key and sealed to the Dinsos batch encryption
    key from the provisioning document, so the enrolment code and the feed token inside never
    travel in clear. It is kept until the signed answer arrives: a resend (lost answer, a file
    taken to Dinsos twice) carries the same bytes and gets the same answer.
    """
    office_keys.require_lurah(ctx)
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is None:
            raise office_keys.NotProvisioned()
        if link.enrolment_code is None:
            raise AlreadyBound()
        if link.bind_request is not None:
            return link.server_office_id, link.bind_request.encode("utf-8")
        office_keys.authority_key_in(ctx, session)
        signer = office_keys.authority_signer(ctx, session)
        encryption = session.get(DinsosKey, "batch_encryption")
        feed_token = secrets.token_urlsafe(32)
        sealed = bind_format.make_bind_request(
            signer, office_id=link.server_office_id, enrolment_code=link.enrolment_code, feed_token=feed_token,
            signed_at=office_keys.now_seconds(ctx), dinsos_x25519_public=encryption.public_key)
        link.bind_request, link.bind_feed_token = sealed.decode("utf-8"), feed_token
        ctx.audit(session, "sync.bind_request", "office", ctx.office_id,
                  authority_key_id=fingerprint(signer.public_key_bytes))
        return link.server_office_id, sealed


def accept_bind_answer(ctx: OfficeContext, answer: bytes) -> str:
    """Check the server's signed answer against the certified server key and our request; then linked.

    Anything else (unsigned, signed by another key, for another key or request) raises
    BindAnswerInvalid, is audited, and leaves the office unlinked with its request kept.
    """
    office_keys.require_lurah(ctx)
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is None:
            raise office_keys.NotProvisioned()
        if link.bound_at is not None:
            raise AlreadyBound()
        if link.bind_request is None:
            raise NoBindRequest()
        authority = office_keys.authority_key_in(ctx, session)
        server = session.get(DinsosKey, "server_signing")
        try:
            bind_format.verify_bind_answer(
                bytes(answer), server.public_key, office_id=link.server_office_id,
                authority_public_key=authority.public_key, sealed_request=link.bind_request.encode("utf-8"))
            refused = None
        except BindError as err:
            refused = err.reason
        if refused is None:
            link.feed_token, link.enrolment_code, link.bound_at = link.bind_feed_token, None, ctx.clock()
            link.bind_request = link.bind_feed_token = None
            ctx.audit(session, "sync.bind", "office", ctx.office_id,
                      authority_key_id=fingerprint(authority.public_key))
            return fingerprint(authority.public_key)
    with ctx.transaction() as session:
        ctx.audit(session, "sync.bind_refused", "office", ctx.office_id, reason=refused)
    raise BindAnswerInvalid(refused)


def bind(ctx: OfficeContext, transport) -> str:
    """Register the Lurah's authority key at Dinsos with the one-time code; linked once the answer checks."""
    office_id, request = bind_request(ctx)
    answer = transport.bind(office_id, request)
    if not isinstance(answer, (bytes, bytearray)):
        raise BindAnswerInvalid()
    return accept_bind_answer(ctx, bytes(answer))


def write_bind_request_file(ctx: OfficeContext, folder) -> Path:
    """The sealed bind request as a file for Dinsos (``usulkan-server bind-file``); 0600, atomic."""
    office_id, request = bind_request(ctx)
    folder = Path(folder)
    path = folder / bind_format.request_file_name(office_id) if folder.is_dir() else folder
    fsutil.write_atomic(path, request)
    return path


def import_bind_answer_file(ctx: OfficeContext, path) -> str:
    """The answer file Dinsos wrote for our request file; checked exactly as an answer over HTTP."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(bind_format.MAX_ANSWER_BYTES + 1)
    except OSError as err:
        raise BindAnswerFileUnreadable() from err
    return accept_bind_answer(ctx, data)


class BindAnswerFileUnreadable(UsulkanError):
    template = N_("The link answer file cannot be read.")
    hint = N_("Choose the .usulkan-bind-answer file Dinsos gave you and try again.")


class ProvisioningFileUnreadable(UsulkanError):
    template = N_("The provisioning file cannot be read or is not a provisioning document.")
    hint = N_("Choose the .json file Dinsos gave you (on a USB stick or by e-mail) and try again.")


# A provisioning document is a few kilobytes; a large file is something else.
MAX_DOCUMENT_BYTES = 256 * 1024


def read_provisioning_file(path) -> dict:
    """The document in ``path`` as a dict; its keys and signatures are checked on import."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValueError("too large")
        doc = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as err:
        raise ProvisioningFileUnreadable() from err
    if not isinstance(doc, dict) or doc.get("format") != PROVISIONING_FORMAT:
        raise ProvisioningFileUnreadable()
    return doc


def certify_uncertified(ctx: OfficeContext, valid_days: int = 365) -> list[str]:
    """Certify every active person (not the Lurah) who has no certificate valid today; their ids."""
    from app.services.operators import certify_pending  # operators builds on this module's link

    office_keys.require_lurah(ctx)
    now = ctx.clock()
    with ctx.reading() as session:
        people = session.scalars(select(Operator.id).where(Operator.active.is_(True), Operator.role != "lurah")).all()
        covered = set(session.scalars(select(Certificate.operator_id).where(Certificate.valid_until > now)))
    missing = [person for person in people if person not in covered]
    for person in missing:
        certify_pending(ctx, person, valid_days)
    return missing


def link_office(ctx: OfficeContext, doc: dict, transport, *, confirmation, root_fingerprint: str | None = None) -> str:
    """Import the document, bind the authority key and certify the office's people: one Lurah step.

    ``confirmation`` is the Lurah's approval of linking (``lurah.Purpose.LINK``), typed now.
    If the server cannot be reached, the import stays and ``bind_and_certify`` finishes it later
    (with a new approval).
    """
    with lurah.acting(ctx, confirmation, lurah.Purpose.LINK) as lurah_ctx:
        fp = import_provisioning(lurah_ctx, doc, root_fingerprint=root_fingerprint)
        _bind_and_certify(lurah_ctx, transport)
    return fp


def bind_and_certify(ctx: OfficeContext, transport, *, confirmation) -> list[str]:
    """Finish a link the server did not confirm yet; the Lurah approves it again (``Purpose.LINK``)."""
    with lurah.acting(ctx, confirmation, lurah.Purpose.LINK) as lurah_ctx:
        return _bind_and_certify(lurah_ctx, transport)


def _bind_and_certify(ctx: OfficeContext, transport) -> list[str]:
    with ctx.reading() as session:
        link = session.get(SyncLink, 1)
        bound = link is not None and link.feed_token is not None
    if not bound:
        bind(ctx, transport)
    return certify_uncertified(ctx)
