"""Icons from resources/icons: SVG, so they stay sharp at any screen scale (high-DPI)."""

from __future__ import annotations

from functools import cache

from app.paths import resources_dir
from app.ui.qt import QIcon


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon if there is none)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
