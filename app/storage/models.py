"""SQLAlchemy models of the office database (the schema Alembic migrations must match)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UUID_LEN = 36


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Office(Base):
    """The one office this database belongs to."""

    __tablename__ = "office"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(String(13))
    regency_code: Mapped[str] = mapped_column(String(5))
    server_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Printed on the citizen's receipt and the BNBA: where to come back and whom to call.
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))


class Operator(Base):
    """A person who may unlock the office: the Lurah, operators and field staff."""

    __tablename__ = "operator"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Proposal(Base):
    """One version of a proposal (usulan baru, pembaruan or sanggahan)."""

    __tablename__ = "proposal"
    __table_args__ = (
        Index("ix_proposal_state_kind", "state", "kind"),
        Index("ix_proposal_updated_at", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    # Shared by every version of a proposal: the code on the citizen's receipt.
    tracking_code: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    base_id: Mapped[str | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    programmes: Mapped[list] = mapped_column(JSON, default=list)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    objection_subject_nik: Mapped[str | None] = mapped_column(String(16))
    objection_reason: Mapped[str | None] = mapped_column(String(30))
    objection_note: Mapped[str | None] = mapped_column(Text)
    desil: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[str | None] = mapped_column(String(10))
    confirmed_warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("operator.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    household: Mapped[Household] = relationship(
        back_populates="proposal", uselist=False, cascade="all, delete-orphan"
    )
    transitions: Mapped[list[ProposalTransition]] = relationship(
        back_populates="proposal", order_by="ProposalTransition.id", cascade="all, delete-orphan"
    )


class Household(Base):
    """The household as entered for one proposal version (a frozen copy once queued)."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id"), unique=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str] = mapped_column(Text)
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    village_code: Mapped[str] = mapped_column(String(13))

    proposal: Mapped[Proposal] = relationship(back_populates="household")
    members: Mapped[list[Member]] = relationship(
        back_populates="household", order_by="Member.position", cascade="all, delete-orphan"
    )


class Member(Base):
    """A person in a household: identity as on the KK."""

    __tablename__ = "member"
    __table_args__ = (Index("ix_member_name_key", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Upper-cased, space-folded name: the key of prefix search (an index range scan).
    name_key: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    birth_place: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(20))
    mother_name: Mapped[str] = mapped_column(String(200))

    household: Mapped[Household] = relationship(back_populates="members")


class ProposalTransition(Base):
    """Every workflow step of a proposal: who, when, why."""

    __tablename__ = "proposal_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(20))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    proposal: Mapped[Proposal] = relationship(back_populates="transitions")


class Attachment(Base):
    """A scanned document or photo, kept inside the encrypted database."""

    __tablename__ = "attachment"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    complaint_id: Mapped[str | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # None: attached at the office. "dinsos": sent back by Dinsos (a return file); read-only, never sent on.
    source: Mapped[str | None] = mapped_column(String(16))


class Complaint(Base):
    """A citizen's complaint (pengaduan), tracked to its resolution."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_date"),)

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    category: Mapped[str] = mapped_column(String(30))
    reporter_name: Mapped[str] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(100))
    subject_nik: Mapped[str | None] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_date: Mapped[date] = mapped_column(Date)
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("operator.id"))
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))


class FormDraft(Base):
    """What an operator typed into a form and has not saved yet, even if it is not valid."""

    __tablename__ = "form_draft"
    __table_args__ = (UniqueConstraint("operator_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One link of the append-only, hash-chained audit log."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    operator_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # 1: written before migration 0009 (old hash, unsigned); 2: a link of app.sync.chain,
    # signed by the acting person's key (key_id names it).
    scheme: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    key_id: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditHead(Base):
    """The last link of the audit chain, so a cut-off tail is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# The sync tables live in their own module but on this Base: importing it here registers
# them wherever the schema is used (migrations, the schema test, create_all).
from app.storage import sync_models  # noqa: E402, F401
# The handover tables (journal, playbook, pending revocations) register on this Base the same way.
from app.storage import handover_models  # noqa: E402, F401
# The Lurah's approval throttle, the same way.
from app.storage import lurah_models  # noqa: E402, F401
# Documents prepared for Dinsos and the photo settings, the same way.
from app.storage import document_models  # noqa: E402, F401
# The DTSEN reference (current and previous version, the route setting), the same way.
from app.storage import dtsen_models  # noqa: E402, F401
# Ground checks by field staff (household records, assignments, results), the same way.
from app.storage import field_models  # noqa: E402, F401
