"""The documents a queued proposal sends to Dinsos: photos downscaled (originals kept), referenced in the item."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.storage.document_models import (
    DEFAULT_PHOTO_LONG_SIDE,
    DEFAULT_PHOTO_QUALITY,
    AttachmentDocument,
    DocumentSettings,
    OutgoingDocument,
)
from app.storage.models import Attachment
from app.sync.documents import DocumentRef, check_refs, ref_for

LONG_SIDE_RANGE = (640, 4000)
QUALITY_RANGE = (40, 95)
IMAGE_TYPES = ("image/jpeg", "image/png")


class PhotoSettingsInvalid(UsulkanError):
    template = N_("The long side must be {min_side}-{max_side} pixels and the quality {min_q}-{max_q}.")
    hint = N_("Enter numbers in those ranges.")


@dataclass(frozen=True)
class PhotoSettings:
    long_side: int = DEFAULT_PHOTO_LONG_SIDE
    quality: int = DEFAULT_PHOTO_QUALITY


def photo_settings(ctx: OfficeContext) -> PhotoSettings:
    with ctx.reading() as session:
        return _settings_in(session)


def _settings_in(session: Session) -> PhotoSettings:
    row = session.get(DocumentSettings, 1)
    return PhotoSettings(row.photo_long_side, row.photo_quality) if row else PhotoSettings()


def set_photo_settings(ctx: OfficeContext, *, long_side: int, quality: int) -> PhotoSettings:
    """How photos are downscaled before they go to Dinsos (proposals queued from now on)."""
    if not (LONG_SIDE_RANGE[0] <= long_side <= LONG_SIDE_RANGE[1] and QUALITY_RANGE[0] <= quality <= QUALITY_RANGE[1]):
        raise PhotoSettingsInvalid(min_side=LONG_SIDE_RANGE[0], max_side=LONG_SIDE_RANGE[1],
                                   min_q=QUALITY_RANGE[0], max_q=QUALITY_RANGE[1])
    with ctx.transaction() as session:
        row = session.get(DocumentSettings, 1)
        if row is None:
            row = DocumentSettings(id=1)
            session.add(row)
        row.photo_long_side, row.photo_quality = long_side, quality
        ctx.audit(session, "settings.photos", "office", ctx.office_id, long_side=long_side, quality=quality)
    return PhotoSettings(long_side, quality)


def downscale(data: bytes, mime: str, settings: PhotoSettings) -> tuple[bytes, str]:
    """(bytes to send, media type): an image larger than the long side becomes a JPEG that fits; else unchanged."""
    if mime not in IMAGE_TYPES:
        return data, mime
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= settings.long_side:
            return data, mime
        # The camera's orientation applied first, so the photo does not arrive on its side.
        image = ImageOps.exif_transpose(image)
        image.thumbnail((settings.long_side, settings.long_side), Image.Resampling.LANCZOS)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        # No metadata goes along: EXIF may hold the GPS position and the phone's owner.
        image.save(out, "JPEG", quality=settings.quality, optimize=True)
        return out.getvalue(), "image/jpeg"


def prepare_in(session: Session, proposal_id: str, now) -> list[DocumentRef]:
    """Make (once) the outgoing copy of each attachment of the proposal; the caps refuse the queueing."""
    settings = _settings_in(session)
    # What Dinsos sent back (its decree) is not the office's evidence: it never goes to Dinsos again.
    attachments = session.scalars(select(Attachment).where(Attachment.proposal_id == proposal_id,
                                                           Attachment.source.is_(None))).all()
    for attachment in attachments:
        if session.get(AttachmentDocument, attachment.id) is not None:
            continue
        data, mime = downscale(attachment.data, attachment.mime, settings)
        ref = ref_for(data, kind=attachment.kind, media_type=mime)
        if session.get(OutgoingDocument, ref.sha256) is None:
            session.add(OutgoingDocument(sha256=ref.sha256, attachment_id=attachment.id, kind=attachment.kind,
                                         mime=mime, size=len(data), data=data, sent_bytes=0, created_at=now))
            session.flush()
        session.add(AttachmentDocument(attachment_id=attachment.id, sha256=ref.sha256))
    session.flush()
    refs = current_refs(session, proposal_id)
    check_refs(refs)
    return refs


def current_refs(session: Session, proposal_id: str) -> list[DocumentRef]:
    """The references of the proposal's prepared documents, in attachment order, each hash once (read only)."""
    rows = session.execute(
        select(Attachment.kind, OutgoingDocument.sha256, OutgoingDocument.mime, OutgoingDocument.size)
        .join(AttachmentDocument, AttachmentDocument.attachment_id == Attachment.id)
        .join(OutgoingDocument, OutgoingDocument.sha256 == AttachmentDocument.sha256)
        .where(Attachment.proposal_id == proposal_id).order_by(Attachment.created_at, Attachment.id)
    ).all()
    refs: dict[str, DocumentRef] = {}
    for kind, sha256, mime, size in rows:
        refs.setdefault(sha256, DocumentRef(sha256, kind, mime, size))  # the same scan attached twice goes once
    return list(refs.values())


def link_in(session: Session, refs: list[DocumentRef], outbox_item_id: int) -> None:
    """The newest item naming a document is the one whose delivery starts its upload."""
    for ref in refs:
        session.get(OutgoingDocument, ref.sha256).outbox_item_id = outbox_item_id
