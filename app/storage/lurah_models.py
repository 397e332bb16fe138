"""The Lurah's approvals: the throttle on codes from the authenticator app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import Base


class LurahAttempts(Base):
    """Consecutive wrong authenticator codes and when the last one came: what the wait is computed from.

    Kept apart from ``lurah_totp`` (the secret) so that the throttle survives removing and
    re-enrolling the app: a guesser cannot reset the count by starting over.
    """

    __tablename__ = "lurah_attempts"

    operator_id: Mapped[str] = mapped_column(ForeignKey("operator.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)


class LurahChange(Base):
    """One change of the office's authority key (docs/trust-model.md, "When the Lurah changes").

    ``kind``: ``rotate`` (the same Lurah renews her key), ``change`` (a new Lurah, the old one
    present and signing the hand-over) or ``rebind`` (a new Lurah registered by Dinsos with a
    one-time code, the old one absent). ``state`` says what is done, so a change stopped half-way
    is finished at the next opening: ``requested`` (a re-bind waiting for Dinsos's signed answer),
    ``committed`` (the database holds the new key and certificates; the old Lurah's keyslot and the
    recovery code may still have to go), ``done``.
    """

    __tablename__ = "lurah_change"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    old_lurah_id: Mapped[str | None] = mapped_column(String(36))
    new_lurah_id: Mapped[str | None] = mapped_column(String(36))
    new_lurah_name: Mapped[str | None] = mapped_column(String(200))
    old_authority_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    new_authority_public: Mapped[bytes] = mapped_column(LargeBinary)
    # Batches up to this sequence chain to the old key, later ones to the new key.
    boundary: Mapped[int | None] = mapped_column(Integer)
    # A re-bind only: the sealed request (sent again byte for byte), the feed token inside it, and
    # the new authority key sealed under a key derived from Dinsos's one-time code (typed again
    # when the answer comes back; the code itself is stored nowhere).
    sealed_request: Mapped[str | None] = mapped_column(Text)
    feed_token: Mapped[str | None] = mapped_column(String(100))
    key_blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The new recovery code is still to be made (a change stopped after its commit).
    recovery_due: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
