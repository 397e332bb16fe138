"""`usulkan office init|operators`: create an office and see who may open it."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_OK, add_unlock_options, print_json, secret, unlock
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


def cmd_link(args: argparse.Namespace) -> int:
    """The Lurah links the office: import the signed document, then bind over HTTPS or by file."""
    from app.services import provisioning

    doc = provisioning.read_provisioning_file(args.document)
    ctx = unlock(args)
    try:
        fingerprint = provisioning.import_provisioning(ctx, doc, root_fingerprint=args.fingerprint)
        print(_("Provisioning document checked: Dinsos root key {fingerprint}.").format(fingerprint=fingerprint))
        if args.request_file or not doc.get("server_url"):
            path = provisioning.write_bind_request_file(ctx, args.request_file or args.data_dir)
            print(_("Link request written to {path}. Take it to Dinsos; bring back the answer file and run "
                    "`usulkan office link-answer FILE`.").format(path=path))
            return EXIT_OK
        from app.sync.transport_http import HttpTransport

        provisioning.bind_and_certify(ctx, HttpTransport(doc["server_url"], timeout=(5, 30)))
        print(_("The office is linked to Dinsos; Dinsos confirmed it with its signed answer."))
    finally:
        ctx.close()
    return EXIT_OK


def cmd_link_answer(args: argparse.Namespace) -> int:
    from app.services import provisioning

    ctx = unlock(args)
    try:
        provisioning.import_bind_answer_file(ctx, args.answer)
        provisioning.certify_uncertified(ctx)
    finally:
        ctx.close()
    print(_("The office is linked to Dinsos; Dinsos confirmed it with its signed answer."))
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
    link = office.add_parser("link", help=_("link the office to Dinsos with the provisioning document (Lurah)"))
    link.add_argument("document", help=_("the provisioning .json file from Dinsos"))
    link.add_argument("--fingerprint", required=True, help=_("the Dinsos root key fingerprint Dinsos read out"))
    link.add_argument("--request-file", help=_("write the link request to this file or folder instead of "
                                               "sending it (office without a network)"))
    add_unlock_options(link)
    link.set_defaults(handler=cmd_link)
    answer = office.add_parser("link-answer", help=_("finish a link by file with the answer file from Dinsos"))
    answer.add_argument("answer", help=_("the .usulkan-bind-answer file"))
    add_unlock_options(answer)
    answer.set_defaults(handler=cmd_link_answer)
