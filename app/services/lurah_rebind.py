"""A new Lurah without the old one ("Lurah lama tidak ada"): the office re-binds with Dinsos's one-time code.

Nobody can sign with the old authority key, so Dinsos vouches instead: it checks the new Lurah in
person and gives a one-time re-bind code. Any session of the office may *ask* (the old Lurah is
gone, an operator opens the office); nothing changes here until Dinsos's signed answer checks out
against the pinned server key, so an operator without the code achieves nothing.

1. ``rebind_request``: a new authority key, a re-bind request signed by it and sealed to Dinsos
   (app/sync/rebind.py, the bind seal). The new key waits in ``lurah_change``, encrypted under a
   key derived from the code (typed again with the answer; stored nowhere). The same request is
   sent again byte for byte until answered (HTTP or a request file).
2. ``accept_rebind_answer``: the answer must be signed by the certified server key and name this
   office, the old and the new key and this very request. Then, like an enrolment (pending slot,
   one transaction, the slot completed as commit point): the new Lurah with her own keyslot,
   the new key sealed to it, every operator re-certified by it, batches past the boundary
   released (Dinsos will never accept them), the old Lurah's slot removed with a re-key, and a new
   recovery code. A kill before the commit point leaves the old office; after it,
   ``operators.finish_enrolments`` completes the slot at the next opening.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import office, operators
from app.services.context import OfficeContext
from app.services.lurah_change import _step, recertify_in, renew_recovery
from app.services.outbox import PENDING
from app.services.provisioning import BindAnswerInvalid
from app import fsutil
from app.storage import sealed
from app.storage.handover_models import LurahTotp, PendingRevocation
from app.storage.lurah_models import LurahChange
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, DinsosKey, OutboxBatch, OutboxItem, SigningKey, SyncLink
from app.storage.vault import DatabaseInUse, KdfParams
from app.sync import keys, rebind as rebind_format
from app.sync.bind import MAX_ANSWER_BYTES, BindError
from app.sync.keys import fingerprint


class RebindCodeWrong(UsulkanError):
    template = N_("This is not the re-bind code this request was made with.")
    hint = N_("Type the code from the Dinsos letter exactly as printed, then try again.")


class NoRebindRequest(UsulkanError):
    template = N_("This office has not made a re-bind request yet, so there is no answer to import.")
    hint = N_("Make the re-bind request first (with the code from Dinsos) and send it or take the file to Dinsos.")


class NotBoundYet(UsulkanError):
    template = N_("This office is not yet linked to Dinsos, so there is no Lurah key to replace there.")
    hint = N_("Link the office first; a new Lurah of an office not yet linked is simply enrolled.")


@dataclass(frozen=True)
class Rebound:
    new_lurah_id: str
    boundary: int
    recertified: tuple[str, ...]
    recovery_code: str  # show once, print, store nowhere


def _box(code: str, salt: bytes, office_id: str) -> AESGCM:
    # The code has 100 random bits: HKDF is enough, a slow KDF would add nothing against guessing.
    squashed = code.replace("-", "").replace(" ", "").upper().encode("utf-8")
    key = HKDF(hashes.SHA256(), 32, salt, f"usulkan rebind {office_id}".encode()).derive(squashed)
    return AESGCM(key)


def rebind_request(ctx: OfficeContext, code: str, new_lurah_name: str) -> tuple[str, bytes]:
    """(server office id, the sealed re-bind request), made once per code and sent again as it is."""
    name = " ".join(new_lurah_name.split())
    if not name:
        raise operators.OperatorNameMissing()
    with ctx.transaction() as session:
        link = session.get(SyncLink, 1)
        if link is None or link.enrolment_code is not None:
            raise NotBoundYet()
        waiting = session.scalars(select(LurahChange).where(LurahChange.kind == "rebind",
                                                           LurahChange.state == "requested")).first()
        if waiting is not None:
            try:
                _box(code, waiting.key_salt, ctx.office_id).decrypt(waiting.key_blob[:12], waiting.key_blob[12:], None)
                return link.server_office_id, waiting.sealed_request.encode("utf-8")
            except InvalidTag:
                session.delete(waiting)  # a new code from Dinsos replaces the request made with the old one
        authority = keys.generate_ed25519()
        raw = keys.private_bytes(authority)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        token = secrets.token_urlsafe(32)
        signer = keys.as_signer(authority)
        request = rebind_format.make_rebind_request(
            signer, office_id=link.server_office_id, rebind_code=code, feed_token=token,
            signed_at=office_keys.now_seconds(ctx), dinsos_x25519_public=session.get(DinsosKey, "batch_encryption").public_key)
        old = session.scalars(select(SigningKey).where(SigningKey.owner == AUTHORITY_OWNER, SigningKey.active.is_(True))
                              .order_by(SigningKey.id.desc())).first()
        session.add(LurahChange(
            id=str(uuid.uuid4()), kind="rebind", state="requested", new_lurah_name=name,
            old_authority_public=old.public_key if old else None, new_authority_public=signer.public_key_bytes,
            sealed_request=request.decode("utf-8"), feed_token=token, key_salt=salt,
            key_blob=nonce + _box(code, salt, ctx.office_id).encrypt(nonce, raw, None), recovery_due=True,
            created_at=office_keys.now_seconds(ctx)))
        ctx.audit(session, "lurah.rebind_request", "office", ctx.office_id, new=fingerprint(signer.public_key_bytes))
        return link.server_office_id, request


def accept_rebind_answer(ctx: OfficeContext, answer: bytes, code: str, passphrase: str,
                         kdf: KdfParams | None = None) -> Rebound:
    """Check Dinsos's signed answer, then install the new Lurah (see the module docstring)."""
    with ctx.reading() as session:
        change = session.scalars(select(LurahChange).where(LurahChange.kind == "rebind",
                                                          LurahChange.state == "requested")).first()
        if change is None:
            raise NoRebindRequest()
        link = session.get(SyncLink, 1)
        server = session.get(DinsosKey, "server_signing")
        try:
            verified = rebind_format.verify_rebind_answer(
                bytes(answer), server.public_key, office_id=link.server_office_id,
                old_authority_public_key=change.old_authority_public or b"",
                new_authority_public_key=change.new_authority_public, sealed_request=change.sealed_request.encode())
            refused = None
        except BindError as err:
            refused = err.reason
    if refused is not None:
        with ctx.transaction() as session:
            ctx.audit(session, "lurah.rebind_refused", "office", ctx.office_id, reason=refused)
        raise BindAnswerInvalid(refused)
    try:
        raw = _box(code, change.key_salt, ctx.office_id).decrypt(change.key_blob[:12], change.key_blob[12:], None)
    except InvalidTag as err:
        raise RebindCodeWrong() from err
    name = change.new_lurah_name
    office.check_passphrase(passphrase, name=name, office_name=ctx.office_name)
    params = office._kdf(kdf)
    new_id = str(uuid.uuid4())
    slot = ctx.vault.add_pending_operator_slot(ctx.data_key, new_id, name, passphrase, params)
    _step("slot_written")
    try:
        with ctx.transaction() as session:
            old_lurahs = _install(ctx, session, change.id, new_id, name, slot, raw, verified.effective_after_sequence)
            recertified = recertify_in(session, link.server_office_id, keys.Ed25519Signer.from_bytes(raw),
                                       office_keys.now_seconds(ctx))
            ctx.audit(session, "lurah.rebind", "operator", new_id, old=fingerprint(change.old_authority_public or b""),
                      new=fingerprint(change.new_authority_public), effective_after_sequence=verified.effective_after_sequence,
                      recertified=len(recertified), desk=ctx.operator_id)
    except BaseException:
        ctx.vault.discard_slot(ctx.data_key, slot.slot_id)
        raise
    _step("database_committed")
    ctx.vault.complete_slot(ctx.data_key, slot.slot_id)
    _step("slot_completed")
    for old_id in old_lurahs:
        if ctx.vault.has_operator(old_id):
            try:
                office.remove_operator(ctx, old_id)  # her slot goes, and a re-key: old copies open nothing new
            except DatabaseInUse:
                # Another session has the database open: she is inactive already (her slot opens no
                # session and no key); the slot is removed when the Lurah revokes or re-keys later.
                with ctx.transaction() as session:
                    ctx.audit(session, "lurah.old_slot_kept", "operator", old_id, reason="database_in_use")
    new_lurah = dataclasses.replace(ctx, operator_id=new_id, operator_name=name, operator_role="lurah",
                                    slot_key=slot, opened_keys={})
    code_out = renew_recovery(new_lurah, change.id, raw, change.new_authority_public, params)
    return Rebound(new_id, verified.effective_after_sequence, tuple(recertified), code_out)


def _install(ctx, session, change_id, new_id, name, slot, raw, boundary) -> list[str]:
    """The new Lurah in the database, the old one(s) out; returns the old Lurahs' ids."""
    now = office_keys.now_seconds(ctx)
    old_lurahs = list(session.scalars(select(Operator).where(Operator.role == "lurah", Operator.active.is_(True))))
    for old in old_lurahs:
        old.active, old.revoked_at = False, ctx.clock()
        for row in session.scalars(select(LurahTotp).where(LurahTotp.operator_id == old.id)):
            session.delete(row)  # the new Lurah enrols her own authenticator app
    for row in session.scalars(select(SigningKey).where(SigningKey.owner == AUTHORITY_OWNER)):
        row.active = False
    session.add(Operator(id=new_id, name=name, role="lurah", active=True, created_at=ctx.clock()))
    session.flush()
    new_public = keys.public_bytes(keys.ed25519_private_from_bytes(raw).public_key())
    session.add(SigningKey(owner=AUTHORITY_OWNER, role="lurah", public_key=new_public, active=True, created_at=now))
    office_keys.seal_in(session, ctx.office_id, owner=AUTHORITY_OWNER, purpose=sealed.AUTHORITY, secret=raw,
                        public=new_public, slot_id=slot.slot_id, slot_public=slot.public_key, now=now, tagger=slot)
    office_keys.new_key_in(session, ctx.office_id, owner=new_id, role="lurah", slots=[slot], now=now)
    _release_after(session, boundary)
    link = session.get(SyncLink, 1)
    change = session.get(LurahChange, change_id)
    if link is not None:
        link.feed_token = change.feed_token
    change.state, change.new_lurah_id, change.boundary = "committed", new_id, boundary
    change.old_lurah_id = old_lurahs[0].id if old_lurahs else None
    change.key_blob = change.key_salt = None  # the key is sealed to her slot now
    return [old.id for old in old_lurahs]


def _release_after(session, boundary: int) -> None:
    """Batches past the boundary were signed under the old key: Dinsos will never take them; batch their items again."""
    doomed = session.scalars(select(OutboxBatch).where(OutboxBatch.sequence > boundary)).all()
    ids = [b.batch_id for b in doomed]
    for item in session.scalars(select(OutboxItem).where(OutboxItem.batch_id.in_(ids))):
        item.state, item.batch_id = PENDING, None
    for revocation in session.scalars(select(PendingRevocation).where(PendingRevocation.batch_id.in_(ids))):
        revocation.batch_id = None
    session.flush()
    for row in doomed:
        session.delete(row)


def rebind(ctx: OfficeContext, transport, code: str, new_lurah_name: str, passphrase: str,
           kdf: KdfParams | None = None) -> Rebound:
    """Request and answer over the network in one go (``transport.rebind``)."""
    office_id, request = rebind_request(ctx, code, new_lurah_name)
    answer = transport.rebind(office_id, request)
    if not isinstance(answer, (bytes, bytearray)):
        raise BindAnswerInvalid()
    return accept_rebind_answer(ctx, bytes(answer), code, passphrase, kdf)


def write_rebind_request_file(ctx: OfficeContext, folder, code: str, new_lurah_name: str) -> Path:
    """The sealed re-bind request as a file for Dinsos (``usulkan-server rebind-file``); atomic."""
    office_id, request = rebind_request(ctx, code, new_lurah_name)
    folder = Path(folder)
    path = folder / rebind_format.request_file_name(office_id) if folder.is_dir() else folder
    fsutil.write_atomic(path, request)
    return path


def import_rebind_answer_file(ctx: OfficeContext, path, code: str, passphrase: str,
                              kdf: KdfParams | None = None) -> Rebound:
    with open(path, "rb") as fh:
        data = fh.read(MAX_ANSWER_BYTES + 1)
    return accept_rebind_answer(ctx, data, code, passphrase, kdf)
