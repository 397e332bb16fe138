"""The reason catalogue Dinsos manages: code, the Indonesian words the kelurahan reads, and the
office playbook page (its slug) to open for it. Seeded by server migration 0003."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.server import audit
from app.server.auth import Staff
from app.server.context import ServerContext
from app.server.errors import BadRequest, UnknownReason
from app.server.models import ReasonCode
from app.server.review import MAX_REASON_TEXT, Reason
from app.sync.status import CODE


@dataclass(frozen=True)
class CatalogueReason:
    code: str
    text: str
    playbook_page: str | None
    active: bool


def list_reasons(ctx: ServerContext, *, active_only: bool = True) -> list[CatalogueReason]:
    query = select(ReasonCode).order_by(ReasonCode.code)
    if active_only:
        query = query.where(ReasonCode.active.is_(True))
    with ctx.reading() as session:
        return [CatalogueReason(r.code, r.text, r.playbook_page, r.active) for r in session.execute(query).scalars()]


def reasons_for(ctx: ServerContext, codes: Sequence[str]) -> list[Reason]:
    """The catalogue's words for each chosen code; a code not in the catalogue (or retired) is refused."""
    known = {r.code: r for r in list_reasons(ctx)}
    out = []
    for code in codes:
        if code not in known:
            raise UnknownReason(code=code[:64])
        out.append(Reason(code, known[code].text))
    return out


def save_reason(ctx: ServerContext, staff: Staff, *, code: str, text: str, playbook_page: str | None,
                active: bool = True) -> CatalogueReason:
    """Add or change one entry (administrators only); audited with the code, never the words."""
    staff.require("admin")
    if not CODE.fullmatch(code or "") or len(code) > 64:
        raise BadRequest(field="code")
    if not text.strip() or len(text) > MAX_REASON_TEXT:
        raise BadRequest(field="text")
    page = (playbook_page or "").strip() or None
    if page is not None and (len(page) > 120 or not CODE.fullmatch(page)):
        raise BadRequest(field="playbook_page")
    now = ctx.now()
    with ctx.transaction() as session:
        row = session.get(ReasonCode, code)
        if row is None:
            row = ReasonCode(code=code, text=text.strip(), playbook_page=page, active=active)
            session.add(row)
        else:
            row.text, row.playbook_page, row.active = text.strip(), page, active
        audit.append(session, at=now, actor=f"staff:{staff.username}", action="reason_saved", subject=code,
                     detail={"active": active})
    return CatalogueReason(code, text.strip(), page, active)
