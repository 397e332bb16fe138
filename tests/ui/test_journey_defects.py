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


def test_opening_an_up_to_date_office_does_not_import_alembic(created_office, tmp_path):
    """Start-up: Alembic (about 0.17 s to import) is needed only when the database must change."""
    import subprocess
    import sys

    from tests.conftest import OPERATOR_PASS

    folder, created = created_office
    code = ("import sys; from pathlib import Path; from app.services.office import open_office; "
            "ctx = open_office(Path(sys.argv[1]), sys.argv[2], sys.argv[3]); ctx.close(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code, str(folder), created.operator_id, OPERATOR_PASS],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_head_read_from_the_files_is_alembics():
    # Both databases: the shortcut that spares importing Alembic at start must name Alembic's own head.
    from alembic.script import ScriptDirectory

    from app.server import db as server_db
    from app.storage import migrate

    for migrations, config in ((migrate.OFFICE, migrate.alembic_config()), (server_db.SERVER, server_db.alembic_config())):
        assert migrations.head_from_files() == ScriptDirectory.from_config(config).get_current_head()


def test_the_main_window_builds_the_first_page_only_then_the_rest_when_idle(qapp, app_state, qtbot, tmp_path,
                                                                             monkeypatch):
    """Start-up: importing and building all nine pages before the window showed was a third of the wait."""
    from app.ui import settings_store
    from app.ui.main_window import MainWindow

    monkeypatch.setattr(settings_store, "_file", tmp_path / "settings.ini")
    window = MainWindow(app_state)
    qtbot.addWidget(window)
    built = [key for key in window.keys if dict.__contains__(window.pages, key)]
    assert built == ["dashboard"]
    assert window.navigation.item(5).text() == "Pengiriman"  # labels without building the pages
    window.show()
    qtbot.waitUntil(lambda: all(dict.__contains__(window.pages, key) for key in window.keys), timeout=10_000)
    assert window.stack.currentWidget() is window.pages["dashboard"]
    window.navigation.setCurrentRow(5)
    assert window.stack.currentWidget() is window.pages["sync"]
    window.hide()
