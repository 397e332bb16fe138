"""Journal: entries on proposals, households and complaints, newest first, next actions, audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.services import complaints, journal, outbox, proposal_io, proposals
from app.storage.models import AuditEntry
from tests import factories


def _proposal(ctx) -> str:
    return proposals.add_proposal(ctx, proposal_io.proposal_from_dict(factories.proposal_dict())).id


def test_entries_are_newest_first_with_the_writer_and_audited(office):
    pid = _proposal(office)
    journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="call", text="Telepon Bu Siti, tidak aktif")
    journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="visit", text="Kunjungan rumah")
    listed = journal.entries(office, "proposal", pid)
    assert [e.kind for e in listed] == ["visit", "call"]
    assert {e.operator_name for e in listed} == {"Ani Operator"}
    with office.reading() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "journal.add")).all()
    assert len(actions) == 2


def test_households_by_kk_and_complaints_have_journals(office):
    journal.add_entry(office, subject_type="household", subject_id=factories.KK, kind="note", text="Pindah ke RT 4")
    c = complaints.register_complaint(office, category=_category(), reporter_name="Warga", description="Belum cair")
    journal.add_entry(office, subject_type="complaint", subject_id=c.id, kind="call", text="Sudah dihubungi")
    assert [e.text for e in journal.entries(office, "household", factories.KK)] == ["Pindah ke RT 4"]
    assert len(journal.entries(office, "complaint", c.id)) == 1


def test_open_next_actions_soonest_first_and_done_ones_drop_out(office, created_office):
    pid = _proposal(office)
    late = journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="next_action",
                             text="Minta foto rumah", due_date=date(2026, 12, 9))
    soon = journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="next_action",
                             text="Cek KK", due_date=date(2026, 12, 1))
    assert [a.id for a in journal.open_next_actions(office, office.operator_id)] == [soon.id, late.id]
    assert journal.open_next_actions(office, created_office[1].lurah_id) == []
    journal.complete_action(office, soon.id)
    assert [a.id for a in journal.open_next_actions(office)] == [late.id]


def test_bad_entries_are_refused(office):
    pid = _proposal(office)
    with pytest.raises(journal.JournalEntryInvalid):
        journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="gossip", text="x")
    with pytest.raises(journal.JournalEntryInvalid):
        journal.add_entry(office, subject_type="proposal", subject_id=pid, kind="note", text="  ")
    with pytest.raises(journal.JournalSubjectUnknown):
        journal.add_entry(office, subject_type="proposal", subject_id="nope", kind="note", text="x")
    with pytest.raises(journal.JournalSubjectUnknown):
        journal.add_entry(office, subject_type="household", subject_id="12", kind="note", text="x")
    with pytest.raises(journal.JournalSubjectUnknown):
        journal.add_entry(office, subject_type="form_draft", subject_id="1", kind="note", text="x")


def _category() -> str:
    from app.domain.complaint import ComplaintCategory

    return next(iter(ComplaintCategory)).value


def test_a_proposals_journal_follows_it_into_its_new_version(office):
    from app.domain import workflow
    from tests.fakes.sync_world import ready_proposal

    first = ready_proposal(office, 71)
    outbox.queue_proposal(office, first)
    journal.add_entry(office, subject_type="proposal", subject_id=first, kind="call",
                      text="Dinsos minta foto rumah baru")
    second = proposals.new_version(office, first).id
    journal.add_entry(office, subject_type="proposal", subject_id=second, kind="note", text="Foto baru diambil")
    other = ready_proposal(office, 72)
    journal.add_entry(office, subject_type="proposal", subject_id=other, kind="note", text="Usulan lain")

    texts = [e.text for e in journal.entries(office, "proposal", second)]
    assert texts == ["Foto baru diambil", "Dinsos minta foto rumah baru"]
    assert [e.text for e in journal.entries(office, "proposal", first)] == texts  # the same, from either version
    assert [e.text for e in journal.entries(office, "proposal", other)] == ["Usulan lain"]
