"""UI fixtures: an AppState signed in to a real (fast-KDF) office, running services inline."""

from __future__ import annotations

import pytest

from app.services import demo
from app.services.office import open_office
from app.ui.state import AppState
from app.ui.tasks import InlineRunner


@pytest.fixture(autouse=True)
def _private_viewer_folder(tmp_path, monkeypatch):
    """Documents handed to the system viewer go to the test's own folder, never the real one."""
    from app.ui import viewer

    monkeypatch.setattr(viewer, "_base", tmp_path / "runtime")
    (tmp_path / "runtime").mkdir()


@pytest.fixture(autouse=True)
def _settings_of_this_test(tmp_path):
    """Sign-in and Settings write QSettings: into a throw-away file, never the real user's."""
    from app.ui import settings_store

    before = settings_store._file
    if before is None:
        settings_store.use_file(tmp_path / "usulkan-settings.ini")
    yield
    settings_store.use_file(before)


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


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp):
    """A window left open by one test kept run_gui's event loop alive in another (CI hung)."""
    yield
    from app.ui import language
    from app.ui.qt import QApplication

    for window in [*language._windows, *QApplication.topLevelWidgets()]:
        if window.isVisible():
            window.hide()  # not close(): closing a MainWindow signs out a state the test already tore down
            window.deleteLater()
    language._windows.clear()
    QApplication.processEvents()


@pytest.fixture
def _own_settings(tmp_path, monkeypatch):
    """Settings in this test's own file, whatever another fixture chose (``usefixtures`` it)."""
    from app.ui import settings_store

    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")


@pytest.fixture
def _every_page_importable(monkeypatch):
    """A page another engineer has not delivered yet stands in as a placeholder (only while it is missing)."""
    import importlib
    import sys
    import types

    from app.ui.main_window import PAGES
    from app.ui.qt import QWidget

    class _PlaceholderPage(QWidget):
        title = "Placeholder"

        def __init__(self, state, parent=None):
            super().__init__(parent)

    for spec in PAGES:
        try:
            importlib.import_module(spec.module)
        except ModuleNotFoundError as error:
            if error.name != spec.module:
                raise
            module = types.ModuleType(spec.module)
            setattr(module, spec.class_name, type(spec.class_name, (_PlaceholderPage,), {"title": spec.key}))
            monkeypatch.setitem(sys.modules, spec.module, module)


@pytest.fixture
def lurah_state(qapp, lurah_ctx):
    """An AppState signed in as the Lurah; services run inline."""
    state = AppState(lurah_ctx.folder, runner=InlineRunner())
    state.sign_in(lurah_ctx)
    yield state
    state.ctx = None


# The demo office with one proposal per state (Beranda's tests and the cut-off card), built once a module.
@pytest.fixture(scope="module")
def demo_office(tmp_path_factory, fast_kdf):
    folder = tmp_path_factory.mktemp("demo") / "office"
    # One proposal per path: 13 usulan baru (one per state) and 5 usulan pembaruan.
    return demo.create_demo_office(folder, per_state=1, kdf=fast_kdf)


@pytest.fixture
def demo_state(qapp, demo_office):
    ctx = open_office(demo_office.folder, demo_office.operator_id, demo.DEMO_OPERATOR_PASS)
    state = AppState(demo_office.folder, runner=InlineRunner())
    state.sign_in(ctx)
    yield state
    state.ctx = None
    ctx.close()
