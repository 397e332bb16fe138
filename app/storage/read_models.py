"""What the repositories hand back to services: plain, frozen views of stored proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.proposal import Proposal


@dataclass(frozen=True)
class ProposalSummary:
    """One row of the proposal list."""

    id: str
    tracking_code: str
    kind: str
    state: str
    version: int
    head_name: str
    head_nik: str
    kk_number: str
    rt: str
    rw: str
    programmes: tuple[str, ...]
    updated_at: datetime
    assigned_to: str | None
    address: str = ""  # the household's street address (the BNBA's "by address")
    matched: str = ""  # why a search found it, when a search did: "anggota: WAHYU HIDAYAT"


@dataclass(frozen=True)
class TransitionView:
    from_state: str | None
    to_state: str
    action: str
    actor: str
    operator_name: str | None
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class ProposalDetail:
    proposal: Proposal
    transitions: tuple[TransitionView, ...]
    created_by: str
    assigned_to: str | None
    # The steps of the versions this one replaces, oldest first, each with its version number: a
    # new version keeps the story of why it exists (Dinsos returned version 1, and why).
    earlier: tuple[tuple[int, TransitionView], ...] = ()
