"""Ganti Lurah with the old Lurah present: her key signs the hand-over of authority to the new Lurah's key.

The old Lurah approves (``lurah.Purpose.ROTATE`` for ``SUBJECT``: her passphrase typed now and,
when enrolled, her authenticator code); the new Lurah chooses her own passphrase. Then, like an
enrolment (pending keyslot, one transaction, the slot completed as commit point):

* the new Lurah gets her own keyslot, a new authority key sealed to it, and her own signing key;
  the old Lurah loses the role (inactive, her authenticator app forgotten);
* the *old* key signs an ``AuthorityRotation`` at the boundary, riding first in the next batch,
  and every active operator is re-certified by the new key in the same transaction;
* after the commit point the old Lurah's keyslot goes with a re-key, and a new recovery code is
  made (the old one was hers). The new Lurah then enrols her own authenticator app.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import timedelta

from app.services import keys as office_keys
from app.services import lurah, office
from app.services.context import OfficeContext
from app.services.lurah_change import REASON, _step, recertify_in, renew_recovery
from app.services.lurah_rebind import _install
from app.storage.handover_models import PendingRevocation
from app.storage.lurah_models import LurahChange
from app.storage.migrations.reissue import _release_unsent
from app.storage.sync_models import SyncLink
from app.storage.vault import DatabaseInUse, KdfParams
from app.sync import keys
from app.sync.certificates import issue_authority_rotation
from app.sync.keys import fingerprint

SUBJECT = "change"


@dataclass(frozen=True)
class Handover:
    new_lurah_id: str
    boundary: int | None
    recertified: tuple[str, ...]
    recovery_code: str


def change_lurah(ctx: OfficeContext, *, confirmation: lurah.LurahConfirmation, new_name: str, passphrase: str,
                 kdf: KdfParams | None = None) -> Handover:
    name = " ".join(new_name.split())
    office.check_passphrase(passphrase, name=name, office_name=ctx.office_name)
    params = office._kdf(kdf)
    lurah_ctx = lurah.require(ctx, confirmation, lurah.Purpose.ROTATE, SUBJECT)
    with lurah_ctx.reading() as session:
        from app.services.operators import _check_new_person

        _check_new_person(session, name, "operator", 365)
    raw = keys.private_bytes(keys.generate_ed25519())
    new_id, change_id = str(uuid.uuid4()), str(uuid.uuid4())
    slot = lurah_ctx.vault.add_pending_operator_slot(lurah_ctx.data_key, new_id, name, passphrase, params)
    _step("slot_written")
    try:
        with lurah_ctx.transaction() as session:
            old_row = office_keys.authority_key_in(lurah_ctx, session)
            old_signer = office_keys.authority_signer(lurah_ctx, session)
            now = office_keys.now_seconds(lurah_ctx)
            link = session.get(SyncLink, 1)
            new_signer = keys.Ed25519Signer.from_bytes(raw)
            bound = link is not None and link.enrolment_code is None
            boundary = _release_unsent(session.connection()) if bound else None
            session.add(LurahChange(id=change_id, kind="change", state="requested", new_lurah_name=name,
                                    old_authority_public=old_row.public_key,
                                    new_authority_public=new_signer.public_key_bytes,
                                    feed_token=link.feed_token if link else None, recovery_due=True, created_at=now))
            session.flush()
            # Her entry first, signed by her own key while she still holds the role.
            lurah_ctx.audit(session, "lurah.change", "operator", new_id, old=fingerprint(old_row.public_key),
                            new=fingerprint(new_signer.public_key_bytes), effective_after_sequence=boundary,
                            totp=confirmation.with_totp)
            _install(lurah_ctx, session, change_id, new_id, name, slot, raw, boundary if bound else 10**9)
            if bound:
                rotation = issue_authority_rotation(old_signer, office_id=link.server_office_id,
                                                    new_public_key=new_signer.public_key_bytes,
                                                    effective_after_sequence=boundary, reason=REASON, issued_at=now)
                session.add(PendingRevocation(cert_id=rotation.rotation_id, operator_id=new_id,
                                              body=rotation.to_bytes().decode("utf-8"),
                                              effective_after_sequence=boundary, created_at=now - timedelta(days=1)))
            elif link is not None:
                link.bind_request = link.bind_feed_token = None  # made with the old key
            recertified = recertify_in(session, link.server_office_id, new_signer, now) if link else []
    except BaseException:
        lurah_ctx.vault.discard_slot(lurah_ctx.data_key, slot.slot_id)
        raise
    _step("database_committed")
    lurah_ctx.vault.complete_slot(lurah_ctx.data_key, slot.slot_id)
    _step("slot_completed")
    new_lurah = dataclasses.replace(lurah_ctx, operator_id=new_id, operator_name=name, operator_role="lurah",
                                    slot_key=slot, opened_keys={})
    try:
        office.remove_operator(new_lurah, confirmation.lurah_id)
        ctx.engine, ctx.data_key = new_lurah.engine, new_lurah.data_key
        ctx.rebind()
    except DatabaseInUse:
        with new_lurah.transaction() as session:
            new_lurah.audit(session, "lurah.old_slot_kept", "operator", confirmation.lurah_id,
                            reason="database_in_use")
    code = renew_recovery(new_lurah, change_id, raw, new_signer.public_key_bytes, params)
    return Handover(new_id, boundary, tuple(recertified), code)
