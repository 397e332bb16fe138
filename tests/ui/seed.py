"""Many proposals at once for UI tests: bulk rows like bench/storage.py, not one service call each."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from app.services.synthetic import households
from app.storage.models import Household, Member, Proposal
from app.storage.search import name_key

VILLAGE = "35.75.03.1009"


def seed_proposals(ctx, count: int, *, state: str = "draft") -> list[str]:
    """Insert ``count`` well-formed proposals; the i-th was updated i minutes after the first."""
    start = datetime(2026, 1, 1)
    ids, rows_p, rows_h, rows_m = [], [], [], []
    member_id = 10_000_000
    for index, hh in enumerate(households(count, seed=11)):
        pid = str(uuid.UUID(int=index + 1, version=4))
        ids.append(pid)
        moment = start + timedelta(minutes=index)
        rows_p.append(dict(
            id=pid, tracking_code=f"T{index:09d}", kind="baru", state=state, version=1,
            programmes=["pkh"], changes=[], confirmed_warnings=[], created_by=ctx.operator_id,
            created_at=moment, updated_at=moment, desil=3,
        ))
        household_id = 10_000_000 + index
        rows_h.append(dict(id=household_id, proposal_id=pid, kk_number=hh.kk_number, address=hh.address,
                           rt=hh.rt, rw=hh.rw, village_code=VILLAGE))
        for position, m in enumerate(hh.members):
            member_id += 1
            rows_m.append(dict(id=member_id, household_id=household_id, position=position, nik=m.nik,
                               name=m.name, name_key=name_key(m.name), sex=m.sex, birth_place=m.birth_place,
                               birth_date=m.birth_date, relation=m.relation, mother_name=m.mother_name))
    with ctx.engine.begin() as conn:
        conn.execute(insert(Proposal), rows_p)
        conn.execute(insert(Household), rows_h)
        conn.execute(insert(Member), rows_m)
    return ids
