"""Who may act for the kelurahan: the Lurah enrols operators and revokes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import lurah, office
from app.services.context import OfficeContext
from app.services.handover import HandoverReport, move_all_in
from app.storage.handover_models import PendingRevocation
from app.storage.models import Operator
from app.storage.sync_models import Certificate, OutboxBatch, SigningKey, SyncLink
from app.storage.vault import KdfParams, UnknownOperator
from app.sync import keys as sign_keys
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


def _certify_new_in(lurah_ctx: OfficeContext, session, operator: Operator, valid_days: int) -> OperatorCertificate:
    """keys.certify_operator inside the enrolment's own transaction (it opens one of its own)."""
    now = office_keys.now_seconds(lurah_ctx)
    authority = sign_keys.Ed25519Signer.from_bytes(office_keys.authority_key_in(lurah_ctx, session).private_key)
    private = sign_keys.generate_ed25519()
    public = sign_keys.public_bytes(private.public_key())
    session.add(SigningKey(owner=operator.id, role=operator.role, public_key=public,
                           private_key=sign_keys.private_bytes(private), active=True, created_at=now))
    until = now + timedelta(days=valid_days)
    cert = issue_certificate(
        authority, cert_id=str(uuid.uuid4()), office_id=office_keys.server_office_id(session),
        operator_id=operator.id, name=operator.name, role=operator.role, public_key=public,
        valid_from=now, valid_until=until, issued_at=now,
    )
    session.add(Certificate(cert_id=cert.cert_id, operator_id=operator.id, body=cert.to_bytes().decode("utf-8"),
                            valid_until=until, issued_at=now))
    lurah_ctx.audit(session, "key.certify", "operator", operator.id, cert_id=cert.cert_id, role=operator.role)
    return cert


def enrol_operator(
    ctx: OfficeContext, *, name: str, role: str, passphrase: str, confirmation: lurah.LurahConfirmation,
    valid_days: int = 365, kdf: KdfParams | None = None,
) -> Enrolment:
    """The Lurah gives a new person a keyslot and certifies their signing key, all or nothing.

    Needs the Lurah's approval for it (``lurah.confirm(..., purpose=Purpose.ENROL)``: the
    passphrase typed now and, when enrolled, a fresh authenticator code). The person's record,
    key and certificate are one transaction, committed only after the keyslot is written: a
    failure anywhere leaves neither a record without a slot nor a slot without a record.
    """
    name = " ".join(name.split())
    office.check_passphrase(passphrase)
    with ctx.reading() as session:
        _check_new_person(session, name, role, valid_days)  # before the approval is spent on it
    params = office._kdf(kdf)  # calibrated once per process, before the write lock is taken
    operator_id = str(uuid.uuid4())
    with lurah.acting(ctx, confirmation, lurah.Purpose.ENROL) as lurah_ctx:
        with lurah_ctx.transaction() as session:
            _check_new_person(session, name, role, valid_days)  # again, under the write lock
            operator = Operator(id=operator_id, name=name, role=role, active=True, created_at=lurah_ctx.clock())
            session.add(operator)
            session.flush()
            linked = session.get(SyncLink, 1) is not None
            certificate = _certify_new_in(lurah_ctx, session, operator, valid_days) if linked else None
            lurah_ctx.audit(session, "operator.enrol", "operator", operator_id, role=role,
                            certified=certificate is not None, totp=confirmation.with_totp)
            # Last, so that any failure above or here rolls the whole enrolment back.
            lurah_ctx.vault.add_operator_slot(lurah_ctx.data_key, operator_id, name, passphrase, params)
    return Enrolment(operator_id, certificate)


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
        return [Revocation.from_bytes(row.body.encode("utf-8")) for row in rows]


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
