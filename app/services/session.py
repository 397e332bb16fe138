"""A shared office PC: locking the open session and unlocking it again as the same person.

The lock keeps the session (its database connection, the person's keys in memory and the
unsaved typing in open windows); only the same person's passphrase (for the Lurah also the
recovery code, with which she may have opened it) opens it again. Another person signs out the first one
and signs in afresh. Both steps are in the audit log, without any secret.
"""

from __future__ import annotations

import hmac

from app.services.context import OfficeContext
from app.storage.recovery_code import InvalidRecoveryCode, normalise_recovery_code
from app.storage.vault import WrongPassphrase


def lock(ctx: OfficeContext, *, idle: bool) -> None:
    """Note in the audit log that the session was locked (by the person, or after idle minutes)."""
    with ctx.transaction() as session:
        ctx.audit(session, "session.lock", "operator", ctx.operator_id, idle=idle)


def _is_recovery_code(secret: str) -> bool:
    try:
        normalise_recovery_code(secret)
    except InvalidRecoveryCode:
        return False
    return True


def unlock(ctx: OfficeContext, secret: str) -> None:
    """Open the locked session again: ``secret`` must open the same person's keyslot.

    Slow on purpose (Argon2id) and throttled by the vault like a sign-in (UnlockThrottled).
    Raises WrongPassphrase when it does not open the slot.
    """
    if ctx.operator_role == "lurah" and _is_recovery_code(secret):
        # The Lurah may have opened the office with the recovery code (a forgotten passphrase):
        # the code opens her locked session too. Nobody else's session opens with it.
        key = ctx.vault.unlock_recovery(secret)
    else:
        key = ctx.vault.unlock_operator(ctx.operator_id, secret)
    # The slot opened, but it must be this office's key as this session holds it.
    if not hmac.compare_digest(key, ctx.data_key):
        raise WrongPassphrase()
    with ctx.transaction() as session:
        ctx.audit(session, "session.unlock", "operator", ctx.operator_id)
