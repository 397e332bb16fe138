"""Windows open inside the screen's free area (1366x768 with a taskbar is the office standard)."""

from __future__ import annotations

from app.ui.qt import QApplication, QWidget

# The smallest screen an office has: 1366x768 less a Windows taskbar of 40 pixels.
OFFICE_SCREEN = (1366, 728)


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height`` or the available area if smaller, and keep it on screen.

    A window taller than the free area put its Save and Close buttons under the taskbar.
    """
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    free = screen.availableGeometry()
    # The frame (title bar, borders) is not part of resize(); leave room for a usual one.
    frame_w, frame_h = 16, 40
    w = max(min(width, free.width() - frame_w), min(window.minimumWidth(), free.width()))
    h = max(min(height, free.height() - frame_h), min(window.minimumHeight(), free.height()))
    window.resize(w, h)
    x = free.x() + max(0, (free.width() - w - frame_w) // 2)
    y = free.y() + max(0, (free.height() - h - frame_h) // 2)
    window.move(x, y)


def keep_on_screen(window: QWidget) -> None:
    """A restored geometry from a bigger screen is brought back inside this one's free area."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None and not screen.availableGeometry().contains(window.frameGeometry()):
        fit_to_screen(window, window.width(), window.height())
