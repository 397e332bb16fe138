"""Why a search found a proposal: which of its people matched ("anggota: WAHYU HIDAYAT"), or its No. KK."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.household import Relationship
from app.i18n import _
from app.storage.models import Household, Member
from app.storage.search import member_ids_matching


def with_match_reasons(session: Session, rows: list, query: str) -> list:
    """Say beside each found proposal which of its people matched, when it is not plainly the head's name."""
    found = session.execute(
        select(Household.proposal_id, Member.name, Member.nik, Member.relation, Member.position)
        .join(Household, Household.id == Member.household_id)
        .where(Household.proposal_id.in_([r.id for r in rows]), Member.id.in_(member_ids_matching(query)))
        .order_by(Member.position)
    ).all()
    digits = re.sub(r"[^0-9]", "", query)
    by_proposal: dict[str, list] = {}
    for proposal_id, name, nik, relation, _position in found:
        by_proposal.setdefault(proposal_id, []).append((name, nik, relation))
    out = []
    for row in rows:
        matches = by_proposal.get(row.id, [])
        out.append(replace(row, matched=match_reason(row, matches, digits)))
    return out


def match_reason(row, matches: list[tuple[str, str, str]], digits: str) -> str:
    """'anggota: WAHYU HIDAYAT', 'No. KK', 'NIK kepala keluarga' or '' (the head's own name matched)."""
    if len(digits) == 16 and digits == row.kk_number and not any(nik == digits for _n, nik, _r in matches):
        return _("No. KK")
    if not matches:
        return ""
    head = [m for m in matches if m[2] == Relationship.KEPALA_KELUARGA.value]
    others = [m for m in matches if m[2] != Relationship.KEPALA_KELUARGA.value]
    by_nik = bool(digits) and len(digits) >= 6
    if head and not others:
        return _("NIK of the head of family") if by_nik else ""
    names = ", ".join(name for name, _nik, _r in others[:2]) + (" \u2026" if len(others) > 2 else "")
    return (_("member's NIK: {names}") if by_nik else _("member: {names}")).format(names=names)
