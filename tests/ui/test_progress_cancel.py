"""Long jobs report progress and can be cancelled: a cancelled export writes nothing, a cancelled muskel rolls back."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.domain.workflow import State
from app.services.proposals import get_proposal
from app.storage.models import Attachment, AuditEntry
from app.ui import progress as progress_module
from app.ui.progress import ProgressDialog, run_with_progress
from app.ui.tasks import Cancelled, InlineRunner, Job, TaskRunner
from tests.factories import HEAD_NIK, SPOUSE_NIK
from tests.fakes.editor import PDF
from tests.fakes.muskel import Saving, in_muskel, make_page
from tests.fakes.prompts import Answers


@pytest.fixture
def cancel_at(monkeypatch):
    """Press Cancel as soon as a job reports ``done`` >= the given step (deterministic with InlineRunner)."""
    seen: list[tuple[int, int]] = []

    def arm(step: int):
        original = ProgressDialog.set_progress

        def set_progress(self, done, total, text=""):
            seen.append((done, total))
            original(self, done, total, text)
            if done >= step:
                self.cancel_button.click()

        monkeypatch.setattr(ProgressDialog, "set_progress", set_progress)
        return seen

    return arm


def exports(ctx) -> int:
    with ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "bnba.export"))


@pytest.mark.parametrize("method, name", [("export_pdf", "bnba-muskel.pdf"), ("export_xlsx", "bnba-muskel.xlsx")])
def test_a_cancelled_bnba_export_leaves_no_file_and_no_audit_entry(app_state, qtbot, tmp_path, cancel_at, method, name):
    in_muskel(app_state.ctx, [HEAD_NIK], "1")
    in_muskel(app_state.ctx, [SPOUSE_NIK], "2")
    folder = tmp_path / "out"
    folder.mkdir()
    answers = Saving(folder)
    page = make_page(app_state, qtbot, answers)
    seen = cancel_at(0)
    getattr(page, method)()
    assert seen, "the export should report progress"
    assert list(folder.iterdir()) == []  # neither the file nor a temporary one
    assert exports(app_state.ctx) == 0
    assert answers.asked == []  # no "Saved to ..." either
    assert page.progress.finished_work


def test_an_export_that_runs_to_the_end_reports_its_pages(app_state, qtbot, tmp_path):
    in_muskel(app_state.ctx, [HEAD_NIK], "1")
    page = make_page(app_state, qtbot, Saving(tmp_path))
    steps = []
    original = ProgressDialog.set_progress
    ProgressDialog.set_progress = lambda self, d, t, text="": (steps.append((d, t)), original(self, d, t, text))
    try:
        page.export_pdf()
    finally:
        ProgressDialog.set_progress = original
    assert steps[0] == (0, 1) and steps[-1] == (1, 1)
    assert (tmp_path / "bnba-muskel.pdf").read_bytes().startswith(b"%PDF")
    assert exports(app_state.ctx) == 1


def test_cancelling_the_bulk_decision_rolls_every_decision_back(app_state, qtbot, tmp_path, cancel_at):
    first = in_muskel(app_state.ctx, [HEAD_NIK], "1")
    second = in_muskel(app_state.ctx, [SPOUSE_NIK], "1")
    minutes = tmp_path / "ba.pdf"
    minutes.write_bytes(PDF)
    answers = Answers(yes=True, path=minutes)
    page = make_page(app_state, qtbot, answers)
    for row in range(2):
        page.set_decision(row, "eligible")
    seen = cancel_at(1)  # after the first decision was written inside the transaction
    page.record()
    assert (1, 2) in seen
    for summary in (first, second):
        assert get_proposal(app_state.ctx, summary.id).proposal.state is State.MUSKEL
    with app_state.ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert page.table.rowCount() == 2
    assert any("Tidak ada yang dicatat" in text for text in answers.asked), answers.asked


def test_the_window_shows_only_for_slow_work_and_cancel_waits_for_the_worker(threaded_state, qtbot, monkeypatch):
    monkeypatch.setattr(progress_module, "SHOW_AFTER_MS", 10)
    results = []
    cancelled = []

    def slow(ctx, job):
        for step in range(2000):
            job.check()
            job.progress(step, 2000, "langkah")
            time.sleep(0.005)
        return "selesai"

    dialog = run_with_progress(threaded_state, None, "Judul", slow, results.append,
                               on_cancelled=lambda: cancelled.append(True))
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: dialog.bar.maximum() == 2000, timeout=5000)
    assert dialog.cancel_button.text() == "Batal"
    dialog.reject()  # Esc means Cancel; the window waits until the worker stopped
    assert dialog.job.cancelled and not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert results == []
    assert dialog.finished_work


def test_run_keeps_its_old_form_and_quick_jobs_show_no_window(app_state, qtbot):
    got = []
    app_state.run(lambda ctx: ctx.office_name, got.append)
    dialog = run_with_progress(app_state, None, "Judul", lambda ctx, job: 42, got.append)
    assert got == [app_state.ctx.office_name, 42]
    assert dialog.finished_work and not dialog.isVisible()


def test_job_throttles_reports_and_check_raises_once_cancelled():
    reports = []
    job = Job().attach(lambda d, t, x: reports.append(d), 10.0)
    for step in range(100):
        job.progress(step, 100)
    job.progress(100, 100)
    assert reports == [0, 100]  # the first and the last always arrive; the rest are dropped
    job.check()
    job.cancel()
    with pytest.raises(Cancelled):
        job.check()


def test_the_runners_hand_cancelled_to_on_error_and_app_state_to_on_cancelled(app_state, qtbot):
    for runner in (InlineRunner(), TaskRunner()):
        errors, done = [], []

        def work(job):
            job.cancel()
            job.check()

        runner.run_job(work, done.append, errors.append)
        runner.wait()
        qtbot.waitUntil(lambda: bool(errors), timeout=2000)
        assert isinstance(errors[0], Cancelled) and done == []

    outcomes = []
    app_state.run_job(lambda ctx, job: (job.cancel(), job.check()), outcomes.append,
                      on_error=outcomes.append, on_cancelled=lambda: outcomes.append("cancelled"), changes="proposals")
    assert outcomes == ["cancelled"]


def test_the_bnba_pdf_is_drawn_on_the_worker_thread(threaded_state, qtbot, tmp_path):
    in_muskel(threaded_state.ctx, [HEAD_NIK], "1")
    answers = Saving(tmp_path)
    page = make_page(threaded_state, qtbot, answers)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    page.export_pdf()
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=10_000)
    assert (tmp_path / "bnba-muskel.pdf").read_bytes().startswith(b"%PDF")
    assert page.progress.finished_work
