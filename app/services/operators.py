"""Who may act for the kelurahan: the Lurah enrols operators and revokes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import lurah, office, outbox
from app.services.context import OfficeContext
from app.services.handover import HandoverReport, move_all_in
from app.storage.handover_models import PendingRevocation
from app.storage.models import Operator
from app.storage.sync_models import Certificate, OutboxBatch, SealedKey, SigningKey, SyncLink
from app.storage.vault import KdfParams, UnknownOperator
from app.sync.certificates import OperatorCertificate, Revocation, issue_certificate, issue_revocation

ENROLLED_ROLES = ("operator", "field_staff")
MIN_VALID_DAYS, MAX_VALID_DAYS = 1, 1830  # at most five years: a contract is renewed long before


# Kept here for callers that catch it from this module; it lives in services/lurah.py.
LurahNotConfirmed = lurah.LurahNotConfirmed


class UnknownRole(UsulkanError):
    template = N_("An operator can only be enrolled as an operator or as field staff.")
    hint = N_("Choose one of the two roles.")


class CannotRevokeSelf(UsulkanError):
    template = N_("The Lurah cannot revoke their own access here.")
    hint = N_("A new Lurah is registered with Dinsos; ask Dinsos how to hand over the office.")



class OperatorNameMissing(UsulkanError):
    template = N_("Type the new person's name.")
    hint = N_("Use the name the office knows them by; it is shown on the sign-in screen.")


class OperatorNameTaken(UsulkanError):
    template = N_("Someone named {name} can already open this office.")
    hint = N_("Add something that tells them apart, for example a second name or the role.")


class ValidityOutOfRange(UsulkanError):
    template = N_("The certificate must be valid for {minimum} to {maximum} days.")
    hint = N_("A year (365 days) fits most contracts.")


class RevocationReasonMissing(UsulkanError):
    template = N_("Write why the operator's access is revoked.")
    hint = N_("For example: contract ended, moved to another office.")


@dataclass(frozen=True)
class Enrolment:
    operator_id: str
    # None until the office is linked to Dinsos: certify_operator needs the server's office id.
    certificate: OperatorCertificate | None


@dataclass(frozen=True)
class RevocationResult:
    operator_id: str
    revocations: tuple[Revocation, ...]
    effective_after_sequence: int
    moved: HandoverReport


@dataclass(frozen=True)
class ExpiringCertificate:
    operator_id: str
    operator_name: str
    cert_id: str
    valid_until: datetime
    expired: bool


def _check_new_person(session, name: str, role: str, valid_days: int) -> None:
    if role not in ENROLLED_ROLES:
        raise UnknownRole()
    if not name:
        raise OperatorNameMissing()
    if not MIN_VALID_DAYS <= valid_days <= MAX_VALID_DAYS:
        raise ValidityOutOfRange(minimum=MIN_VALID_DAYS, maximum=MAX_VALID_DAYS)
    taken = session.scalars(select(Operator.name).where(Operator.active.is_(True))).all()
    if name.casefold() in {other.casefold() for other in taken}:
        # The sign-in list shows names only: two people of one name could not tell their slot apart.
        raise OperatorNameTaken(name=name)


def _certify_new_in(lurah_ctx: OfficeContext, session, operator: Operator, key: SigningKey,
                    valid_days: int) -> OperatorCertificate:
    """keys.certify_operator inside the enrolment's own transaction (it opens one of its own)."""
    now = office_keys.now_seconds(lurah_ctx)
    authority = office_keys.authority_signer(lurah_ctx, session)
    until = now + timedelta(days=valid_days)
    cert = issue_certificate(
        authority, cert_id=str(uuid.uuid4()), office_id=office_keys.server_office_id(session),
        operator_id=operator.id, name=operator.name, role=operator.role, public_key=key.public_key,
        valid_from=now, valid_until=until, issued_at=now,
    )
    session.add(Certificate(cert_id=cert.cert_id, operator_id=operator.id, body=cert.to_bytes().decode("utf-8"),
                            valid_until=until, issued_at=now))
    lurah_ctx.audit(session, "key.certify", "operator", operator.id, cert_id=cert.cert_id, role=operator.role)
    return cert


# Where an enrolment can be stopped (tests kill it at each one): after the pending slot is
# written, after the database commit, after the slot is completed.
ENROLMENT_STEPS = ("slot_written", "database_committed", "slot_completed")


def _step(name: str) -> None:
    """A no-op in production; the crash tests replace it to stop the process at ``name``."""


def enrol_operator(
    ctx: OfficeContext, *, name: str, role: str, passphrase: str, confirmation: lurah.LurahConfirmation,
    valid_days: int = 365, kdf: KdfParams | None = None,
) -> Enrolment:
    """The Lurah gives a new person a keyslot and certifies their signing key, all or nothing.

    Needs the Lurah's approval for it (``lurah.confirm(..., purpose=Purpose.ENROL)``: the
    passphrase typed now and, when enrolled, a fresh authenticator code). Atomic across
    vault.json and the database, in three steps:

    1. a *pending* slot is written to vault.json: it has a key pair but no data key sealed to
       it, so its passphrase opens nothing;
    2. one database transaction: the person's record, their signing key sealed to that slot's
       public key, the certificate, the audit entry;
    3. the data key is sealed to the slot (the commit point, one atomic rename).

    A failure before 3 discards the pending slot. A crash before 3 leaves a pending slot that
    the next opening of the office finishes (``finish_enrolments``): completed if step 2 was
    committed, removed otherwise. So there is never a slot that opens the office without a
    certified person behind it, nor one that a re-key hands the new data key to.
    """
    name = " ".join(name.split())
    office.check_passphrase(passphrase, name=name, office_name=ctx.office_name)
    with ctx.reading() as session:
        _check_new_person(session, name, role, valid_days)  # before the approval is spent on it
    params = office._kdf(kdf)  # calibrated once per process, before the write lock is taken
    operator_id = str(uuid.uuid4())
    with lurah.acting(ctx, confirmation, lurah.Purpose.ENROL) as lurah_ctx:
        vault, data_key = lurah_ctx.vault, lurah_ctx.data_key
        slot = vault.add_pending_operator_slot(data_key, operator_id, name, passphrase, params)
        slot_id = slot.slot_id
        _step("slot_written")
        try:
            with lurah_ctx.transaction() as session:
                _check_new_person(session, name, role, valid_days)  # again, under the write lock
                operator = Operator(id=operator_id, name=name, role=role, active=True, created_at=lurah_ctx.clock())
                session.add(operator)
                session.flush()
                key = office_keys.new_key_in(session, lurah_ctx.office_id, owner=operator_id, role=role,
                                             slots=[slot], now=office_keys.now_seconds(lurah_ctx))
                if lurah_ctx.slot_key is not None:
                    office_keys.vouch_in(session, lurah_ctx.office_id, lurah_ctx.slot_key, owner=operator_id,
                                         public=key.public_key, now=office_keys.now_seconds(lurah_ctx))
                linked = session.get(SyncLink, 1) is not None
                certificate = _certify_new_in(lurah_ctx, session, operator, key, valid_days) if linked else None
                lurah_ctx.audit(session, "operator.enrol", "operator", operator_id, role=role,
                                certified=certificate is not None, totp=confirmation.with_totp)
        except BaseException:
            vault.discard_slot(data_key, slot_id)
            raise
        _step("database_committed")
        try:
            vault.complete_slot(data_key, slot_id)
        except Exception:
            _undo_enrolment(lurah_ctx, operator_id, slot_id)
            raise
        _step("slot_completed")
    return Enrolment(operator_id, certificate)


def _undo_enrolment(ctx: OfficeContext, operator_id: str, slot_id: str) -> None:
    """The commit point failed (e.g. disk full): take the person's record out again, best effort.

    If this fails too, the pending slot stays and ``finish_enrolments`` completes it at the next
    opening: either way there is no slot without a certified person.
    """
    try:
        with ctx.transaction() as session:
            for model, column in ((Certificate, Certificate.operator_id), (SealedKey, SealedKey.owner),
                                  (SigningKey, SigningKey.owner)):
                for row in session.scalars(select(model).where(column == operator_id)):
                    session.delete(row)
            session.flush()
            operator = session.get(Operator, operator_id)
            if operator is not None:
                session.delete(operator)
            ctx.audit(session, "operator.enrol_undone", "operator", operator_id, slot_id=slot_id)
        ctx.vault.discard_slot(ctx.data_key, slot_id)
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def finish_enrolments(ctx: OfficeContext) -> list[str]:
    """Finish what a crash left of enrolments; returns the operator ids whose slot was completed.

    A pending slot whose person, with a signing key sealed to that very slot, is in the database
    (step 2 committed) is completed; any other pending slot is removed.
    """
    completed = []
    for slot_id, operator_id in ctx.vault.pending_slots():
        with ctx.reading() as session:
            operator = session.get(Operator, operator_id) if operator_id else None
            sealed_here = session.scalars(select(SealedKey.id).where(
                SealedKey.owner == operator_id, SealedKey.slot_id == slot_id)).first()
        if operator is not None and operator.active and sealed_here is not None:
            ctx.vault.complete_slot(ctx.data_key, slot_id)
            completed.append(operator_id)
            event = "operator.enrol_completed"
        else:
            ctx.vault.discard_slot(ctx.data_key, slot_id)
            event = "operator.enrol_discarded"
        with ctx.transaction() as session:
            ctx.audit(session, event, "operator", operator_id, slot_id=slot_id)
    return completed


def certify_pending(lurah_ctx: OfficeContext, operator_id: str, valid_days: int = 365) -> OperatorCertificate:
    """Certify (or renew) an enrolled operator's key, e.g. once the office is linked to Dinsos.

    ``lurah_ctx`` is a Lurah's context from ``lurah.acting`` (linking, or renewing with
    ``renew_certificate``): certifying is part of an approved step, never a step of its own.
    """
    with lurah_ctx.reading() as session:
        operator = session.get(Operator, operator_id)
        role = operator.role if operator is not None else "operator"
    return office_keys.certify_operator(lurah_ctx, operator_id, role, valid_days)


def renew_certificate(
    ctx: OfficeContext, operator_id: str, *, confirmation: lurah.LurahConfirmation, valid_days: int = 365,
) -> OperatorCertificate:
    """The Lurah renews a person's certificate before it ends (key rotation), approved for that person."""
    with lurah.acting(ctx, confirmation, lurah.Purpose.ROTATE, operator_id) as lurah_ctx:
        return certify_pending(lurah_ctx, operator_id, valid_days)


def last_used_sequence(session) -> int:
    """The highest batch sequence this office has used (0 before the first batch)."""
    return session.scalar(select(func.max(OutboxBatch.sequence))) or 0


def revoke_operator(
    ctx: OfficeContext, operator_id: str, *, reason: str, confirmation: lurah.LurahConfirmation,
) -> RevocationResult:
    """Revoke a person: signed revocations for Dinsos, their work to the pool, their slot gone, re-key.

    ``confirmation`` is the Lurah's approval of revoking exactly this person
    (``lurah.confirm(..., purpose=Purpose.REVOKE, subject=operator_id)``), typed just now; the
    Lurah may give it at anyone's desk, the revocation is then the Lurah's all the same.
    """
    if not reason.strip():
        raise RevocationReasonMissing()
    with ctx.reading() as session:
        if session.get(Operator, operator_id) is None:
            raise UnknownOperator(operator=operator_id)
    if operator_id == lurah.the_lurah(ctx)[0]:
        raise CannotRevokeSelf()
    with lurah.acting(ctx, confirmation, lurah.Purpose.REVOKE, operator_id) as lurah_ctx:
        return _revoke(lurah_ctx, operator_id, reason)


def _revoke(lurah_ctx: OfficeContext, operator_id: str, reason: str) -> RevocationResult:
    made = []
    with lurah_ctx.transaction() as session:
        operator = session.get(Operator, operator_id)
        if operator is None:
            raise UnknownOperator(operator=operator_id)
        boundary = last_used_sequence(session)
        now = office_keys.now_seconds(lurah_ctx)
        certs = session.scalars(select(Certificate).where(Certificate.operator_id == operator_id)).all()
        authority = None
        for cert_row in certs:
            if session.get(PendingRevocation, cert_row.cert_id) is not None:
                continue  # revoked by an earlier attempt that stopped before the re-key
            authority = authority or office_keys.authority_signer(lurah_ctx, session)
            revocation = issue_revocation(
                authority, OperatorCertificate.from_bytes(cert_row.body.encode("utf-8")),
                effective_after_sequence=boundary, reason=reason.strip(), issued_at=now,
            )
            # The outbox carries proposals only, so the statement waits in its own table for the sender.
            session.add(PendingRevocation(
                cert_id=revocation.cert_id, operator_id=operator_id, body=revocation.to_bytes().decode("utf-8"),
                effective_after_sequence=boundary, created_at=now,
            ))
            made.append(revocation)
        # A retry after a failed re-key reports the statements the first attempt already signed.
        earlier = session.scalars(
            select(PendingRevocation).where(PendingRevocation.operator_id == operator_id,
                                            PendingRevocation.cert_id.not_in([r.cert_id for r in made]))
        ).all()
        made = [Revocation.from_bytes(row.body.encode("utf-8")) for row in earlier] + made
        for key in session.scalars(select(SigningKey).where(SigningKey.owner == operator_id)):
            key.active = False
        # Nothing may stay assigned to someone who can no longer sign in.
        moved = move_all_in(lurah_ctx, session, operator_id, None)
        lurah_ctx.audit(session, "operator.revoke", "operator", operator_id, certificates=len(made),
                        effective_after_sequence=boundary)
    office.remove_operator(lurah_ctx, operator_id)
    return RevocationResult(operator_id, tuple(made), boundary, moved)


def pending_revocations(ctx: OfficeContext) -> list[Revocation]:
    """Signed revocations not yet delivered to Dinsos, oldest first."""
    with ctx.reading() as session:
        rows = session.scalars(
            select(PendingRevocation).where(PendingRevocation.delivered_at.is_(None))
            .order_by(PendingRevocation.created_at)
        ).all()
        # The authority hand-over of key migration 0008 waits in the same table; it is no revocation.
        return [Revocation.from_bytes(row.body.encode("utf-8")) for row in rows if not outbox.is_rotation(row)]


def certificates_expiring(ctx: OfficeContext, within_days: int = 30) -> list[ExpiringCertificate]:
    """Active people whose newest certificate has expired or expires within ``within_days``."""
    now = ctx.clock()
    limit = now + timedelta(days=within_days)
    found = []
    with ctx.reading() as session:
        for operator in session.scalars(select(Operator).where(Operator.active.is_(True)).order_by(Operator.name)):
            newest = session.scalars(
                select(Certificate).where(Certificate.operator_id == operator.id)
                .order_by(Certificate.valid_until.desc())
            ).first()
            if newest is not None and newest.valid_until <= limit:
                found.append(ExpiringCertificate(operator.id, operator.name, newest.cert_id, newest.valid_until,
                                                 newest.valid_until <= now))
    return sorted(found, key=lambda c: c.valid_until)
