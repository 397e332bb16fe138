"""Sync tables of the office database: signing keys, certificates, Dinsos keys, outbox, status feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import UUID_LEN, Base

# The owner of the Lurah's authority key in ``signing_key`` (every other owner is an operator id).
AUTHORITY_OWNER = "lurah-authority"


class SigningKey(Base):
    """An Ed25519 public key; its private half is only ever stored sealed (``SealedKey``)."""

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    role: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SealedKey(Base):
    """A private key (or the TOTP secret) sealed with HPKE to one keyslot (app/storage/sealed.py).

    One row per (owner, purpose, public key, slot): the Lurah's authority key has one for the
    Lurah's slot and one for the recovery slot. Nobody but that slot's owner can open it.
    """

    __tablename__ = "sealed_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    # The public half of the sealed key (empty for a TOTP secret): what the opener must derive.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    slot_id: Mapped[str] = mapped_column(String(64), index=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    # SlotKey.tag: made with the slot's private key; a blob without a valid tag is not used
    # (one sealed by migration 0008 gets its tag at its owner's next sign-in, keys.adopt_seals).
    tag: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Certificate(Base):
    """An operator certificate the Lurah issued, kept as its canonical JSON bytes."""

    __tablename__ = "certificate"

    cert_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime] = mapped_column(DateTime)


class DinsosKey(Base):
    """A Dinsos public key from the provisioning document, with the root's certificate for it."""

    __tablename__ = "dinsos_keys"

    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    certificate: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[datetime] = mapped_column(DateTime)


class SyncLink(Base):
    """The office's link to its Dinsos server (one row): ids, root key, enrolment, feed cursor."""

    __tablename__ = "sync_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_office_id: Mapped[str] = mapped_column(String(UUID_LEN))
    root_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Cleared once bound: the server accepts it exactly once.
    enrolment_code: Mapped[str | None] = mapped_column(String(64))
    feed_token: Mapped[str | None] = mapped_column(String(100))
    bound_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_cursor: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    # What the sender last saw: shown on the dashboard, never guessed.
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))
    # The sealed bind request (canonical JSON) and the feed token inside it, kept until the signed
    # answer is checked: a resend, or the answer file brought back, must match these exact bytes.
    bind_request: Mapped[str | None] = mapped_column(Text)
    bind_feed_token: Mapped[str | None] = mapped_column(String(100))


class OutboxBatch(Base):
    """A batch on its way to Dinsos: signed bytes, sealed bytes, and where delivery stands."""

    __tablename__ = "outbox_batch"

    batch_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # Known once every required signature is there (it covers the countersignature).
    batch_hash: Mapped[str | None] = mapped_column(String(64))
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(30), index=True)
    receipt: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxItem(Base):
    """A queued proposal version, frozen as the payload that will be signed."""

    __tablename__ = "outbox_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal.id"), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), index=True)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("outbox_batch.batch_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StatusRecord(Base):
    """A signed status from Dinsos, kept as received so it can be shown later with its proof."""

    __tablename__ = "status_record"

    feed_cursor: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    state: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    applied: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(DateTime)


class DataRepair(Base):
    """A repair of the office's data a migration asked for, run once at the next unlock.

    The migration only files the request: the repair needs the models at head and the person
    who unlocks (its audit entry is theirs), neither of which a migration step may assume.
    """

    __tablename__ = "data_repair"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
