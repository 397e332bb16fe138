"""The Lurah renews her authority key before it ends: the old key hands over to the new one at a sequence boundary.

One Lurah step (``lurah.Purpose.ROTATE`` for ``SUBJECT``: the passphrase typed now and, when
enrolled, a code from the authenticator app), one transaction:

* a new authority key, sealed to the Lurah's own keyslot; the old one is set inactive;
* if the office is bound at Dinsos, the *old* key signs an ``AuthorityRotation`` at the boundary
  (the last batch that is or may be at Dinsos; batches not yet seen that the old key would have
  to countersign are released and batched again). It waits with the revocations and rides
  first in the next batch (app/services/outbox.py); Dinsos checks it against the key it holds;
* every active operator is re-certified by the new key in the same step, for the same key and
  at least the same validity, so their next batch is accepted and nothing is lost or refused.

Then a new recovery code: the old one opened the old key, and may be known to someone else.
The same hand-over at a boundary as key migration 0008 (app/storage/migrations/reissue.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.services import keys as office_keys
from app.services import lurah
from app.services.context import OfficeContext
from app.services import office as office_service
from app.storage import sealed
from app.storage.handover_models import PendingRevocation
from app.storage.lurah_models import LurahChange
from app.storage.migrations.reissue import _release_unsent
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SealedKey, SigningKey, SyncLink
from app.storage.vault import KdfParams
from app.sync import keys
from app.sync.certificates import OperatorCertificate, issue_authority_rotation, issue_certificate
from app.sync.keys import fingerprint

SUBJECT = "authority"
REASON = "Kunci Lurah diperbarui sebelum masa berlakunya habis"


@dataclass(frozen=True)
class Rotation:
    new_fingerprint: str
    boundary: int | None  # None: the office is not bound, Dinsos knows no key to hand over from
    recertified: tuple[str, ...]
    recovery_code: str  # show once, print, store nowhere


def _step(name: str) -> None:
    """A no-op in production; crash tests replace it to stop at ``name``."""


def recertify_in(session, office_id: str, signer, now) -> list[str]:
    """Each active operator's newest certificate issued again by ``signer``: same key and role, no shorter."""
    done = []
    for operator in session.scalars(select(Operator).where(Operator.active.is_(True), Operator.role != "lurah")):
        newest = session.scalars(select(Certificate).where(Certificate.operator_id == operator.id)
                                 .order_by(Certificate.issued_at.desc())).first()
        if newest is None:
            continue
        old = OperatorCertificate.from_bytes(newest.body.encode("utf-8"))
        until = max(old.valid_until.replace(tzinfo=None), now + timedelta(days=1))
        issued = now + timedelta(seconds=1)  # strictly newer than any certificate of this second
        fresh = issue_certificate(signer, cert_id=str(uuid.uuid4()), office_id=office_id, operator_id=operator.id,
                                  name=old.name, role=old.role, public_key=old.public_key, valid_from=now,
                                  valid_until=until, issued_at=issued)
        session.add(Certificate(cert_id=fresh.cert_id, operator_id=operator.id,
                                body=fresh.to_bytes().decode("utf-8"), valid_until=until, issued_at=issued))
        done.append(operator.id)
    return done


def rotate_authority(ctx: OfficeContext, *, confirmation: lurah.LurahConfirmation,
                     kdf: KdfParams | None = None) -> Rotation:
    """Renew the Lurah's authority key (``Purpose.ROTATE``, subject ``SUBJECT``); see the module docstring."""
    params = office_service._kdf(kdf)
    lurah_ctx = lurah.require(ctx, confirmation, lurah.Purpose.ROTATE, SUBJECT)
    slot = lurah_ctx.slot_key
    if slot is None or slot.kind == "recovery":
        raise office_keys.KeyNotAvailable()  # the new key is sealed to the Lurah's own slot
    with lurah_ctx.transaction() as session:
        old_row = office_keys.authority_key_in(lurah_ctx, session)
        old_signer = office_keys.authority_signer(lurah_ctx, session)
        now = office_keys.now_seconds(lurah_ctx)
        old_row.active = False
        for row in session.scalars(select(SigningKey).where(SigningKey.owner == AUTHORITY_OWNER)):
            row.active = False
        new_row = office_keys.new_key_in(session, lurah_ctx.office_id, owner=AUTHORITY_OWNER, role="lurah",
                                         slots=[slot], now=now)
        new_raw = office_keys.open_with_slot(session, lurah_ctx.office_id, slot, new_row)
        new_signer = keys.Ed25519Signer.from_bytes(new_raw)
        link = session.get(SyncLink, 1)
        boundary = None
        if link is not None and link.enrolment_code is None:
            boundary = _release_unsent(session.connection())
            rotation = issue_authority_rotation(old_signer, office_id=link.server_office_id,
                                                new_public_key=new_row.public_key,
                                                effective_after_sequence=boundary, reason=REASON, issued_at=now)
            session.add(PendingRevocation(cert_id=rotation.rotation_id, operator_id=lurah_ctx.operator_id,
                                          body=rotation.to_bytes().decode("utf-8"), effective_after_sequence=boundary,
                                          created_at=now - timedelta(days=1)))  # first in the next batch
        elif link is not None:
            link.bind_request = link.bind_feed_token = None  # made with the old key: made again with the new
        recertified = recertify_in(session, link.server_office_id, new_signer, now) if link is not None else []
        change = LurahChange(id=str(uuid.uuid4()), kind="rotate", state="committed", old_lurah_id=lurah_ctx.operator_id,
                             new_lurah_id=lurah_ctx.operator_id, old_authority_public=old_row.public_key,
                             new_authority_public=new_row.public_key, boundary=boundary, recovery_due=True,
                             created_at=now)
        session.add(change)
        lurah_ctx.audit(session, "lurah.rotate", "operator", lurah_ctx.operator_id,
                        old=fingerprint(old_row.public_key), new=fingerprint(new_row.public_key),
                        effective_after_sequence=boundary, recertified=len(recertified),
                        totp=confirmation.with_totp)
    _step("database_committed")
    code = renew_recovery(lurah_ctx, change.id, new_raw, new_row.public_key, params)
    return Rotation(fingerprint(new_row.public_key), boundary, tuple(recertified), code)


def renew_recovery(lurah_ctx: OfficeContext, change_id: str, authority_raw: bytes, authority_public: bytes,
                   params: KdfParams) -> str:
    """A new recovery code (the old one goes), the new authority key sealed to it; the change is done."""
    code, recovery = lurah_ctx.vault.set_recovery_slot_keyed(lurah_ctx.data_key, params)
    _step("recovery_written")
    with lurah_ctx.transaction() as session:
        now = office_keys.now_seconds(lurah_ctx)
        office_keys.seal_in(session, lurah_ctx.office_id, owner=AUTHORITY_OWNER, purpose=sealed.AUTHORITY,
                            secret=authority_raw, public=authority_public,
                            slot_id=recovery.slot_id, slot_public=recovery.public_key, now=now, tagger=recovery)
        # Seals to the replaced recovery slot open nothing any more; they go.
        for row in session.scalars(select(SealedKey).where(SealedKey.owner == AUTHORITY_OWNER,
                                                           SealedKey.slot_id != recovery.slot_id,
                                                           SealedKey.slot_id != lurah_ctx.slot_key.slot_id)):
            session.delete(row)
        change = session.get(LurahChange, change_id)
        change.recovery_due, change.state, change.finished_at = False, "done", now
        lurah_ctx.audit(session, "lurah.recovery_renewed", "operator", lurah_ctx.operator_id, change=change_id)
    return code
