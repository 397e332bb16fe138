"""`usulkan field export-kit|setup-laptop`: carry a field person's own keys to their laptop."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import EXIT_OK, add_unlock_options, read_secret_file, secret, unlock
from app.i18n import _


def cmd_export_kit(args: argparse.Namespace) -> int:
    from app.services import field_kit
    from app.fsutil import write_atomic

    passphrase = read_secret_file(args.passphrase_file) if args.passphrase_file else None
    ctx = unlock(args)
    try:
        passphrase = passphrase or secret(None, _("Passphrase for the laptop (your own): "), confirm=True)
        write_atomic(args.kit, field_kit.export_kit(ctx, passphrase))
    finally:
        ctx.close()
    print(_("Field kit saved to {path}. Set up the laptop with: usulkan field setup-laptop {path}").format(
        path=args.kit))
    return EXIT_OK


def cmd_setup_laptop(args: argparse.Namespace) -> int:
    from app.services import field_kit

    passphrase = secret(args.passphrase_file, _("Passphrase of the kit: "))
    data = Path(args.kit).read_bytes()[: field_kit.MAX_KIT_BYTES + 1]
    field_kit.set_up_laptop(args.data_dir, data, passphrase)
    print(_("This laptop is ready for field work in {folder}. Sign in with the same passphrase.").format(
        folder=args.data_dir))
    return EXIT_OK


def add_commands(commands) -> None:
    group = commands.add_parser("field", help=_("field staff: carry your keys to your laptop")).add_subparsers(
        dest="field_command", required=True)
    export = group.add_parser("export-kit", help=_("save the signed-in field person's kit for their laptop"))
    add_unlock_options(export)
    export.add_argument("kit", type=Path, help=_("file to write the kit to"))
    export.set_defaults(handler=cmd_export_kit)
    setup = group.add_parser("setup-laptop", help=_("make this laptop's field office folder from a kit"))
    setup.add_argument("kit", type=Path, help=_("the kit file"))
    setup.add_argument("--passphrase-file", help=_("read the passphrase from this file"))
    setup.set_defaults(handler=cmd_setup_laptop)
