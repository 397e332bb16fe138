"""The `usulkan` command: the desktop application, and a scripted command line for administrators."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__, i18n
from app.cli import audit, backup, demo, desktop_entry, dtsen, lurah, office, proposal, sync, update
from app.cli.common import EXIT_ERROR
from app.errors import UsulkanError
from app.i18n import _
from app.paths import default_data_dir


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="usulkan", description=_("Usulkan: bansos proposals for the kelurahan.")
    )
    parser.add_argument("--version", action="version", version=f"usulkan {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None, help=_("office folder"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None, help=_("language"))
    commands = parser.add_subparsers(dest="command")
    from app.cli import field as field_cli  # field staff's laptop kit (issue 14)
    for module in (office, proposal, audit, demo, lurah, sync, dtsen, backup, desktop_entry, update, field_cli):
        module.add_commands(commands)
    return parser


def _preselect_language(argv: Sequence[str]) -> None:
    """Apply --lang before the parser is built, so --help is in that language too."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in i18n.LANGUAGES:
            i18n.set_language(argv[index + 1])
        elif arg.startswith("--lang=") and arg.split("=", 1)[1] in i18n.LANGUAGES:
            i18n.set_language(arg.split("=", 1)[1])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _preselect_language(argv)
    args = build_parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        from app.ui.main import main_gui

        return main_gui(args.data_dir)
    try:
        return handler(args)
    except UsulkanError as error:
        print(_("Error: {message}").format(message=error.message()), file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        # A full disk, a missing folder, no permission: say so instead of a traceback.
        detail = error.strerror or type(error).__name__
        print(_("Error: {message}").format(message=_(
            "A file could not be read or written ({detail}). Check the folder, free disk space and "
            "permissions, then try again."
        ).format(detail=detail)), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
