"""Documents prepared for Dinsos (downscaled, sealed, upload progress) and the office's photo settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import Base

DEFAULT_PHOTO_LONG_SIDE = 1600
DEFAULT_PHOTO_QUALITY = 80


class OutgoingDocument(Base):
    """The bytes Dinsos receives for one attachment (a photo downscaled; the original stays in ``attachment``).

    ``sha256`` is what the signed item names. ``sealed`` is made once and kept, so a resumed upload
    continues the very same bytes. ``outbox_item_id`` is the newest queued item naming it: its
    delivery is what lets the upload start (Dinsos accepts a document only for an item it holds).
    """

    __tablename__ = "outgoing_document"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachment.id"), index=True)
    outbox_item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    mime: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    sent_bytes: Mapped[int] = mapped_column(Integer, default=0)  # sealed bytes Dinsos confirmed
    created_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))


class AttachmentDocument(Base):
    """Which outgoing document an attachment became (many attachments may share one: the same scan twice)."""

    __tablename__ = "attachment_document"

    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachment.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("outgoing_document.sha256"), index=True)


class DocumentSettings(Base):
    """One row: how photos are downscaled before they go to Dinsos (shown in Pengaturan)."""

    __tablename__ = "document_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    photo_long_side: Mapped[int] = mapped_column(Integer, default=DEFAULT_PHOTO_LONG_SIDE)
    photo_quality: Mapped[int] = mapped_column(Integer, default=DEFAULT_PHOTO_QUALITY)
