"""Who may act for the kelurahan: the Lurah enrols operators and revokes them."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services import office
from app.services.context import OfficeContext
from app.services.handover import HandoverReport, move_all_in
from app.storage.handover_models import PendingRevocation
from app.storage.models import Operator
from app.storage.sync_models import Certificate, OutboxBatch, SigningKey, SyncLink
from app.storage.vault import KdfParams, UnknownOperator
from app.sync.certificates import OperatorCertificate, Revocation, issue_revocation

ENROLLED_ROLES = ("operator", "field_staff")


class LurahNotConfirmed(UsulkanError):
    template = N_("The Lurah's passphrase did not confirm this change.")
    hint = N_("The Lurah types their own passphrase again, then try once more.")


class UnknownRole(UsulkanError):
    template = N_("An operator can only be enrolled as an operator or as field staff.")
    hint = N_("Choose one of the two roles.")


class CannotRevokeSelf(UsulkanError):
    template = N_("The Lurah cannot revoke their own access here.")
    hint = N_("A new Lurah is registered with Dinsos; ask Dinsos how to hand over the office.")


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


def _confirm_lurah(lurah_ctx: OfficeContext, lurah_passphrase: str) -> None:
    """The Lurah's role and, right now, the Lurah's own passphrase: an unattended session is not enough."""
    office_keys.require_lurah(lurah_ctx)
    # A wrong passphrase counts towards the slot's throttle like any unlock (WrongPassphrase).
    key = lurah_ctx.vault.unlock_operator(lurah_ctx.operator_id, lurah_passphrase)
    if not hmac.compare_digest(key, lurah_ctx.data_key):
        raise LurahNotConfirmed()


def enrol_operator(
    lurah_ctx: OfficeContext, *, name: str, role: str, passphrase: str, lurah_passphrase: str,
    valid_days: int = 365, kdf: KdfParams | None = None,
) -> Enrolment:
    """The Lurah gives a new person a keyslot and certifies their signing key."""
    if role not in ENROLLED_ROLES:
        raise UnknownRole()
    _confirm_lurah(lurah_ctx, lurah_passphrase)
    operator_id = office.add_operator(lurah_ctx, name=name, role=role, passphrase=passphrase, kdf=kdf)
    with lurah_ctx.reading() as session:
        linked = session.get(SyncLink, 1) is not None
    certificate = office_keys.certify_operator(lurah_ctx, operator_id, role, valid_days) if linked else None
    with lurah_ctx.transaction() as session:
        lurah_ctx.audit(session, "operator.enrol", "operator", operator_id, role=role,
                        certified=certificate is not None)
    return Enrolment(operator_id, certificate)


def certify_pending(lurah_ctx: OfficeContext, operator_id: str, valid_days: int = 365) -> OperatorCertificate:
    """Certify (or renew) an enrolled operator's key, e.g. once the office is linked to Dinsos."""
    with lurah_ctx.reading() as session:
        operator = session.get(Operator, operator_id)
        role = operator.role if operator is not None else "operator"
    return office_keys.certify_operator(lurah_ctx, operator_id, role, valid_days)


def last_used_sequence(session) -> int:
    """The highest batch sequence this office has used (0 before the first batch)."""
    return session.scalar(select(func.max(OutboxBatch.sequence))) or 0


def revoke_operator(lurah_ctx: OfficeContext, operator_id: str, *, reason: str) -> RevocationResult:
    """Revoke a person: signed revocations for Dinsos, their work to the pool, their slot gone, re-key."""
    office_keys.require_lurah(lurah_ctx)
    if operator_id == lurah_ctx.operator_id:
        raise CannotRevokeSelf()
    if not reason.strip():
        raise RevocationReasonMissing()
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
