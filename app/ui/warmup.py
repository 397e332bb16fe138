"""While the person at the sign-in window finds their name and types, import what the main window needs.

Measured (bench/ui): after "Masuk" about two thirds of the wait for a usable main window was
imports (the sync scheduler's HTTP stack, the Beranda page's services), not work. The
services are pure Python and are imported on the worker, the same thread that lists the people
and unlocks; the window's own Qt modules are imported on the GUI thread one per event-loop turn,
so a key typed meanwhile waits a few milliseconds, never the whole import. Nothing here opens
the office or creates a widget: a failure is harmless (the import happens again, and raises
there, when the window is built).
"""

from __future__ import annotations

import importlib
import logging

from app.ui.qt import QTimer

log = logging.getLogger(__name__)

# What MainWindow and its first page (Beranda) import once an office is open.
SERVICES = (
    "app.services.sync_run",
    "app.services.dashboard",
    "app.services.lurah_todo",
    "app.services.operators",
)
WINDOW = (
    "app.ui.sync_scheduler",
    "app.ui.main_window",
    "app.ui.pages.dashboard",
)


def import_services() -> int:
    """On the worker; returns how many modules it imported."""
    done = 0
    for name in SERVICES:
        try:
            importlib.import_module(name)
            done += 1
        except Exception:  # noqa: BLE001 - raised again, and shown, where the window needs it
            log.exception("warm-up import of %s failed", name)
    try:
        # The unlock's own first-time costs, cached for the process: SQLAlchemy configures every
        # mapper at the first query, and the region list is read once.
        from sqlalchemy.orm import configure_mappers

        from app.domain.regions import default_regions

        configure_mappers()
        default_regions()
    except Exception:  # noqa: BLE001
        log.exception("warm-up of the mappers and regions failed")
    return done


def import_window_modules(names: tuple[str, ...] = WINDOW) -> None:
    """On the GUI thread, one module per event-loop turn."""
    if not names:
        return
    try:
        importlib.import_module(names[0])
    except Exception:  # noqa: BLE001
        log.exception("warm-up import of %s failed", names[0])
    QTimer.singleShot(0, lambda: import_window_modules(names[1:]))
