"""Ground checks, field person's side: their own assignment key, opening assignments, signing results."""

from __future__ import annotations

import uuid

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services import keys as office_keys
from app.services.context import OfficeContext
from app.services.field import authority_public
from app.storage import sealed
from app.storage.field_models import FieldBoxKey
from app.sync import field as files
from app.sync import keys


class FieldStaffOnly(UsulkanError):
    template = N_("Only field staff open assignments and write ground-check results.")
    hint = N_("Sign in with the field person's own passphrase.")


def _require_field(ctx: OfficeContext) -> None:
    if ctx.operator_role != "field_staff" or ctx.slot_key is None:
        raise FieldStaffOnly()


def _open_box(ctx: OfficeContext, session: Session, public: bytes) -> X25519PrivateKey | None:
    try:
        raw = office_keys.open_in(ctx, session, owner=ctx.operator_id, purpose=sealed.FIELD_BOX, public=public)
        private = keys.x25519_private_from_bytes(raw)
    except (office_keys.KeyNotAvailable, ValueError):
        return None
    return private if keys.public_bytes(private.public_key()) == public else None


def _my_box(ctx: OfficeContext, session: Session) -> X25519PrivateKey | None:
    for row in session.scalars(select(FieldBoxKey).where(FieldBoxKey.person_id == ctx.operator_id)
                               .order_by(FieldBoxKey.id.desc())):
        private = _open_box(ctx, session, files.BoxKey.from_bytes(row.statement.encode("utf-8")).public_key)
        if private is not None:
            return private
    return None


def ensure_box_key(ctx: OfficeContext) -> bytes:
    """The signed-in field person's assignment key (X25519), made and signed by them on first use."""
    _require_field(ctx)
    with ctx.transaction() as session:
        mine = _my_box(ctx, session)
        if mine is not None:
            return keys.public_bytes(mine.public_key())
        signer, cert = office_keys.signer_in(ctx, session), office_keys.certificate_in(ctx, session)
        private = keys.generate_x25519()
        public = keys.public_bytes(private.public_key())
        now = office_keys.now_seconds(ctx)
        office_keys.seal_in(session, ctx.office_id, owner=ctx.operator_id, purpose=sealed.FIELD_BOX,
                            secret=keys.private_bytes(private), public=public, slot_id=ctx.slot_key.slot_id,
                            slot_public=ctx.slot_key.public_key, now=now, tagger=ctx.slot_key)
        box = files.issue_box_key(signer, office_id=cert.office_id, person_id=ctx.operator_id, public_key=public,
                                  issued_at=now)
        session.add(FieldBoxKey(person_id=ctx.operator_id, statement=box.to_bytes().decode("utf-8"), created_at=now))
        ctx.audit(session, "field.box_key", "operator", ctx.operator_id, key_id=keys.key_id(public))
        return public


def open_assignment(ctx: OfficeContext, data: bytes) -> files.Assignment:
    """The assignment file, opened with the signed-in field person's own key (nobody else's opens it)."""
    _require_field(ctx)
    with ctx.reading() as session:
        cert = office_keys.certificate_in(ctx, session)
        private = _my_box(ctx, session)
        if private is None:
            raise files.FieldFileRefused("not_for_you")
        return files.open_assignment(data, private, office_id=cert.office_id, person_id=ctx.operator_id,
                                     authority=authority_public(session))


def write_results(ctx: OfficeContext, assignment: files.Assignment,
                  records: list[files.ResultRecord]) -> bytes:
    """The results file of ``assignment``, signed by the field person's own certified key."""
    _require_field(ctx)
    if assignment.person_id != ctx.operator_id:
        raise FieldStaffOnly()
    with ctx.transaction() as session:
        signer, cert = office_keys.signer_in(ctx, session), office_keys.certificate_in(ctx, session)
        results = files.Results(str(uuid.uuid4()), assignment.assignment_id, assignment.office_id, ctx.operator_id,
                                office_keys.now_seconds(ctx), tuple(records), cert)
        data = files.write_results(results, signer, assignment.return_key)
        ctx.audit(session, "field.results", "field_assignment", assignment.assignment_id,
                  results_id=results.results_id, households=len(records))
        return data
