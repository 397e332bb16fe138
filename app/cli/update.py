"""`usulkan update --url URL [--check]`: install the newest bundle Dinsos signed (tufup), keeping the office's data."""

from __future__ import annotations

import argparse

from app import __version__
from app.cli.common import EXIT_ERROR, EXIT_OK
from app.i18n import _


def cmd_update(args: argparse.Namespace) -> int:
    import sys

    from app import updates

    if not getattr(sys, "frozen", False) and not args.check:
        print(_("Error: {message}").format(message=_(
            "This copy runs from source; update it with git or pip, not with the signed bundles.")), file=sys.stderr)
        return EXIT_ERROR
    if args.check:
        found = updates.check(args.url, __version__)
        if found is None:
            print(_("Usulkan {version} is the newest version.").format(version=__version__))
        else:
            print(_("Version {version} is available ({size} MB).").format(
                version=found.version, size=round(found.size / 1_000_000, 1)))
        return EXIT_OK
    installed = updates.install(args.url, __version__)
    if installed is None:
        print(_("Usulkan {version} is the newest version.").format(version=__version__))
    else:
        print(_("Version {version} is installed; start Usulkan again. The office's data is kept and is "
                "brought up to date at the next start.").format(version=installed))
    return EXIT_OK


def add_commands(commands) -> None:
    parser = commands.add_parser("update", help=_("install the newest version signed by Dinsos"))
    parser.add_argument("--url", required=True, help=_("the Dinsos update address"))
    parser.add_argument("--check", action="store_true", help=_("only say whether there is a newer version"))
    parser.set_defaults(handler=cmd_update)
