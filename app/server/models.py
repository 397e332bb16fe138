"""The server database schema (its own metadata, separate from the office database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
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
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
UUID_LEN = 36
KK_POSTGRESQL = "((payload::json -> 'household') ->> 'kk_number')"
HASH_LEN = 64


class UtcDateTime(TypeDecorator):
    """Stored as naive UTC (SQLite has no zones), always handed back aware, in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the server stores UTC only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(String(20), index=True)
    # The Lurah's Ed25519 key, set once at bind time; every operator certificate chains to it.
    authority_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # SHA-256 of the one-time enrolment code; None once used (the code works once).
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    feed_token_hash: Mapped[str | None] = mapped_column(String(HASH_LEN), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    bound_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The chain head, kept here so ingest reads one row instead of scanning batches.
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    last_batch_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    feed_cursor: Mapped[int] = mapped_column(Integer, default=0)
    # The sealed bind request that bound the office (its SHA-256) and the signed answer given to
    # it: the same request sent again gets the same answer; any other is refused (migration 0002).
    bind_request_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    bind_answer: Mapped[str | None] = mapped_column(Text)
    # A re-bind (a new Lurah without the old one, migration 0007): the one-time code Dinsos issued
    # (its SHA-256, None once used) and until when it works; the request it took and the answer.
    rebind_code_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    rebind_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rebind_request_hash: Mapped[str | None] = mapped_column(String(HASH_LEN))
    rebind_answer: Mapped[str | None] = mapped_column(Text)


class FormerAuthority(Base):
    """An authority key the office had before, and the last batch sequence it covers (migration 0007).

    Batches up to ``until_sequence`` were checked against this key and still verify against it
    (``usulkan-server audit batches``); every later batch chains to a later key.
    """

    __tablename__ = "office_former_authorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    until_sequence: Mapped[int] = mapped_column(Integer)
    replaced_by: Mapped[bytes] = mapped_column(LargeBinary(32))
    how: Mapped[str] = mapped_column(String(16))  # rotation (signed by the old key) | rebind (by Dinsos)
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OfficeAuditHead(Base):
    """The office's audit head as a batch carried it: the office's `audit verify` must still find
    it in its chain. One per batch (migration 0002)."""

    __tablename__ = "office_audit_heads"

    batch_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    batch_sequence: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LEN))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("office_id", "sequence", name="uq_batches_office_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    batch_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    item_count: Mapped[int] = mapped_column(Integer)
    # The sealed envelope as received: evidence, re-openable with the server's X25519 key.
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # The signed receipt bytes, so a resend gets the very same receipt.
    receipt: Mapped[bytes] = mapped_column(LargeBinary)


class HeldBatch(Base):
    """A verified batch that arrived before its predecessor (``gap``); applied when the gap fills."""

    __tablename__ = "held_batches"
    __table_args__ = (UniqueConstraint("office_id", "sequence", name="uq_held_batches_office_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    batch_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    raw: Mapped[bytes] = mapped_column(LargeBinary)


class Item(Base):
    __tablename__ = "items"
    # The console's lists (migration 0012): a queue oldest first, the inbox's counts, tracking codes, and
    # the payload's No. KK for search (an expression per dialect: SQLite's json_extract in the migration).
    __table_args__ = (Index("ix_items_office_state", "office_id", "state"),
                      Index("ix_items_state_received", "state", "received_at", "item_id"),
                      Index("ix_items_state_updated", "state", "updated_at", "item_id"),
                      Index("ix_items_state_office_base", "state", "office_id", "base_id", "received_at"),
                      Index("ix_items_office_state_received", "office_id", "state", "received_at", "item_id"),
                      Index("ix_items_office_state_updated", "office_id", "state", "updated_at", "item_id"),
                      Index("ix_items_tracking_code", "tracking_code"),
                      Index("ix_items_kk_number", text(KK_POSTGRESQL)).ddl_if(dialect="postgresql"))

    item_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    item_type: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    base_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)
    route: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))
    tracking_code: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, as signed
    payload_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    state: Mapped[str] = mapped_column(String(16), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ItemNik(Base):
    """Every NIK named by a proposal, indexed, so cross-kelurahan duplicates are one lookup."""

    __tablename__ = "item_niks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    nik: Mapped[str] = mapped_column(String(16), index=True)


class DuplicateFlag(Base):
    __tablename__ = "duplicate_flags"
    __table_args__ = (UniqueConstraint("item_id", "other_item_id", "nik", name="uq_duplicate_flags_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    other_item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    nik: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # How a person at Dinsos resolved it (migration 0010): same_person (kept_item_id stays, the
    # other was returned) or different_people; who, and in their words why.
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    kept_item_id: Mapped[str | None] = mapped_column(String(UUID_LEN))


class StoredRevocation(Base):
    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    cert_id: Mapped[str] = mapped_column(String(UUID_LEN))
    effective_after_sequence: Mapped[int] = mapped_column(Integer)
    record: Mapped[bytes] = mapped_column(LargeBinary)  # the signed revocation, canonical bytes
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(HASH_LEN), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of {code, text}
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    feed_cursor: Mapped[int] = mapped_column(Integer)
    # The walikota's decree (SK) behind an approval or a forwarding to the ministry (migration 0010).
    decree_number: Mapped[str | None] = mapped_column(String(100))
    decree_date: Mapped[date | None] = mapped_column(Date)
    # The decree's document (PDF/JPEG/PNG) in the blob store, by its SHA-256 (migration 0014).
    decree_document_sha256: Mapped[str | None] = mapped_column(String(64))
    decree_document_type: Mapped[str | None] = mapped_column(String(40))
    decree_document_size: Mapped[int | None] = mapped_column(Integer)


class StatusEntry(Base):
    """One signed StatusUpdate in an office's feed; ``cursor`` counts per office from 1."""

    __tablename__ = "status_feed"
    __table_args__ = (UniqueConstraint("office_id", "cursor", name="uq_status_feed_office_cursor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    cursor: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    record: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    hash: Mapped[str] = mapped_column(String(HASH_LEN))
    # 1: written before migration 0002 (old hash); 2: a link of the shared chain (app.sync.chain).
    scheme: Mapped[int] = mapped_column(Integer, default=2, server_default="1")


class AuditHead(Base):
    """One row: the chain's last link; locking it serialises appends (PostgreSQL has many writers)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LEN))


class ItemClaim(Base):
    """A verifier has the item open: others see it as taken until ``expires_at`` (migration 0003)."""

    __tablename__ = "item_claims"

    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReasonCode(Base):
    """Dinsos's catalogue of return reasons: the code in the data, the words the kelurahan reads, and
    the slug of the office playbook page to open (migration 0003)."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    playbook_page: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ItemDocument(Base):
    """A document a received signed item names (by hash); ``stored_at`` once its bytes are in the blob store."""

    __tablename__ = "item_documents"
    __table_args__ = (Index("ix_item_documents_office_sha256", "office_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.item_id"), index=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(HASH_LEN))
    kind: Mapped[str] = mapped_column(String(32))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LoginFailure(Base):
    """One failed staff sign-in, kept for the throttle's window (app/server/throttle.py), then deleted."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class DtsenFamily(Base):
    """One family of the DTSEN extract Dinsos last imported for an office (migration 0013); ``record`` is
    the family's canonical JSON as a package carries it."""

    __tablename__ = "dtsen_families"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16), primary_key=True)
    record: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DtsenPublished(Base):
    """The families as the office's last published DTSEN version holds them: the base of the next delta."""

    __tablename__ = "dtsen_published"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16), primary_key=True)
    record: Mapped[str] = mapped_column(Text)


class DtsenRelease(Base):
    """One published DTSEN version of an office: the signed manifest and its plain payload files (sealed
    to the office's current feed token whenever they are handed out)."""

    __tablename__ = "dtsen_releases"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8))
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    manifest_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    families_file: Mapped[bytes] = mapped_column(LargeBinary)
    removed_file: Mapped[bytes | None] = mapped_column(LargeBinary)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
