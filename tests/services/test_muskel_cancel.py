"""The muskel services take ``cancel`` and ``progress`` callables: a cancel rolls everything back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain import workflow
from app.services import muskel, proposal_io, proposals
from app.storage.models import Attachment, AuditEntry
from tests.factories import CHILD_NIK, HEAD_NIK, SPOUSE_NIK, household_with

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Stop(Exception):
    pass


def in_muskel(ctx, nik):
    summary = proposals.add_proposal(ctx, proposal_io.proposal_from_dict(household_with([nik])))
    proposals.apply_action(ctx, summary.id, workflow.Action.SEND_TO_MUSKEL)
    return summary.id


def count(ctx, model, **where):
    with ctx.reading() as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return session.scalar(stmt)


def test_a_cancel_in_the_middle_undoes_every_decision(office):
    ids = [in_muskel(office, nik) for nik in (HEAD_NIK, SPOUSE_NIK, CHILD_NIK)]
    seen = []

    def cancel():
        if len(seen) == 2:
            raise Stop()

    with pytest.raises(Stop):
        muskel.record_decisions(office, dict.fromkeys(ids, "eligible"), "ba.pdf", PDF,
                                cancel=cancel, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3)]
    assert all(proposals.get_proposal(office, i).proposal.state is workflow.State.MUSKEL for i in ids)
    assert count(office, Attachment) == 0


def test_progress_runs_to_the_total_when_nothing_cancels(office):
    ids = [in_muskel(office, nik) for nik in (HEAD_NIK, SPOUSE_NIK)]
    seen = []
    assert muskel.record_decisions(office, dict.fromkeys(ids, "eligible"), "ba.pdf", PDF,
                                   cancel=lambda: None, progress=lambda d, t: seen.append(d)) == 2
    assert seen == [0, 1, 2]
    assert count(office, Attachment) == 2


def test_an_export_whose_file_fails_leaves_no_audit_entry(office):
    def write():
        raise OSError("disk full")

    with pytest.raises(OSError):
        muskel.record_export(office, file_format="pdf", count=3, write=write)
    assert count(office, AuditEntry, action="bnba.export") == 0
    written = []
    muskel.record_export(office, file_format="xlsx", count=3, write=lambda: written.append(True))
    assert written and count(office, AuditEntry, action="bnba.export") == 1
