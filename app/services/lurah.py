"""The Lurah's authority: the only place that mints a ``LurahConfirmation`` and lets a service act on it.

Every authority step (enrol, revoke, SPTJM, countersign, link, endorse a handover record, key
rotation) needs the Lurah to confirm it *now*: the Lurah's passphrase typed at this moment and,
when the Lurah enrolled an authenticator app, a fresh code from it. A session left open on the
office PC is not enough, and neither is the Lurah's name given as an argument.

A confirmation is:

* **minted here only**: the class refuses to be built outside ``confirm`` and every service
  checks it against this module's own register of what it minted;
* **for one purpose and one subject** (revoke *this* person, record the SPTJM of *this*
  proposal): a confirmation for one step cannot approve another;
* **used once, and soon** (``VALID_SECONDS``), and only with the session it was made in.

The Lurah may confirm at an operator's desk: ``acting`` then hands the service a context for
the Lurah on the same unlocked database (nothing is unlocked twice), so what is recorded names
the Lurah, never the operator who happened to be signed in. That context never leaves this
module and the service that uses it.
"""

from __future__ import annotations

import dataclasses
import hmac
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import delete, select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import totp
from app.services.context import OfficeContext
from app.storage import sealed
from app.storage.handover_models import LurahTotp
from app.storage.sync_models import SealedKey
from app.storage.models import Operator

VALID_SECONDS = 120  # long enough for the step right after the dialog, too short to leave lying about


class Purpose(str, Enum):
    """What the Lurah approves; a confirmation approves exactly one of these."""

    ENROL = "enrol"
    REVOKE = "revoke"
    SPTJM = "sptjm"
    COUNTERSIGN = "countersign"  # the batches waiting for the Lurah (SPTJM route)
    LINK = "link"
    ENDORSE = "endorse"  # a handover record
    ROTATE = "rotate"  # key rotation / renewal of certificates
    TOTP_REMOVE = "totp_remove"
    TOTP_ENROL = "totp_enrol"
    REMOVE_SLOT = "remove_slot"  # an old Lurah's keyslot kept after a change (app/services/lurah_upkeep.py)
    RECOVERY = "recovery"  # a new recovery code on its own


class LurahNotConfirmed(UsulkanError):
    template = N_("The Lurah's passphrase did not confirm this change.")
    hint = N_("The Lurah types their own passphrase again, then try once more.")


class NoLurah(UsulkanError):
    template = N_("This office has no Lurah who can approve this.")
    hint = N_("Open the office with the Lurah's recovery code and check the list of people.")


class ConfirmationRefused(UsulkanError):
    template = N_("This step needs the Lurah's approval, typed just now.")
    hint = N_("Ask the Lurah to type their passphrase (and the code from the authenticator app) for this step.")


class ConfirmationExpired(ConfirmationRefused):
    template = N_("The Lurah's approval has expired.")
    hint = N_("The Lurah approves again: type the passphrase once more, then take the step at once.")


@dataclass(frozen=True, eq=False)
class LurahConfirmation:
    """Proof that the Lurah approved ``purpose`` for ``subject`` just now. Built by ``confirm`` only."""

    lurah_id: str
    lurah_name: str
    office_id: str
    purpose: Purpose
    subject: str | None
    confirmed_at: datetime
    with_totp: bool
    _token: object = field(repr=False, compare=False)
    # The Lurah's own keyslot key, opened by the passphrase typed now: only it opens her sealed
    # authority key and TOTP secret (app/storage/sealed.py). Memory only, spent with the confirmation.
    _slot: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _MINT:
            raise ConfirmationRefused()


_MINT = object()
# What this module minted and not yet spent: the confirmation itself is the key (by identity).
_minted: weakref.WeakKeyDictionary[LurahConfirmation, weakref.ref] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def the_lurah(ctx: OfficeContext) -> tuple[str, str]:
    """(id, name) of the office's active Lurah."""
    with ctx.reading() as session:
        row = session.execute(
            select(Operator.id, Operator.name).where(Operator.role == "lurah", Operator.active.is_(True))
        ).first()
    if row is None:
        raise NoLurah()
    return row.id, row.name


def needs_code(ctx: OfficeContext | None) -> bool:
    """Whether the office's Lurah approves with a code from an authenticator app too (what dialogs ask)."""
    if ctx is None:
        return False
    try:
        lurah_id, _name = the_lurah(ctx)
    except NoLurah:
        return False
    return totp.is_enrolled(ctx, lurah_id)


def confirm(
    ctx: OfficeContext, passphrase: str, *, purpose: Purpose, subject: str | None = None,
    totp_code: str | None = None,
) -> LurahConfirmation:
    """The Lurah approves ``purpose`` (for ``subject``) now, in whoever's session is open.

    The passphrase is checked against the Lurah's own keyslot (its throttle counts a wrong one,
    ``WrongPassphrase``/``UnlockThrottled``); then, when the Lurah enrolled an authenticator app,
    the code (``totp`` errors, with this module's own throttle, ``TotpThrottled``). The code is
    used up at once: if the step then fails, the Lurah types the next code, the safe direction.
    """
    purpose = Purpose(purpose)
    lurah_id, lurah_name = the_lurah(ctx)
    totp.check_throttle(ctx, lurah_id)  # before anything is tried, so a locked-out guesser learns nothing
    key, slot = ctx.vault.unlock_operator_slot(lurah_id, passphrase)
    if not hmac.compare_digest(key, ctx.data_key):
        raise LurahNotConfirmed()
    lurah_ctx = _as_lurah(ctx, lurah_id, lurah_name, slot)
    with_totp = totp.verify_for(lurah_ctx, totp_code, purpose.value)
    with lurah_ctx.transaction() as session:
        # Who approved what, and at whose desk: the step itself is audited when it runs.
        lurah_ctx.audit(session, "lurah.approve", "operator", lurah_id, purpose=purpose.value, subject=subject,
                        desk=ctx.operator_id, totp=with_totp)
    return _mint(ctx, lurah_id, lurah_name, purpose, subject, with_totp, slot)


def confirm_lost_phone(ctx: OfficeContext, passphrase: str, recovery_code: str) -> LurahConfirmation:
    """The Lurah lost the phone: the passphrase and the printed recovery code approve removing the app.

    Only ``Purpose.TOTP_REMOVE``: the recovery code stands in for the missing second factor,
    and is something only the Lurah keeps (a sheet printed once, stored nowhere). Both slots
    count wrong attempts towards their own throttles.
    """
    lurah_id, lurah_name = the_lurah(ctx)
    key, slot = ctx.vault.unlock_operator_slot(lurah_id, passphrase)
    if not hmac.compare_digest(key, ctx.data_key):
        raise LurahNotConfirmed()
    if not hmac.compare_digest(ctx.vault.unlock_recovery(recovery_code), ctx.data_key):
        raise LurahNotConfirmed()
    lurah_ctx = _as_lurah(ctx, lurah_id, lurah_name, slot)
    with lurah_ctx.transaction() as session:
        lurah_ctx.audit(session, "lurah.approve", "operator", lurah_id, purpose=Purpose.TOTP_REMOVE.value,
                        subject=None, desk=ctx.operator_id, totp=False, recovery_code=True)
    return _mint(ctx, lurah_id, lurah_name, Purpose.TOTP_REMOVE, None, False, slot)


def _mint(ctx: OfficeContext, lurah_id: str, lurah_name: str, purpose: Purpose, subject: str | None,
          with_totp: bool, slot) -> LurahConfirmation:
    with _lock:
        made = LurahConfirmation(
            lurah_id=lurah_id, lurah_name=lurah_name, office_id=ctx.office_id, purpose=purpose, subject=subject,
            confirmed_at=ctx.clock(), with_totp=with_totp, _token=_MINT, _slot=slot,
        )
        _minted[made] = weakref.ref(ctx)  # spendable once, and only in the session it was made in
    return made


def _as_lurah(ctx: OfficeContext, lurah_id: str, lurah_name: str, slot) -> OfficeContext:
    """The Lurah's context on ``ctx``'s unlocked database: ``ctx`` itself when the Lurah is signed in.

    At someone else's desk it carries the Lurah's own slot key (from the passphrase typed now) and
    a key cache of its own, so nothing the Lurah opens stays in the desk's session.
    """
    if ctx.operator_id == lurah_id and ctx.operator_role == "lurah":
        return ctx
    lurah_ctx = dataclasses.replace(ctx, operator_id=lurah_id, operator_name=lurah_name, operator_role="lurah",
                                    slot_key=slot, opened_keys={})
    from app.services.keys import adopt_seals  # keys builds on the context, not on this module

    adopt_seals(lurah_ctx)  # what migration 0008 sealed to her slot, if she has not signed in since
    return lurah_ctx


def _spend(ctx: OfficeContext, confirmation: object, purpose: Purpose, subject: str | None) -> LurahConfirmation:
    if not isinstance(confirmation, LurahConfirmation):
        raise ConfirmationRefused()
    with _lock:
        origin = _minted.pop(confirmation, None)
    # Not minted here, already used, or made in another session: all the same refusal.
    if origin is None or origin() is not ctx:
        raise ConfirmationRefused()
    if confirmation.purpose is not Purpose(purpose) or confirmation.subject != subject \
            or confirmation.office_id != ctx.office_id:
        raise ConfirmationRefused()
    age = ctx.clock() - confirmation.confirmed_at
    if age > timedelta(seconds=VALID_SECONDS) or age < timedelta(seconds=-VALID_SECONDS):
        raise ConfirmationExpired()
    return confirmation


@contextmanager
def acting(
    ctx: OfficeContext, confirmation: LurahConfirmation | None, purpose: Purpose, subject: str | None = None,
) -> Iterator[OfficeContext]:
    """Use up ``confirmation`` and yield the Lurah's context for the step; refuse anything else.

    When the Lurah confirmed at someone else's desk, the Lurah's context shares ``ctx``'s
    database; if the step re-keyed it (a revocation), ``ctx`` is moved to the new key afterwards.
    """
    spent = _spend(ctx, confirmation, purpose, subject)
    lurah_ctx = _as_lurah(ctx, spent.lurah_id, spent.lurah_name, spent._slot)
    try:
        yield lurah_ctx
    finally:
        if lurah_ctx is not ctx and lurah_ctx.engine is not ctx.engine:
            ctx.engine, ctx.data_key = lurah_ctx.engine, lurah_ctx.data_key
            ctx.rebind()


def require(ctx: OfficeContext, confirmation: LurahConfirmation | None, purpose: Purpose,
            subject: str | None = None) -> OfficeContext:
    """``acting`` for a step that cannot re-key: spend and return the Lurah's context."""
    with acting(ctx, confirmation, purpose, subject) as lurah_ctx:
        return lurah_ctx


def remove_totp(ctx: OfficeContext, confirmation: LurahConfirmation) -> None:
    """Stop asking for codes (the phone is replaced): approved by the Lurah (``Purpose.TOTP_REMOVE``).

    Here rather than in ``totp``: that module only checks codes, this one decides who approves.
    """
    lurah_ctx = require(ctx, confirmation, Purpose.TOTP_REMOVE)
    with lurah_ctx.transaction() as session:
        row = session.get(LurahTotp, lurah_ctx.operator_id)
        if row is None:
            raise totp.TotpNotEnrolled()
        session.delete(row)
        # The secret itself, sealed to the Lurah's slot, goes too.
        session.execute(delete(SealedKey).where(SealedKey.owner == lurah_ctx.operator_id,
                                                SealedKey.purpose == sealed.TOTP))
        lurah_ctx.audit(session, "totp.remove", "operator", lurah_ctx.operator_id)


def enrol_totp(ctx: OfficeContext, pending: totp.PendingTotp, code: str, confirmation: LurahConfirmation) -> None:
    """Store the authenticator secret the Lurah scanned, once its first code checks out, approved by the Lurah.

    With the passphrase typed now (``Purpose.TOTP_ENROL``): a Lurah session left open must not let
    someone else tie the office's approvals to their own phone.
    """
    totp.confirm_enrolment(require(ctx, confirmation, Purpose.TOTP_ENROL), pending, code)
