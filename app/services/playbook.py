"""Playbook: the office's own handbook, page by page, every saved version kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsulkanError
from app.i18n import N_
from app.services.context import OfficeContext
from app.services.playbook_starter import STARTER_PAGES
from app.storage.handover_models import PlaybookPage, PlaybookRevision
from app.storage.models import Operator, Proposal, ProposalTransition

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_BODY = 50_000


class PlaybookPageNotFound(UsulkanError):
    template = N_("The playbook page {slug} was not found.")
    hint = N_("Choose a page from the playbook list.")


class PlaybookPageInvalid(UsulkanError):
    template = N_("A playbook page needs a short address of lower-case letters, digits and dashes, a title and text.")
    hint = N_("For example: muskel-cara-kami.")


class ReturnReasonTaken(UsulkanError):
    template = N_("Another playbook page already explains return reason {code}.")
    hint = N_("Edit that page instead, or remove the code from it first.")


@dataclass(frozen=True)
class PageView:
    slug: str
    title: str
    body: str
    return_reason_code: str | None
    version: int
    updated_at: datetime
    updated_by: str | None
    updated_by_name: str | None


def _names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Operator.id, Operator.name)).all())


def _view(row, names: dict[str, str]) -> PageView:
    return PageView(
        slug=row.slug, title=row.title, body=row.body, return_reason_code=row.return_reason_code,
        version=row.version, updated_at=row.updated_at, updated_by=row.updated_by,
        updated_by_name=names.get(row.updated_by) if row.updated_by else None,
    )


def _save_in(ctx: OfficeContext, session: Session, slug: str, title: str, body: str, code: str | None) -> PlaybookPage:
    title, code = title.strip(), (code or "").strip() or None
    if not SLUG.match(slug) or not title or not body.strip() or len(body) > MAX_BODY:
        raise PlaybookPageInvalid()
    if code is not None:
        holder = session.scalars(select(PlaybookPage).where(PlaybookPage.return_reason_code == code)).first()
        if holder is not None and holder.slug != slug:
            raise ReturnReasonTaken(code=code)
    now = ctx.clock()
    row = session.get(PlaybookPage, slug)
    if row is None:
        row = PlaybookPage(slug=slug, version=0)
        session.add(row)
    row.title, row.body, row.return_reason_code = title, body, code
    row.updated_by, row.updated_at, row.version = ctx.operator_id, now, row.version + 1
    session.flush()
    session.add(PlaybookRevision(
        slug=slug, version=row.version, title=title, body=body, return_reason_code=code,
        updated_by=ctx.operator_id, updated_at=now,
    ))
    ctx.audit(session, "playbook.save", "playbook_page", None, slug=slug, version=row.version)
    return row


def save_page(
    ctx: OfficeContext, *, slug: str, title: str, body: str, return_reason_code: str | None = None,
) -> PageView:
    """Save a page as a new version (the old one stays in its history)."""
    with ctx.transaction() as session:
        row = _save_in(ctx, session, slug, title, body, return_reason_code)
        return _view(row, _names(session))


def get_page(ctx: OfficeContext, slug: str) -> PageView:
    with ctx.reading() as session:
        row = session.get(PlaybookPage, slug)
        if row is None:
            raise PlaybookPageNotFound(slug=slug)
        return _view(row, _names(session))


def list_pages(ctx: OfficeContext) -> list[PageView]:
    with ctx.reading() as session:
        names = _names(session)
        return [_view(row, names) for row in session.scalars(select(PlaybookPage).order_by(PlaybookPage.title))]


def page_for_return_reason(ctx: OfficeContext, code: str) -> PageView | None:
    """The page that says what to do when Dinsos returns a proposal with ``code``, if one exists."""
    with ctx.reading() as session:
        row = session.scalars(select(PlaybookPage).where(PlaybookPage.return_reason_code == code)).first()
        return _view(row, _names(session)) if row else None


@dataclass(frozen=True)
class ReturnReason:
    """One reason Dinsos gave for returning a proposal: its stable code and Dinsos's own words."""

    code: str
    text: str


def reasons_of(transition: ProposalTransition) -> list[ReturnReason]:
    """The coded reasons a Dinsos step carries in its data (a return; none for other steps)."""
    found = (transition.data or {}).get("reasons") or []
    return [ReturnReason(str(r["code"]), str(r.get("text") or "")) for r in found
            if isinstance(r, dict) and r.get("code")]


def return_reasons(ctx: OfficeContext, proposal_id: str) -> list[ReturnReason]:
    """The coded reasons of the latest time Dinsos returned this proposal (none if it never did)."""
    with ctx.reading() as session:
        last = session.scalars(
            select(ProposalTransition)
            .where(ProposalTransition.proposal_id == proposal_id, ProposalTransition.action == "return")
            .order_by(ProposalTransition.at.desc(), ProposalTransition.id.desc())
        ).first()
        return reasons_of(last) if last is not None else []


def reasons_to_fix(ctx: OfficeContext, proposal_id: str) -> tuple[int | None, list[ReturnReason]]:
    """What the operator is fixing, and in which version Dinsos said it.

    A returned proposal: its own latest return. A new version still being prepared (a draft, or
    on its way through the muskel/SPTJM again): the return of the version it replaces, so the
    reason stays in sight while it is fixed. Anything else: nothing (the version number is None).
    """
    preparing = {"draft", "ground_check", "muskel", "sptjm", "ready"}

    def last_return(session: Session, pid: str) -> ProposalTransition | None:
        return session.scalars(
            select(ProposalTransition)
            .where(ProposalTransition.proposal_id == pid, ProposalTransition.action == "return")
            .order_by(ProposalTransition.at.desc(), ProposalTransition.id.desc())
        ).first()

    with ctx.reading() as session:
        row = session.get(Proposal, proposal_id)
        if row is None or row.state not in preparing | {"returned"}:
            return None, []
        own = last_return(session, row.id)
        if own is not None:
            return row.version, reasons_of(own)
        base = session.get(Proposal, row.base_id) if row.state in preparing and row.base_id else None
        carried = last_return(session, base.id) if base is not None else None
        if carried is not None:
            return base.version, reasons_of(carried)
    return None, []


def known_return_reason_codes(ctx: OfficeContext) -> list[str]:
    """Every return-reason code this office has met: in Dinsos's returns and on its playbook pages."""
    with ctx.reading() as session:
        codes = set(session.scalars(
            select(PlaybookPage.return_reason_code).where(PlaybookPage.return_reason_code.is_not(None))
        ))
        for transition in session.scalars(select(ProposalTransition).where(ProposalTransition.action == "return")):
            codes.update(r.code for r in reasons_of(transition))
    return sorted(codes)


def history(ctx: OfficeContext, slug: str) -> list[PageView]:
    """Every saved version of a page, newest first."""
    with ctx.reading() as session:
        names = _names(session)
        rows = session.scalars(
            select(PlaybookRevision).where(PlaybookRevision.slug == slug).order_by(PlaybookRevision.version.desc())
        ).all()
        if not rows:
            raise PlaybookPageNotFound(slug=slug)
        return [_view(row, names) for row in rows]


def ensure_starter_pages(ctx: OfficeContext) -> list[str]:
    """Write the starter pages the office does not have yet; never overwrite its own text."""
    made = []
    with ctx.transaction() as session:
        for page in STARTER_PAGES:
            if session.get(PlaybookPage, page.slug) is None:
                _save_in(ctx, session, page.slug, page.title, page.body, page.return_reason_code)
                made.append(page.slug)
    return made
