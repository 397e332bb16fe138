"""`usulkan install-desktop-entry`: the Linux menu entry and icon of this program, in the user's XDG folders."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import platformdirs

from app.cli.common import EXIT_ERROR, EXIT_OK
from app.i18n import _
from app.paths import bundle_root, resources_dir
from app.fsutil import write_atomic

ENTRY_NAME = "usulkan.desktop"


def program_command() -> list[str]:
    """How the menu starts this program: the bundle's executable, else the installed command."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    installed = shutil.which("usulkan")
    if installed:
        return [str(Path(installed).resolve())]
    return [sys.executable, "-m", "app"]  # unresolved: a virtualenv's python is a symlink to its base


def _quoted(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry Specification says when it must be."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'.replace("\\", "\\\\")


def desktop_entry(command: list[str]) -> str:
    template = (bundle_root() / "installer" / "linux" / ENTRY_NAME).read_text(encoding="utf-8")
    return template.replace("@EXEC@", " ".join(_quoted(a) for a in command)).replace(
        "@TRYEXEC@", _quoted(command[0]))


def install(data_home: Path) -> list[Path]:
    """Write the entry and the scalable icon under data_home (XDG_DATA_HOME); returns the files."""
    entry = data_home / "applications" / ENTRY_NAME
    icon = data_home / "icons" / "hicolor" / "scalable" / "apps" / "usulkan.svg"
    for path in (entry, icon):
        path.parent.mkdir(parents=True, exist_ok=True)
    # Readable by the desktop's menu and icon cache, like any file of ~/.local/share.
    write_atomic(entry, desktop_entry(program_command()).encode("utf-8"), mode=0o644)
    write_atomic(icon, (resources_dir() / "icons" / "usulkan.svg").read_bytes(), mode=0o644)
    return [entry, icon]


def cmd_install_desktop_entry(args: argparse.Namespace) -> int:
    if sys.platform in ("win32", "darwin"):
        print(_("Error: {message}").format(message=_(
            "The menu entry is for Linux; on Windows the installer adds it to the Start menu.")), file=sys.stderr)
        return EXIT_ERROR
    for path in install(platformdirs.user_data_path()):
        print(_("Written: {path}").format(path=path))
    return EXIT_OK


def add_commands(commands) -> None:
    parser = commands.add_parser("install-desktop-entry", help=_("add Usulkan to the Linux applications menu"))
    parser.set_defaults(handler=cmd_install_desktop_entry)
