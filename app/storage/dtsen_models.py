"""The DTSEN reference kept in the office: the current families and members, the previous version, the state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import Base

DEFAULT_MAX_DESIL = 4  # most bansos (PKH, BPNT, PBI-JK) take desil 1 to 4


class DtsenFamily(Base):
    """One family of the current DTSEN version; ``members`` is a JSON list of {nik, name}."""

    __tablename__ = "dtsen_family"

    no_kk: Mapped[str] = mapped_column(String(16), primary_key=True)
    dtsen_id: Mapped[str] = mapped_column(String(40))
    desil: Mapped[int] = mapped_column(Integer)
    programmes: Mapped[str] = mapped_column(String(40))  # "BPNT;PKH", sorted; empty for none
    members: Mapped[str] = mapped_column(Text)


class DtsenPreviousFamily(Base):
    """The previous version, kept where it differs from the current one: each family the last version
    added (``change`` "new", no old values), changed ("changed", its old values) or removed ("left").

    The previous version is the current one with these rows put back; what changed is read from
    here without copying the whole kelurahan at each delta.
    """

    __tablename__ = "dtsen_family_previous"

    no_kk: Mapped[str] = mapped_column(String(16), primary_key=True)
    change: Mapped[str] = mapped_column(String(8))
    dtsen_id: Mapped[str | None] = mapped_column(String(40))
    desil: Mapped[int | None] = mapped_column(Integer)
    programmes: Mapped[str | None] = mapped_column(String(40))
    members: Mapped[str | None] = mapped_column(Text)


class DtsenMember(Base):
    """NIK to No. KK in the current version, so a lookup by NIK is one index read."""

    __tablename__ = "dtsen_member"

    nik: Mapped[str] = mapped_column(String(16), primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16), index=True)


class DtsenState(Base):
    """One row: the version in the office, its manifest hash (the next delta names it), and the route setting."""

    __tablename__ = "dtsen_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    previous_version: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(8))
    manifest_hash: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    imported_at: Mapped[datetime | None] = mapped_column(DateTime)
    max_desil: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_DESIL)
