"""Build the one-folder bundles with PyInstaller: `python installer/build.py` (what `make dist` runs).

dist/usulkan/ holds the desktop application (`usulkan`), dist/usulkan-server/ the Dinsos server.
PyInstaller does not cross-compile: each platform builds its own (docs/install-windows.md).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUNDLES = ("usulkan", "usulkan-server")
# What a bundle is made of: a change to any of these makes a cached bundle stale.
SOURCES = ("app", "resources", "installer", "pyproject.toml")


def source_hash() -> str:
    """A hash of every file the bundles are built from (names and contents)."""
    digest = hashlib.sha256()
    for top in SOURCES:
        base = ROOT / top
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def make_icons(folder: Path) -> Path:
    """resources/icons/usulkan.svg as the .ico Windows wants for the program and its Start-menu entry."""
    folder.mkdir(parents=True, exist_ok=True)
    ico = folder / "usulkan.ico"
    code = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "from PySide6.QtCore import Qt\n"
        "app = QGuiApplication(['icon'])\n"
        "renderer = QSvgRenderer(sys.argv[1])\n"
        "for size, out in ((256, sys.argv[2]), (256, sys.argv[3])):\n"
        "    image = QImage(size, size, QImage.Format.Format_ARGB32)\n"
        "    image.fill(Qt.GlobalColor.transparent)\n"
        "    painter = QPainter(image); renderer.render(painter); painter.end()\n"
        "    if not image.save(out):\n"
        "        sys.exit(f'could not write {out}')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    svg = ROOT / "resources" / "icons" / "usulkan.svg"
    subprocess.run([sys.executable, "-c", code, str(svg), str(ico), str(folder / "usulkan.png")],
                   check=True, env=env)
    return ico


UPDATE_ROOT = ROOT / "build" / "update-root"


def stage_update_root(root_json: Path | None) -> None:
    """Dinsos's TUF root.json for the desktop bundle (resources/updates/); none: the build cannot update."""
    shutil.rmtree(UPDATE_ROOT, ignore_errors=True)
    if root_json is not None:
        UPDATE_ROOT.mkdir(parents=True)
        shutil.copyfile(root_json, UPDATE_ROOT / "root.json")


def build(dist: Path, work: Path, only: tuple[str, ...] = BUNDLES, update_root: Path | None = None) -> dict[str, Path]:
    """Build the bundles into dist/<name>/; returns each bundle's folder."""
    stage_update_root(update_root)
    ico = make_icons(ROOT / "build" / "icons")
    built = {}
    for name in only:
        subprocess.run(
            [sys.executable, "-m", "PyInstaller", str(HERE / f"{name}.spec"), "--noconfirm",
             "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work / name)],
            check=True, cwd=ROOT,
        )
        folder = dist / name
        shutil.copy2(ico, folder / "usulkan.ico")  # the NSIS script's Start-menu icon
        built[name] = folder
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundles go")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--only", choices=BUNDLES, action="append", help="build this bundle only")
    parser.add_argument("--update-root", type=Path,
                        help="Dinsos's update root.json (installer/updates_repo.py init) to ship in the bundle")
    args = parser.parse_args(argv)
    for name, folder in build(args.dist, args.work, tuple(args.only or BUNDLES), args.update_root).items():
        print(f"{name}: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
