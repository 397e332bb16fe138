"""`usulkan sync`: an office that works by USB stick saves its batches and imports Dinsos's files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, add_unlock_options, unlock
from app.i18n import _, n_


def cmd_export(args: argparse.Namespace) -> int:
    from app.services import sync

    ctx = unlock(args)
    try:
        written = sync.export_ready(ctx, Path(args.folder))
    finally:
        ctx.close()
    for path in written:
        print(path)
    print(n_("{n} batch file saved. Take it to Dinsos.", "{n} batch files saved. Take them to Dinsos.",
             len(written)).format(n=len(written)))
    return EXIT_OK


def cmd_receipts(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.services import sync

    ctx = unlock(args)
    try:
        result = sync.import_receipt_files(ctx, args.paths, now=utcnow())
    finally:
        ctx.close()
    print(n_("{n} batch received by Dinsos.", "{n} batches received by Dinsos.",
             len(result.recorded)).format(n=len(result.recorded)))
    for path, err in result.failed:
        print(_("{file} was not read: {why}").format(file=path.name, why=err.message()), file=sys.stderr)
    return EXIT_ERROR if result.failed else EXIT_OK


def cmd_import_return(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.services.return_import import import_return_file, summary_text

    ctx = unlock(args)
    try:
        result = import_return_file(ctx, args.file, now=utcnow())
    finally:
        ctx.close()
    print(summary_text(result))
    return EXIT_OK


def add_commands(commands) -> None:
    sync = commands.add_parser("sync", help=_("send and receive by file (USB stick)")).add_subparsers(
        dest="sync_command", required=True)
    export = sync.add_parser("export", help=_("sign what is queued and save the batch files in a folder"))
    export.add_argument("folder", help=_("the USB stick or a folder on it"))
    add_unlock_options(export)
    export.set_defaults(handler=cmd_export)
    receipts = sync.add_parser("receipts", help=_("read receipt files from Dinsos"))
    receipts.add_argument("paths", nargs="+", help=_("receipt files, or folders of them"))
    add_unlock_options(receipts)
    receipts.set_defaults(handler=cmd_receipts)
    back = sync.add_parser("import-return", help=_("import the return file from Dinsos (receipts and decisions)"))
    back.add_argument("file", help=_("the .usulkan-return file"))
    add_unlock_options(back)
    back.set_defaults(handler=cmd_import_return)
