"""The Lurah's optional second factor: six-digit TOTP codes (RFC 6238) from an authenticator app on a phone.

Enrolment is two steps: ``start_enrolment`` makes a secret the Lurah scans (nothing is stored
yet) and ``confirm_enrolment`` stores it only after the Lurah typed a correct first code, so a
badly scanned secret never locks the office's approvals. A code is accepted one time step either
side of now (phone clocks drift) and each time step only once (``last_step``), so a code seen
over the Lurah's shoulder cannot approve a second enrolment.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.storage import sealed
from app.storage.handover_models import LurahTotp
from app.storage.lurah_models import LurahAttempts
from app.storage.sync_models import SealedKey

SECRET_BYTES = 20  # 160 bits, what RFC 4226 recommends for HMAC-SHA1
DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
FREE_ATTEMPTS = 3  # wrong codes before the wait starts
MAX_WAIT_SECONDS = 300
ISSUER = "Usulkan"


class TotpError(UsulkanError):
    template = N_("The code from the authenticator app could not be checked.")


class TotpCodeMissing(TotpError):
    template = N_("Type the six-digit code from the Lurah's authenticator app.")
    hint = N_("Open the app on the Lurah's phone and type the code shown for Usulkan.")


class TotpCodeWrong(TotpError):
    template = N_("The code from the authenticator app is not right.")
    hint = N_("Type the six digits the app shows now; they change every 30 seconds. "
              "If it keeps failing, check that the phone's clock is set automatically.")


class TotpCodeReused(TotpError):
    template = N_("This code from the authenticator app has already been used.")
    hint = N_("Wait until the app shows the next code, then type that one.")


class TotpThrottled(TotpError):
    template = N_("Too many wrong codes from the authenticator app. Try again in {seconds} seconds.")
    hint = N_("Check that the code is read from the Lurah's own phone and that its clock is set automatically.")

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class TotpAlreadyEnrolled(TotpError):
    template = N_("The Lurah already uses codes from an authenticator app.")
    hint = N_("Remove the current one first if the phone changed.")


class TotpNotEnrolled(TotpError):
    template = N_("The Lurah does not use codes from an authenticator app.")


@dataclass(frozen=True)
class PendingTotp:
    """A secret shown to the Lurah but not stored yet: held by the enrolment dialog only."""

    secret: bytes
    uri: str  # otpauth://totp/... for the QR code

    @property
    def text(self) -> str:
        """The base32 secret in groups of four, for typing into the app by hand."""
        plain = base64.b32encode(self.secret).decode("ascii").rstrip("=")
        return " ".join(plain[i:i + 4] for i in range(0, len(plain), 4))

    def __repr__(self) -> str:  # never print the secret into a log or a traceback
        return "PendingTotp(<secret>)"


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=True)


def _seconds(moment: datetime) -> float:
    # The office clock is naive UTC (as stored); TOTP counts from the Unix epoch.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _normalise(code: str | None) -> str:
    digits = "".join((code or "").split())
    if not digits:
        raise TotpCodeMissing()
    if len(digits) != DIGITS or not digits.isdigit():
        raise TotpCodeWrong()
    return digits


def _matching_steps(secret: bytes, code: str, now: datetime) -> list[int]:
    """Time steps within the window whose code equals ``code``, newest first."""
    totp, at = _totp(secret), _seconds(now)
    found = []
    for offset in range(WINDOW, -WINDOW - 1, -1):
        moment = at + offset * STEP_SECONDS
        if hmac.compare_digest(totp.generate(moment), code.encode("ascii")):
            found.append(int(moment // STEP_SECONDS))
    return found


def _accept(secret: bytes, code: str | None, now: datetime, last_step: int | None) -> int:
    """The time step ``code`` stands for; raises if it is wrong or that step was used already."""
    steps = _matching_steps(secret, _normalise(code), now)
    fresh = [step for step in steps if last_step is None or step > last_step]
    if fresh:
        return fresh[0]
    raise TotpCodeReused() if steps else TotpCodeWrong()


def code_at(secret: bytes, moment: datetime) -> str:
    """The code an app shows at ``moment`` (tests and the CLI's self-check)."""
    return _totp(secret).generate(_seconds(moment)).decode("ascii")


# --- queries -------------------------------------------------------------------------


def is_enrolled(ctx: OfficeContext, operator_id: str | None = None) -> bool:
    """Whether ``operator_id`` (default: who is signed in) approves with a TOTP code."""
    with ctx.reading() as session:
        return session.get(LurahTotp, operator_id or ctx.operator_id) is not None


# --- enrolment -----------------------------------------------------------------------


def start_enrolment(lurah_ctx: OfficeContext) -> PendingTotp:
    """A fresh secret and its otpauth:// URI; nothing is stored until the first code is confirmed."""
    office_keys.require_lurah(lurah_ctx)
    if is_enrolled(lurah_ctx):
        raise TotpAlreadyEnrolled()
    secret = secrets.token_bytes(SECRET_BYTES)
    # The app lists the account as "Usulkan: <office> (<Lurah>)"; the URI carries no passphrase.
    account = f"{lurah_ctx.office_name} ({lurah_ctx.operator_name})"
    return PendingTotp(secret, _totp(secret).get_provisioning_uri(account, ISSUER))


def confirm_enrolment(lurah_ctx: OfficeContext, pending: PendingTotp, code: str) -> None:
    """Store the secret once the Lurah typed a correct code from the app (that code is then used up)."""
    office_keys.require_lurah(lurah_ctx)
    now = lurah_ctx.clock()
    try:
        step = _accept(pending.secret, code, now, None)
    except TotpError as error:
        _record_refusal(lurah_ctx, "totp.enrol_refused", error)
        raise
    slot = lurah_ctx.slot_key
    if slot is None or slot.operator_id != lurah_ctx.operator_id:
        raise office_keys.KeyNotAvailable()
    with lurah_ctx.transaction() as session:
        if session.get(LurahTotp, lurah_ctx.operator_id) is not None:
            raise TotpAlreadyEnrolled()
        # Sealed to the Lurah's own slot (its public key from this session's memory): an
        # operator who reads the database cannot compute the Lurah's codes.
        office_keys.seal_in(session, lurah_ctx.office_id, owner=lurah_ctx.operator_id, purpose=sealed.TOTP,
                            secret=pending.secret, public=b"", slot_id=slot.slot_id, slot_public=slot.public_key,
                            now=now, tagger=slot)
        session.add(LurahTotp(operator_id=lurah_ctx.operator_id, enrolled_at=now, last_step=step))
        lurah_ctx.audit(session, "totp.enrol", "operator", lurah_ctx.operator_id)


# --- checking a code -----------------------------------------------------------------


def _wait_seconds(attempts: LurahAttempts | None, now: datetime) -> int:
    """Seconds still to wait before the next code may be tried (0: go ahead)."""
    if attempts is None or attempts.failures < FREE_ATTEMPTS or attempts.last_failure_at is None:
        return 0
    wait = min(2 ** (attempts.failures - FREE_ATTEMPTS), MAX_WAIT_SECONDS)
    # A clock set backwards restarts the wait from the new "now" instead of locking the Lurah out.
    since = max((now - attempts.last_failure_at).total_seconds(), 0.0)
    return max(0, int(-(-(wait - since) // 1)))


def check_throttle(ctx: OfficeContext, operator_id: str) -> None:
    """Refuse (``TotpThrottled``) while the Lurah's codes are throttled after wrong ones."""
    now = ctx.clock()
    with ctx.transaction() as session:
        attempts = session.get(LurahAttempts, operator_id)
        if attempts is not None and attempts.last_failure_at is not None and attempts.last_failure_at > now:
            attempts.last_failure_at = now  # the clock went back: wait from now
        wait = _wait_seconds(attempts, now)
    if wait:
        raise TotpThrottled(wait)


def check_in(ctx: OfficeContext, session: Session, code: str | None) -> bool:
    """In the caller's transaction: accept ``code`` for the signed-in Lurah and use it up.

    Returns False when the Lurah has no TOTP enrolled (nothing to check). A refused code raises
    and the caller's transaction rolls back. Callers go through ``verify_for``, which also
    counts the failure for the throttle in a transaction of its own.
    """
    row = session.get(LurahTotp, ctx.operator_id)
    if row is None:
        return False
    secret = office_keys.open_in(ctx, session, owner=ctx.operator_id, purpose=sealed.TOTP, public=b"")
    row.last_step = _accept(secret, code, ctx.clock(), row.last_step)
    return True


def verify_for(lurah_ctx: OfficeContext, code: str | None, purpose: str) -> bool:
    """Check and use up the Lurah's ``code`` for ``purpose``, throttled; False when no TOTP is enrolled.

    Committed before the approved change starts, so a code stays used even if that change
    then fails: the Lurah types the next code, which is the safe direction. A wrong, missing or
    reused code counts towards the throttle (a missing one too: it is a guess of nothing).
    """
    check_throttle(lurah_ctx, lurah_ctx.operator_id)
    try:
        with lurah_ctx.transaction() as session:
            enrolled = check_in(lurah_ctx, session, code)
            if enrolled:
                attempts = session.get(LurahAttempts, lurah_ctx.operator_id)
                if attempts is not None:
                    attempts.failures, attempts.last_failure_at = 0, None
                lurah_ctx.audit(session, "totp.verify", "operator", lurah_ctx.operator_id, purpose=purpose)
            return enrolled
    except TotpError as error:
        with lurah_ctx.transaction() as session:
            attempts = session.get(LurahAttempts, lurah_ctx.operator_id)
            if attempts is None:
                attempts = LurahAttempts(operator_id=lurah_ctx.operator_id, failures=0)
                session.add(attempts)
            attempts.failures += 1
            attempts.last_failure_at = lurah_ctx.clock()
            lurah_ctx.audit(session, "totp.refused", "operator", lurah_ctx.operator_id,
                            reason=type(error).__name__, purpose=purpose, failures=attempts.failures)
        raise


def verify(ctx: OfficeContext, code: str | None) -> bool:
    """``verify_for`` the signed-in person, without a named step (self-checks, the CLI)."""
    return verify_for(ctx, code, "check")


def _record_refusal(ctx: OfficeContext, event: str, error: TotpError) -> None:
    with ctx.transaction() as session:
        ctx.audit(session, event, "operator", ctx.operator_id, reason=type(error).__name__)
