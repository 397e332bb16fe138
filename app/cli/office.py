"""`usulkan office init|operators`: create an office and see who may open it."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK, print_json, secret
from app.i18n import _


def cmd_init(args: argparse.Namespace) -> int:
    from app.services import office

    lurah_pass = secret(args.lurah_passphrase_file, _("Lurah's passphrase: "), confirm=True)
    operator_pass = secret(args.passphrase_file, _("Operator's passphrase: "), confirm=True)
    created = office.create_office(
        args.data_dir,
        name=args.name,
        village_code=args.village,
        lurah_name=args.lurah,
        lurah_passphrase=lurah_pass,
        operator_name=args.operator,
        operator_passphrase=operator_pass,
    )
    if args.json:
        print_json(
            {
                "office_id": created.office_id,
                "lurah_id": created.lurah_id,
                "operator_id": created.operator_id,
                "recovery_code": created.recovery_code,
            }
        )
    else:
        print(_("The office is ready in {folder}.").format(folder=args.data_dir))
        print(_("Recovery code for the Lurah (shown only this once; print it and keep it safe):"))
        print()
        print("    " + created.recovery_code)
        print()
    return EXIT_OK


def cmd_operators(args: argparse.Namespace) -> int:
    from app.services import office

    operators = office.list_operators(args.data_dir)
    if args.json:
        print_json([{"id": op_id, "name": name} for op_id, name in operators])
    else:
        for op_id, name in operators:
            print(f"{op_id}  {name}")
    return EXIT_OK


def add_commands(commands) -> None:
    office = commands.add_parser("office", help=_("create and inspect the office")).add_subparsers(
        dest="office_command", required=True
    )
    init = office.add_parser("init", help=_("create a new office"))
    init.add_argument("--name", required=True, help=_("office name"))
    init.add_argument("--village", required=True, help=_("kelurahan region code, e.g. 35.75.03.1009"))
    init.add_argument("--lurah", required=True, help=_("the Lurah's name"))
    init.add_argument("--operator", required=True, help=_("the first operator's name"))
    init.add_argument("--lurah-passphrase-file", help=_("read the Lurah's passphrase from this file"))
    init.add_argument("--passphrase-file", help=_("read the operator's passphrase from this file"))
    init.add_argument("--json", action="store_true", help=_("print JSON"))
    init.set_defaults(handler=cmd_init)
    operators = office.add_parser("operators", help=_("list who may open the office"))
    operators.add_argument("--json", action="store_true", help=_("print JSON"))
    operators.set_defaults(handler=cmd_operators)
