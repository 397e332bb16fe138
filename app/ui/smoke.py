"""`usulkan demo --smoke`: open the demo office's main window, close it after a moment (a bundle's start test)."""

from __future__ import annotations

from pathlib import Path

from app.ui.qt import QTimer


def smoke_run(data_dir: Path, close_after_ms: int = 1500) -> int:
    """Sign the demo operator in, show the window, close it; what an installed bundle must survive."""
    from app.services import demo, office
    from app.ui.main import make_application
    from app.ui.main_window import MainWindow
    from app.ui.state import AppState

    app = make_application()
    state = AppState(data_dir)
    operator_id = office.find_operator(data_dir, demo.DEMO_OPERATOR)
    state.sign_in(office.open_office(data_dir, operator_id, demo.DEMO_OPERATOR_PASS))
    window = MainWindow(state)
    window.show()
    window.start_background()
    title = window.windowTitle()
    QTimer.singleShot(close_after_ms, window.close)
    code = app.exec()
    state.disconnect_listeners()
    window.deleteLater()
    print(f"smoke: window {title!r} opened and closed")
    return code
