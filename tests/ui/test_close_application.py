"""The `usulkan` process takes Qt down in order; checked in a process of its own (it ends Qt)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    from app.ui.main import close_application, make_application
    from app.ui.qt import QApplication, QLabel, QMainWindow, QThreadPool

    app = make_application()
    window = QMainWindow()
    window.setCentralWidget(QLabel("Beranda"))
    window.show()
    QThreadPool.globalInstance().start(lambda: None)
    app.processEvents()
    close_application()
    assert QApplication.instance() is None, "the application is still there"
    close_application()  # a second call (no application any more) does nothing
    print("closed")
""")


def test_close_application_ends_qt_before_python_exits():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("closed")
    assert "deleted directly" not in done.stderr
