"""UI fixtures: an AppState signed in to a real (fast-KDF) office, running services inline."""

from __future__ import annotations

import pytest

from app.ui.state import AppState
from app.ui.tasks import InlineRunner


@pytest.fixture
def app_state(qapp, office):
    """Signed in as the office's first operator; services run on the calling thread."""
    state = AppState(office.folder, runner=InlineRunner())
    state.sign_in(office)
    yield state
    state.ctx = None  # the `office` fixture closes the context


@pytest.fixture
def threaded_state(qapp, office):
    """The same, with the real worker pool: for tests that check the GUI thread stays free."""
    from app.ui.tasks import TaskRunner

    state = AppState(office.folder, runner=TaskRunner())
    state.sign_in(office)
    yield state
    state.runner.wait()
    state.ctx = None
