"""`usulkan demo [--launch]`: the demo office `make run` opens."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK
from app.i18n import _


# The demo's recovery code, kept beside it so every run can print it. Demo only: a real
# office's code exists on the printed recovery sheet and nowhere else.
DEMO_RECOVERY_FILE = "DEMO-recovery-code.txt"


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services import demo
    from app.fsutil import write_atomic

    code_file = args.data_dir / DEMO_RECOVERY_FILE
    if not (args.data_dir / "vault.json").exists():
        print(_("Creating the demo office in {folder} ...").format(folder=args.data_dir))
        created = demo.create_demo_office(args.data_dir)
        if created.recovery_code:
            write_atomic(code_file, created.recovery_code.encode("utf-8"))
    print(_("Demo office: operator \"{operator}\", passphrase \"{passphrase}\".").format(
        operator=demo.DEMO_OPERATOR, passphrase=demo.DEMO_OPERATOR_PASS
    ))
    print(_("The Lurah: \"{lurah}\", passphrase \"{passphrase}\".").format(
        lurah=demo.DEMO_LURAH, passphrase=demo.DEMO_LURAH_PASS))
    if code_file.exists():
        print(_("Recovery code of the demo (demo only: a real office's code is only on its printed "
                "recovery sheet): {code}").format(code=code_file.read_text(encoding="utf-8").strip()))
    if args.smoke:
        return _smoke(args.data_dir)
    if args.launch:
        from app.ui.main import main_gui

        _offer_demo_operator(args.data_dir)
        dinsos = None if args.no_server else _start_dinsos(args.data_dir)
        try:
            return main_gui(args.data_dir)
        finally:
            if dinsos is not None:
                dinsos.stop()
    return EXIT_OK


def _smoke(folder) -> int:
    from app.ui.main import close_application
    from app.ui.smoke import smoke_run

    try:
        return smoke_run(folder)
    finally:
        close_application()


def _offer_demo_operator(folder) -> None:
    """Sign-in offers Operator Demo, unless someone of this demo signed in last on this PC."""
    from app.services import demo
    from app.services.office import list_operators
    from app.ui.settings_store import LAST_OPERATOR, Settings

    people = dict(list_operators(folder))
    settings = Settings()
    if settings.get(LAST_OPERATOR) in people:
        return
    operator = next((pid for pid, name in people.items() if name == demo.DEMO_OPERATOR), None)
    if operator is not None:
        settings.set(LAST_OPERATOR, operator)


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
    # For the installer's test: a built bundle must open the office's window (argparse.SUPPRESS: not for operators).
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=cmd_demo)
