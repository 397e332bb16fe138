"""`usulkan demo [--launch]`: the demo office `make run` opens."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK
from app.i18n import _


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services import demo

    if not (args.data_dir / "vault.json").exists():
        print(_("Creating the demo office in {folder} ...").format(folder=args.data_dir))
        demo.create_demo_office(args.data_dir)
    print(_("Demo office: operator \"{operator}\", passphrase \"{passphrase}\".").format(
        operator=demo.DEMO_OPERATOR, passphrase=demo.DEMO_OPERATOR_PASS
    ))
    if args.launch:
        from app.ui.main import run_gui

        return run_gui(args.data_dir)
    return EXIT_OK


def add_commands(commands) -> None:
    parser = commands.add_parser("demo", help=_("create (once) and open the demo office"))
    parser.add_argument("--launch", action="store_true", help=_("start the application on it"))
    parser.set_defaults(handler=cmd_demo)
