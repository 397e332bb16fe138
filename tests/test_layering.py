"""The core never imports Qt; the domain imports no framework (Anki's pylib rule)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
CORE = ("domain", "storage", "sync", "services", "server")
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "app.ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_files():
    for layer in CORE:
        yield from sorted((APP / layer).rglob("*.py"))
    yield from (APP / name for name in ("errors.py", "i18n.py", "clock.py", "paths.py"))


@pytest.mark.parametrize("path", list(core_files()), ids=lambda p: str(p.relative_to(APP)))
def test_core_module_does_not_import_qt(path):
    bad = {m for m in imported_modules(path) if m.startswith(QT)}
    assert not bad, f"{path} imports {bad}"


def test_the_ui_reaches_qt_through_one_door():
    offenders = []
    for path in sorted((APP / "ui").rglob("*.py")):
        if path.name == "qt.py":
            continue
        if any(m.startswith(("PySide6", "shiboken6")) for m in imported_modules(path)):
            offenders.append(path.name)
    assert not offenders, f"import Qt through app.ui.qt, not directly: {offenders}"
