"""Ground checks by field staff: household records with versions, assignments, results, merge decisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import UUID_LEN, Base


class HouseholdRecord(Base):
    """The office's current socio-economic record of a household (by No. KK); ``version`` rises on every change."""

    __tablename__ = "household_record"

    kk_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    head_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HouseholdRecordVersion(Base):
    """Every version of a household record: what a field result's base version refers to."""

    __tablename__ = "household_record_version"
    __table_args__ = (UniqueConstraint("kk_number", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kk_number: Mapped[str] = mapped_column(ForeignKey("household_record.kk_number"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    # "office" (typed), "field" (merged from results) or "decision" (the operator chose).
    source: Mapped[str] = mapped_column(String(20))
    made_by: Mapped[str | None] = mapped_column(String(UUID_LEN))
    made_at: Mapped[datetime] = mapped_column(DateTime)


class FieldBoxKey(Base):
    """A field person's X25519 key to seal assignments to, in their own signed statement (public only)."""

    __tablename__ = "field_box_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FieldAssignment(Base):
    """Ground checks given to one field person: the households and the base version of each."""

    __tablename__ = "field_assignment"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    assigned_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    due_date: Mapped[date] = mapped_column(Date)
    # kk_number -> base version
    households: Mapped[dict] = mapped_column(JSON, default=dict)
    # The variables to check: a result may change only these.
    variables: Mapped[list] = mapped_column(JSON, default=list)
    # The private half of the key results are sealed to. Its audience is the office (whoever holds
    # the data key), so it is protected by the database's encryption like the results themselves.
    return_private: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FieldResultRow(Base):
    """One household's record of an imported results file (imported once: ``results_id`` + No. KK)."""

    __tablename__ = "field_result"
    __table_args__ = (UniqueConstraint("results_id", "kk_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    results_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("field_assignment.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    latitude: Mapped[str | None] = mapped_column(String(20))
    longitude: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class FieldPhoto(Base):
    """A photo of a ground check (front, inside, KK), stored once by its SHA-256."""

    __tablename__ = "field_photo"
    __table_args__ = (UniqueConstraint("result_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("field_result.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FieldMergeBase(Base):
    """The office's own values of a household before any field result was applied (what merging compares to)."""

    __tablename__ = "field_merge_base"
    __table_args__ = (UniqueConstraint("kk_number", "variable"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    variable: Mapped[str] = mapped_column(String(40))
    office_value: Mapped[str | None] = mapped_column(String(40))
    applied_value: Mapped[str | None] = mapped_column(String(40))


class FieldDecision(Base):
    """The operator's choice on a conflict: one field, for exactly the results it was asked about."""

    __tablename__ = "field_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    variable: Mapped[str] = mapped_column(String(40))
    results: Mapped[list] = mapped_column(JSON, default=list)
    value: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class FieldRemark(Base):
    """A rejection or question of the office on a result; it rides on the person's next assignment file."""

    __tablename__ = "field_remark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    kk_number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(ForeignKey("operator.id"))
    made_at: Mapped[datetime] = mapped_column(DateTime)
    sent_in: Mapped[str | None] = mapped_column(String(UUID_LEN))


class FieldInbox(Base):
    """On the field person's side: an assignment file they opened, kept as it came (still sealed to them)."""

    __tablename__ = "field_inbox"

    assignment_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    opened_at: Mapped[datetime] = mapped_column(DateTime)


class FieldDraft(Base):
    """On the field person's side: what they recorded for one household so far (kept across days offline)."""

    __tablename__ = "field_draft"
    __table_args__ = (UniqueConstraint("assignment_id", "kk_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("field_inbox.assignment_id"), index=True)
    kk_number: Mapped[str] = mapped_column(String(16))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    # kind -> base64url of the photo's bytes
    photos: Mapped[dict] = mapped_column(JSON, default=dict)
    latitude: Mapped[str | None] = mapped_column(String(20))
    longitude: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(DateTime)
