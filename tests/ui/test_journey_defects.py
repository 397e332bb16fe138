"""Small defects the operator's journeys (tests/ui/test_journeys.py) ran into, each pinned on its own."""

from __future__ import annotations

from app.ui.pages.sync import SyncPage
from app.ui.state import AppState
from app.ui.tasks import InlineRunner


class _Later:
    """A runner that keeps the job until told: the page as it is before the worker answered."""

    def __init__(self):
        self.jobs = []

    def run(self, fn, done, error):
        self.jobs.append((fn, done, error))

    def wait(self):
        pass

    def finish(self):
        while self.jobs:
            fn, done, error = self.jobs.pop(0)
            done(fn())


def test_pengiriman_offers_no_step_before_it_knows_the_state(qapp, office, qtbot):
    runner = _Later()
    state = AppState(office.folder, runner=runner)
    state.sign_in(office)
    page = SyncPage(state)
    qtbot.addWidget(page)
    # Nothing waits for the Lurah, nothing is refused, nothing to export: nothing may be pressed yet.
    assert not page.countersign_button.isEnabled()
    assert not page.release_button.isEnabled()
    assert not page.export_button.isEnabled()
    runner.finish()
    assert page.awaiting_label.text() == "0" and not page.countersign_button.isEnabled()
    state.ctx = None


def test_inline_runner_still_shows_the_state_at_once(qapp, office, qtbot):
    state = AppState(office.folder, runner=InlineRunner())
    state.sign_in(office)
    page = SyncPage(state)
    qtbot.addWidget(page)
    assert page.awaiting_label.text() == "0"
    state.ctx = None
