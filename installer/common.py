"""What both PyInstaller specs share: the checkout's paths and the data files every bundle carries."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree(source: Path, target: str, patterns: tuple[str, ...] = ("*",)) -> list[tuple[str, str]]:
    """(file, folder-in-bundle) pairs for PyInstaller's datas: every matching file under source."""
    pairs = []
    for pattern in patterns:
        for path in sorted(source.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.parent.relative_to(source)
                pairs.append((str(path), str(Path(target) / relative)))
    return pairs


def shared_datas() -> list[tuple[str, str]]:
    """Translations and icons, needed by the desktop and the server alike."""
    return (
        tree(ROOT / "resources" / "locale", "resources/locale", ("*.po",))
        + tree(ROOT / "resources" / "icons", "resources/icons", ("*.svg",))
    )


def office_datas() -> list[tuple[str, str]]:
    """Alembic reads its env.py and revisions as source files, so they travel as data too."""
    return (
        tree(ROOT / "app" / "storage" / "migrations", "app/storage/migrations", ("*.py", "*.mako"))
        + tree(ROOT / "resources" / "regions", "resources/regions", ("*.csv.gz", "*.md"))
        + [(str(ROOT / "installer" / "linux" / "usulkan.desktop"), "installer/linux")]
        # Dinsos's TUF root, when the build was given one (installer/build.py --update-root).
        + tree(ROOT / "build" / "update-root", "resources/updates", ("root.json",))
    )


def server_datas() -> list[tuple[str, str]]:
    return (
        tree(ROOT / "app" / "server" / "migrations", "app/server/migrations", ("*.py", "*.mako"))
        + tree(ROOT / "app" / "server" / "console" / "templates", "app/server/console/templates")
        + tree(ROOT / "app" / "server" / "console" / "static", "app/server/console/static")
    )
