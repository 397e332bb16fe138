"""`usulkan dtsen`: import Dinsos's DTSEN packages from a USB stick, look a family up, list what changed."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, add_unlock_options, unlock
from app.i18n import N_, _

CHANGE_WORDS = {"new": N_("new in the registry"), "left": N_("left the registry"), "desil": N_("desil moved")}


def _files(paths) -> list[Path]:
    from app.sync.dtsen import SUFFIX

    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        out.extend(sorted(path.glob(f"*{SUFFIX}")) if path.is_dir() else [path])
    return out


def cmd_import(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.services import dtsen

    ctx = unlock(args)
    try:
        report = dtsen.import_files(ctx, _files(args.paths), now=utcnow())
    finally:
        ctx.close()
    print(dtsen.import_summary(report))
    return EXIT_OK


def cmd_lookup(args: argparse.Namespace) -> int:
    from app.services import dtsen

    ctx = unlock(args)
    try:
        record = dtsen.lookup(ctx, args.number)
        limit = dtsen.max_desil(ctx)
    finally:
        ctx.close()
    if record is None:
        print(_("Not in the office's DTSEN data."))
        return EXIT_ERROR
    print(_("DTSEN ID: {id}").format(id=record.dtsen_id))
    print(_("No. KK: {kk}").format(kk=record.no_kk))
    print(_("Desil: {desil}").format(desil=record.desil))
    print(_("Programmes: {list}").format(list=", ".join(record.programmes) or "-"))
    for nik, name in record.members:
        print(f"  {nik}  {name}")
    print(dtsen.route(record, limit).text)
    return EXIT_OK


def cmd_changes(args: argparse.Namespace) -> int:
    from app.services import dtsen

    ctx = unlock(args)
    try:
        rows = dtsen.changes(ctx)
    finally:
        ctx.close()
    for change in rows:
        desil = f"{change.old_desil or '-'} -> {change.new_desil or '-'}"
        print(f"{change.no_kk}  {change.head}  {_(CHANGE_WORDS[change.change])}  {desil}")
    return EXIT_OK


def add_commands(commands) -> None:
    group = commands.add_parser("dtsen", help=_("the DTSEN reference from Dinsos")).add_subparsers(
        dest="dtsen_command", required=True)
    imp = group.add_parser("import", help=_("import DTSEN packages from Dinsos (files or a folder)"))
    imp.add_argument("paths", nargs="+", help=_("the .usulkan-dtsen files, or a folder of them"))
    add_unlock_options(imp)
    imp.set_defaults(handler=cmd_import)
    look = group.add_parser("lookup", help=_("show a family of the DTSEN data by No. KK or NIK"))
    look.add_argument("number", help=_("No. KK or NIK"))
    add_unlock_options(look)
    look.set_defaults(handler=cmd_lookup)
    chg = group.add_parser("changes", help=_("what the last DTSEN version changed"))
    add_unlock_options(chg)
    chg.set_defaults(handler=cmd_changes)
