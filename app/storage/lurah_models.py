"""The Lurah's approvals: the throttle on codes from the authenticator app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer
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
