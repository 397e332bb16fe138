"""The muskel page: BNBA by RW, PDF and XLSX exports, decisions recorded in bulk with the minutes."""

from __future__ import annotations

import os
import stat

from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.workflow import State
from app.services.proposals import get_proposal
from app.storage.models import AuditEntry
from tests.factories import CHILD_NIK, HEAD_NIK, SPOUSE_NIK
from tests.fakes.editor import PDF
from tests.fakes.muskel import Saving, in_muskel, make_page
from tests.pdftext import says


def test_candidates_by_rw_and_exports(app_state, qtbot, tmp_path):
    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    in_muskel(app_state.ctx, [SPOUSE_NIK, CHILD_NIK], "2")
    page = make_page(app_state, qtbot, Saving(tmp_path))
    assert page.table.rowCount() == 2
    page.rw.setText("1")
    page.refresh()
    assert [s.id for s in page.summaries] == [first.id]

    page.export_pdf()
    pdf = tmp_path / "bnba-muskel.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert says(pdf.read_bytes(), HEAD_NIK, first.tracking_code)
    assert stat.S_IMODE(os.stat(pdf).st_mode) == 0o600
    page.export_xlsx()
    sheet = load_workbook(tmp_path / "bnba-muskel.xlsx").active
    assert sheet["C5"].value == HEAD_NIK and sheet["I5"].value == first.tracking_code  # E: the address
    # Names and addresses left the database twice: both exports are in the audit log.
    with app_state.ctx.reading() as session:
        exports = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "bnba.export").order_by(AuditEntry.seq)
        ).all()
    assert [(e["format"], e["count"], e["rw"]) for e in exports] == [("pdf", 1, "1"), ("xlsx", 1, "1")]


def test_decisions_are_recorded_in_bulk_with_the_minutes(app_state, qtbot, tmp_path):
    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    second = in_muskel(app_state.ctx, [SPOUSE_NIK], "1")
    minutes = tmp_path / "ba.pdf"
    minutes.write_bytes(PDF)
    from tests.fakes.prompts import QueueLater  # the offer to queue at once is declined here

    answers = QueueLater(path=minutes)
    page = make_page(app_state, qtbot, answers)
    rows = {s.id: r for r, s in enumerate(page.summaries)}
    page.set_decision(rows[first.id], "eligible")
    page.set_decision(rows[second.id], "not_eligible")
    page.record()
    assert get_proposal(app_state.ctx, first.id).proposal.state is State.READY
    assert get_proposal(app_state.ctx, second.id).proposal.state is State.NOT_ELIGIBLE
    assert page.table.rowCount() == 0  # refreshed: nobody waits any more
