"""Tables that keep an office's knowledge when people leave: journals, playbook, pending revocations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import UUID_LEN, Base


class JournalEntry(Base):
    """A note, call, visit or next action on a proposal, a household (by No. KK) or a complaint."""

    __tablename__ = "journal_entry"
    __table_args__ = (Index("ix_journal_entry_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    # A proposal or complaint id, or a No. KK: not a foreign key, since a household has no row of its own.
    subject_id: Mapped[str] = mapped_column(String(UUID_LEN))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who the entry is for: the owner of a next action (None = the office pool), the reader of a handover note.
    addressed_to: Mapped[str | None] = mapped_column(ForeignKey("operator.id"), index=True)
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"), index=True)
    # Set on handover notes: the piece of work ("proposal:<id>", ...) the note goes with.
    item_key: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PlaybookPage(Base):
    """The current text of one page of the office's own handbook."""

    __tablename__ = "playbook_page"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    return_reason_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer)


class PlaybookRevision(Base):
    """Every saved version of a playbook page, so an edit never loses what was known before."""

    __tablename__ = "playbook_revision"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(ForeignKey("playbook_page.slug"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    return_reason_code: Mapped[str | None] = mapped_column(String(64))
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PendingRevocation(Base):
    """A Lurah-signed revocation waiting to reach Dinsos; the next batch anyone signs carries it."""

    __tablename__ = "pending_revocation"

    cert_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    effective_after_sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The batch that carries it to Dinsos; cleared again if Dinsos refuses that batch.
    batch_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)


class LurahTotp(Base):
    """That the Lurah uses TOTP (RFC 6238) codes; the secret itself is sealed to the Lurah's slot (``SealedKey``)."""

    __tablename__ = "lurah_totp"

    operator_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), primary_key=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    # The last time step accepted: the same code cannot approve twice.
    last_step: Mapped[int | None] = mapped_column(Integer)


class HandoverRecord(Base):
    """A handover report: its canonical body and hash, signed by the leaver and countersigned by the Lurah."""

    __tablename__ = "handover_record"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    from_operator: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    successor: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    body: Mapped[str] = mapped_column(Text)
    report_hash: Mapped[str] = mapped_column(String(64))
    operator_public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    operator_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    lurah_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    lurah_signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
