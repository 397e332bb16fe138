"""After a change of Lurah: remove an old Lurah's kept keyslot, and renew the recovery code on its own.

A change of Lurah (or a re-bind) removes the old Lurah's keyslot with a re-key right after its
commit point; when another window had the database open (``DatabaseInUse``) the slot is *kept*:
she is inactive (her slot opens no session and no key), but her passphrase still yields the data
key. ``remove_old_slot`` finishes that, approved by the current Lurah (``Purpose.REMOVE_SLOT``
for the old Lurah's id): the slot goes, the seals to it go, and the database moves to a new
data key, so the old slot, and any copy of vault.json holding it, opens nothing written later.

``renew_recovery_code`` (``Purpose.RECOVERY``): a new recovery code shown once, the Lurah's
authority key sealed to the new recovery slot, the seals to the old one deleted, then a re-key so
the old code opens nothing, not even from an earlier copy of vault.json. It is recorded as a
``lurah_change`` of kind ``recovery``, due until the new code's seal commits, so a renewal stopped
half-way shows on the people page (``recovery_due``) like a change of Lurah stopped half-way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import lurah
from app.services import office as office_service
from app.services.context import OfficeContext
from app.services.lurah_change import _step, renew_recovery
from app.storage.engine import make_engine
from app.storage.lurah_models import LurahChange
from app.storage.models import Operator
from app.storage.sync_models import SealedKey
from app.storage.vault import DatabaseInUse, KdfParams

RECOVERY_SUBJECT = "recovery"


class NoKeptSlot(UsulkanError):
    template = N_("There is no kept keyslot of a former Lurah to remove.")
    hint = N_("The list of kept keyslots on the people page shows what can be removed.")


class SlotOfActivePerson(UsulkanError):
    template = N_("{name} still holds office, so this keyslot is not an old one.")
    hint = N_("Only the keyslot of a former Lurah can be removed here; to remove a person, revoke them.")


@dataclass(frozen=True)
class KeptSlot:
    operator_id: str
    name: str
    revoked_at: datetime | None


@dataclass(frozen=True)
class RecoveryRenewed:
    recovery_code: str  # show once, print, store nowhere
    rekeyed: bool  # False: another window had the database open; the old code's vault copies still open it


def kept_slots(ctx: OfficeContext) -> list[KeptSlot]:
    """Former Lurahs whose keyslot is still in vault.json (inactive in the database)."""
    in_vault = {operator_id for operator_id, _label in ctx.vault.operators()}
    with ctx.reading() as session:
        rows = session.scalars(select(Operator).where(Operator.role == "lurah", Operator.active.is_(False))
                               .order_by(Operator.revoked_at)).all()
        return [KeptSlot(row.id, row.name, row.revoked_at) for row in rows if row.id in in_vault]


def recovery_due(ctx: OfficeContext) -> bool:
    """A change of Lurah stopped before its new recovery code: the code on the sheet may be the old Lurah's."""
    with ctx.reading() as session:
        return session.scalars(select(LurahChange.id).where(LurahChange.recovery_due.is_(True),
                                                            LurahChange.state == "committed")).first() is not None


def remove_old_slot(ctx: OfficeContext, operator_id: str, *, confirmation: lurah.LurahConfirmation) -> None:
    """Remove the kept keyslot of the former Lurah ``operator_id`` and re-key (see the module docstring).

    ``DatabaseInUse`` when another window has the database open: nothing changes, try again.
    """
    with lurah.acting(ctx, confirmation, lurah.Purpose.REMOVE_SLOT, operator_id) as lurah_ctx:
        with lurah_ctx.reading() as session:
            person = session.get(Operator, operator_id)
            name = person.name if person is not None else operator_id
            active = person is not None and person.active
        if active:
            raise SlotOfActivePerson(name=name)
        if person is None or person.role != "lurah" or not lurah_ctx.vault.has_operator(operator_id):
            raise NoKeptSlot()
        slot_id, _public = lurah_ctx.vault.operator_slot(operator_id)
        office_service.remove_operator(lurah_ctx, operator_id)  # the slot out of vault.json, and a re-key
        with lurah_ctx.transaction() as session:
            # What was sealed to her slot (her own signing key) goes with it.
            session.execute(delete(SealedKey).where(SealedKey.slot_id == slot_id))
            lurah_ctx.audit(session, "lurah.old_slot_removed", "operator", operator_id, slot_id=slot_id,
                            totp=confirmation.with_totp)
        _finish_changes(lurah_ctx)


def renew_recovery_code(ctx: OfficeContext, *, confirmation: lurah.LurahConfirmation,
                        kdf: KdfParams | None = None) -> RecoveryRenewed:
    """A new recovery code for the office, approved by the Lurah now (see the module docstring)."""
    params = office_service._kdf(kdf)
    with lurah.acting(ctx, confirmation, lurah.Purpose.RECOVERY, RECOVERY_SUBJECT) as lurah_ctx:
        slot = lurah_ctx.slot_key
        if slot is None or slot.kind == "recovery":
            raise office_keys.KeyNotAvailable()  # the authority key is opened with the Lurah's own slot
        with lurah_ctx.transaction() as session:
            row = office_keys.authority_key_in(lurah_ctx, session)
            raw = office_keys.open_with_slot(session, lurah_ctx.office_id, slot, row)
            public = row.public_key
            # Due until the new code's seal commits: a kill in between is shown on the people page.
            change = LurahChange(id=str(uuid.uuid4()), kind="recovery", state="committed",
                                 old_lurah_id=lurah_ctx.operator_id, new_lurah_id=lurah_ctx.operator_id,
                                 old_authority_public=public, new_authority_public=public, recovery_due=True,
                                 created_at=office_keys.now_seconds(lurah_ctx))
            session.add(change)
            change_id = change.id
        _step("change_recorded")
        code = renew_recovery(lurah_ctx, change_id, raw, public, params)
        _step("recovery_sealed")
        _finish_changes(lurah_ctx, recovery_renewed=True)
        rekeyed = _rekey(lurah_ctx)
        if not rekeyed:
            with lurah_ctx.transaction() as session:
                lurah_ctx.audit(session, "lurah.recovery_rekey_deferred", "office", lurah_ctx.office_id,
                                reason="database_in_use")
        return RecoveryRenewed(code, rekeyed)


def _rekey(ctx: OfficeContext) -> bool:
    """Move the database to a new data key for the same slots: an older vault.json opens nothing written later."""
    ctx.engine.dispose()
    try:
        new_key = ctx.vault.rekey(ctx.data_key)
    except DatabaseInUse:
        return False
    ctx.data_key = new_key
    ctx.engine = make_engine(ctx.vault.database_path, new_key)
    ctx.rebind()
    return True


def _finish_changes(ctx: OfficeContext, *, recovery_renewed: bool = False) -> None:
    """A change stopped after its commit point is done once its recovery code is new and the old slot gone."""
    in_vault = {operator_id for operator_id, _label in ctx.vault.operators()}
    with ctx.transaction() as session:
        for change in session.scalars(select(LurahChange).where(LurahChange.state == "committed")):
            if recovery_renewed:
                change.recovery_due = False
            slot_gone = change.old_lurah_id == change.new_lurah_id or change.old_lurah_id not in in_vault
            if slot_gone and not change.recovery_due:
                change.state, change.finished_at = "done", office_keys.now_seconds(ctx)
