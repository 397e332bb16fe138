"""Signing keys in the office database: the Lurah's authority key and certified operator keys."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage.models import Operator
from app.storage.sync_models import AUTHORITY_OWNER, Certificate, SigningKey, SyncLink
from app.sync import keys
from app.sync.certificates import OperatorCertificate, issue_certificate


class LurahOnly(UsulkanError):
    template = N_("Only the Lurah can do this.")
    hint = N_("Ask the Lurah to sign in and do it.")


class NotCertified(UsulkanError):
    template = N_("This operator has no valid certificate from the Lurah.")
    hint = N_("Ask the Lurah to certify this operator, then try again.")


class NotProvisioned(UsulkanError):
    template = N_("This office is not yet linked to the Dinsos server.")
    hint = N_("Import the provisioning document from Dinsos first.")


def require_lurah(ctx: OfficeContext) -> None:
    if ctx.operator_role != "lurah":
        raise LurahOnly()


def now_seconds(ctx: OfficeContext):
    # Signed records hold whole seconds; a sub-second time would be refused, not truncated.
    return ctx.clock().replace(microsecond=0)


def _active_key(session: Session, owner: str) -> SigningKey | None:
    return session.scalars(
        select(SigningKey).where(SigningKey.owner == owner, SigningKey.active.is_(True)).order_by(SigningKey.id.desc())
    ).first()


def _new_key(session: Session, owner: str, role: str, now) -> SigningKey:
    private = keys.generate_ed25519()
    row = SigningKey(
        owner=owner, role=role, public_key=keys.public_bytes(private.public_key()),
        private_key=keys.private_bytes(private), active=True, created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def person_signer_in(ctx: OfficeContext, session: Session) -> keys.Signer:
    """The signed-in person's own Ed25519 key (the one the Lurah certifies for batches), made on
    first use: it signs that person's audit entries."""
    row = _active_key(session, ctx.operator_id)
    if row is None:
        row = _new_key(session, ctx.operator_id, (ctx.operator_role or "operator")[:20], now_seconds(ctx))
        session.flush()
    cache = ctx.__dict__.setdefault("_person_signers", {})
    signer = cache.get(row.id)
    if signer is None:
        signer = cache[row.id] = keys.Ed25519Signer.from_bytes(row.private_key)
    return signer


def audit_keys(session: Session) -> dict[str, tuple[str, bytes]]:
    """key id -> (owner, public key) of every key the office ever made: what audit signatures name."""
    return {keys.key_id(row.public_key): (row.owner, row.public_key)
            for row in session.scalars(select(SigningKey))}


def authority_key_in(ctx: OfficeContext, session: Session) -> SigningKey:
    """The Lurah's authority key inside the caller's transaction, made on first use."""
    row = _active_key(session, AUTHORITY_OWNER)
    if row is None:
        row = _new_key(session, AUTHORITY_OWNER, "lurah", now_seconds(ctx))
        ctx.audit(session, "key.authority_create", "signing_key", None, key_id=keys.key_id(row.public_key))
    return row


def ensure_authority_key(ctx: OfficeContext) -> bytes:
    """Create the Lurah's authority Ed25519 key once; return its public key."""
    require_lurah(ctx)
    with ctx.transaction() as session:
        return authority_key_in(ctx, session).public_key


def authority_signer(ctx: OfficeContext, session: Session) -> keys.Signer:
    require_lurah(ctx)
    return keys.Ed25519Signer.from_bytes(authority_key_in(ctx, session).private_key)


def server_office_id(session: Session) -> str:
    """The office id the Dinsos server knows (from the provisioning document): batches carry it."""
    link = session.get(SyncLink, 1)
    if link is None:
        raise NotProvisioned()
    return link.server_office_id


def certify_operator(ctx: OfficeContext, operator_id: str, role: str = "operator", valid_days: int = 365) -> OperatorCertificate:
    """The Lurah certifies an operator's signing key (made here if the operator has none)."""
    require_lurah(ctx)
    with ctx.transaction() as session:
        operator = session.get(Operator, operator_id)
        if operator is None or not operator.active:
            raise NotCertified()
        now = now_seconds(ctx)
        authority = keys.Ed25519Signer.from_bytes(authority_key_in(ctx, session).private_key)
        key = _active_key(session, operator_id) or _new_key(session, operator_id, role, now)
        cert = issue_certificate(
            authority, cert_id=str(uuid.uuid4()), office_id=server_office_id(session),
            operator_id=operator_id, name=operator.name, role=role, public_key=key.public_key,
            valid_from=now, valid_until=now + timedelta(days=valid_days), issued_at=now,
        )
        session.add(Certificate(cert_id=cert.cert_id, operator_id=operator_id, body=cert.to_bytes().decode("utf-8"),
                                valid_until=now + timedelta(days=valid_days), issued_at=now))
        ctx.audit(session, "key.certify", "operator", operator_id, cert_id=cert.cert_id, role=role)
        return cert


def certificate_in(ctx: OfficeContext, session: Session) -> OperatorCertificate:
    """The acting operator's newest certificate that is still valid now."""
    row = session.scalars(
        select(Certificate)
        .where(Certificate.operator_id == ctx.operator_id, Certificate.valid_until > ctx.clock())
        .order_by(Certificate.issued_at.desc())
    ).first()
    if row is None:
        raise NotCertified()
    return OperatorCertificate.from_bytes(row.body.encode("utf-8"))


def signer_in(ctx: OfficeContext, session: Session) -> keys.Signer:
    row = _active_key(session, ctx.operator_id)
    if row is None:
        raise NotCertified()
    return keys.Ed25519Signer.from_bytes(row.private_key)


def current_certificate(ctx: OfficeContext) -> OperatorCertificate:
    with ctx.reading() as session:
        return certificate_in(ctx, session)


def operator_signer(ctx: OfficeContext) -> keys.Signer:
    with ctx.reading() as session:
        return signer_in(ctx, session)
