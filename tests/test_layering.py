"""The core never imports Qt; the domain imports no framework (Anki's pylib rule); the UI talks to services only."""

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
            if node.module == "app":  # ``from app import storage`` reaches app.storage too
                names.update(f"app.{alias.name}" for alias in node.names)
    return names


def core_files():
    for layer in CORE:
        yield from sorted((APP / layer).rglob("*.py"))
    yield from (APP / name for name in ("errors.py", "i18n.py", "clock.py", "paths.py", "fsutil.py"))


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


# The office's persistence and the wire formats sit below the services; a screen reaches them
# through app.services (which re-export the read models and the errors a screen tells apart).
BELOW_THE_SERVICES = ("app.storage", "app.sync")
# The two pure floors: app/domain builds on itself, app/sync on itself and app/domain; neither on
# the database, the services, the server or the desktop (only the small modules beside them).
FLOORS = {"domain": ("app.domain",), "sync": ("app.domain", "app.sync")}
BESIDE_THE_FLOORS = ("app.errors", "app.i18n", "app.clock", "app.paths", "app.fsutil")


def reaches(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    """The modules in ``modules`` that are one of ``packages`` or inside one."""
    return {m for m in modules if m in packages or m.startswith(tuple(p + "." for p in packages))}


def imports_below_the_services(ui: Path) -> dict[str, set[str]]:
    """Each module under ``ui`` (by its path there) that imports app.storage or app.sync, with what."""
    found = {}
    for path in sorted(ui.rglob("*.py")):
        bad = reaches(imported_modules(path), BELOW_THE_SERVICES)
        if bad:
            found[path.relative_to(ui).as_posix()] = bad
    return found


def test_the_ui_reaches_storage_and_sync_only_through_the_services():
    found = imports_below_the_services(APP / "ui")
    assert not found, f"app/ui imports app.storage/app.sync: offer it from app.services instead: {found}"


def test_the_check_sees_every_way_of_importing_below_the_services(tmp_path):
    (tmp_path / "pages").mkdir()
    for name, line in {
        "plain.py": "import app.storage.vault",
        "from_module.py": "from app.storage.vault import WrongPassphrase",
        "from_package.py": "from app import sync",
        "pages/late.py": "def f():\n    from app.sync.bind import request_file_name\n",
        "fine.py": "from app.services.office import WrongPassphrase\nfrom app import fsutil",
    }.items():
        (tmp_path / name).write_text(line + "\n", encoding="utf-8")
    found = imports_below_the_services(tmp_path)
    assert set(found) == {"plain.py", "from_module.py", "from_package.py", "pages/late.py"}
    assert found["from_package.py"] == {"app.sync"}


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_domain_and_sync_are_pure_floors(floor):
    allowed = FLOORS[floor] + BESIDE_THE_FLOORS
    offenders = {}
    for path in sorted((APP / floor).rglob("*.py")):
        bad = {m for m in imported_modules(path) if m.startswith("app.") and not reaches({m}, allowed)}
        if bad:
            offenders[path.name] = bad
    assert not offenders, f"app/{floor} builds only on {allowed}: {offenders}"
