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
        from app.ui.main import main_gui

        dinsos = None if args.no_server else _start_dinsos(args.data_dir)
        try:
            return main_gui(args.data_dir)
        finally:
            if dinsos is not None:
                dinsos.stop()
    return EXIT_OK


def _start_dinsos(folder):
    """The demo's Dinsos server on loopback, or None (the office then works offline, as offices do)."""
    try:
        from app.cli.demo_dinsos import DEMO_STAFF, DEMO_STAFF_PASS, DemoServerFailed, start_demo_dinsos
    except ImportError:  # installed without the [server] extra
        print(_("The demo Dinsos server is not installed; the office opens without it."))
        return None
    from app.services import demo

    print(_("Starting the demo Dinsos server ..."))
    try:
        dinsos = start_demo_dinsos(folder, office_name=demo.DEMO_OFFICE, village=demo.DEMO_VILLAGE)
    except (DemoServerFailed, OSError) as err:
        print(_("The demo Dinsos server could not start ({why}); the office opens without it.").format(why=err))
        return None
    print(_("Demo Dinsos server: {url} (verifier \"{user}\", password \"{password}\").").format(
        url=dinsos.url, user=DEMO_STAFF, password=DEMO_STAFF_PASS))
    return dinsos


def add_commands(commands) -> None:
    parser = commands.add_parser("demo", help=_("create (once) and open the demo office"))
    parser.add_argument("--launch", action="store_true", help=_("start the application on it"))
    parser.add_argument("--no-server", action="store_true",
                        help=_("do not start the demo Dinsos server on loopback"))
    parser.set_defaults(handler=cmd_demo)
