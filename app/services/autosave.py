"""Unsaved typing: the editor's raw form state, kept so a closed window or a crash loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from app.services.context import OfficeContext
from app.storage.models import FormDraft as FormDraftRow


@dataclass(frozen=True)
class FormDraft:
    key: str
    title: str
    updated_at: datetime


def save_form(ctx: OfficeContext, key: str, title: str, payload: dict) -> None:
    """Keep (or replace) the acting operator's form state under ``key``; not audited (no decision)."""
    with ctx.transaction() as session:
        row = session.scalars(
            select(FormDraftRow).where(FormDraftRow.operator_id == ctx.operator_id, FormDraftRow.key == key)
        ).first()
        if row is None:
            row = FormDraftRow(operator_id=ctx.operator_id, key=key)
            session.add(row)
        row.title, row.payload, row.updated_at = title, payload, ctx.clock()


def load_form(ctx: OfficeContext, key: str) -> dict | None:
    with ctx.reading() as session:
        row = session.scalars(
            select(FormDraftRow).where(FormDraftRow.operator_id == ctx.operator_id, FormDraftRow.key == key)
        ).first()
        return dict(row.payload) if row else None


def discard_form(ctx: OfficeContext, key: str) -> None:
    with ctx.transaction() as session:
        session.execute(
            delete(FormDraftRow).where(FormDraftRow.operator_id == ctx.operator_id, FormDraftRow.key == key)
        )


def unfinished_forms(ctx: OfficeContext) -> list[FormDraft]:
    with ctx.reading() as session:
        rows = session.execute(
            select(FormDraftRow.key, FormDraftRow.title, FormDraftRow.updated_at)
            .where(FormDraftRow.operator_id == ctx.operator_id)
            .order_by(FormDraftRow.updated_at.desc())
        ).all()
    return [FormDraft(*row) for row in rows]
