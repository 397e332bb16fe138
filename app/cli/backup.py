"""`usulkan backup create|list|restore` and `usulkan doctor`: backups and a health check for scripts and admins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import (
    EXIT_OK,
    add_unlock_options,
    print_json,
    read_secret_file,
    secret,
    unlock,
)
from app.i18n import _

# doctor: 0 all well, 4 warnings only, 5 at least one problem (1 and 2 stay "error" and "usage").
EXIT_WARNINGS, EXIT_PROBLEMS = 4, 5


def _info(item) -> dict:
    return {"name": item.name, "path": str(item.path), "created_at": item.created_at.isoformat(),
            "reason": item.reason, "office_id": item.office_id, "revision": item.revision, "bytes": item.db_size}


def cmd_create(args: argparse.Namespace) -> int:
    from app.services import backup

    ctx = unlock(args)
    try:
        shown = {"last": -1}

        def progress(done, total):
            if not args.json and total and sys.stderr.isatty():
                percent = done * 100 // total
                if percent != shown["last"]:
                    shown["last"] = percent
                    print(f"\r{percent}%", end="", file=sys.stderr)

        info = backup.create_backup(ctx, reason="manual", dest=args.folder, progress=progress)
    finally:
        ctx.close()
    if args.json:
        print_json(_info(info))
    else:
        print(_("Backup made and checked: {path}").format(path=info.path))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from app.services import backup
    from app.storage import backup_files

    folder = args.folder or backup.backup_folder(args.data_dir)
    found = backup.list_backups(folder, thorough=args.check)
    bad = backup_files.incomplete_folders(folder)
    if args.json:
        print_json({"folder": str(folder), "backups": [_info(b) for b in found], "incomplete": [str(p) for p in bad]})
        return EXIT_OK
    if not found:
        print(_("No good backup in {folder}.").format(folder=folder))
    for item in found:
        print(f"{item.created_at:%Y-%m-%d %H:%M}  {item.reason:<14} {item.path}")
    for path in bad:
        print(_("incomplete, does not count: {path}").format(path=path))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services import restore

    info = restore.describe(args.backup)
    if args.recovery_code_file:
        ctx = restore.restore_backup(args.backup, args.data_dir, recovery_code=read_secret_file(args.recovery_code_file))
    else:
        if not args.operator:
            from app.cli.common import OperatorRequired
            from app.storage.backup_files import operators_in

            raise OperatorRequired(names=", ".join(operators_in(args.backup)))
        passphrase = secret(args.passphrase_file, _("Passphrase: "))
        ctx = restore.restore_backup(args.backup, args.data_dir, operator=args.operator, passphrase=passphrase)
    ctx.close()
    if args.json:
        print_json({**_info(info), "restored_to": str(args.data_dir),
                    "installation_id": restore.installation_id(args.data_dir)})
    else:
        print(_("Restored into {folder}. The next sync first asks Dinsos what it already holds.").format(
            folder=args.data_dir))
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.services import doctor

    ctx = unlock(args)
    try:
        transport = None
        if args.online:
            from app.services.office import server_url
            from app.sync.transport_http import HttpTransport

            url = server_url(ctx)
            transport = HttpTransport(url, timeout=(5, 15)) if url else None
        checks = doctor.run_checks(ctx, transport)
    finally:
        ctx.close()
    verdict = doctor.worst(checks)
    if args.json:
        print_json({"status": verdict, "checks": [c.to_dict() for c in checks]})
    else:
        marks = {doctor.OK: "OK ", doctor.WARN: "!  ", doctor.FAIL: "XX "}
        for check in checks:
            print(f"{marks[check.status]} {check.title}: {check.detail}")
            if check.action:
                print(f"     → {check.action}")
    return {doctor.OK: EXIT_OK, doctor.WARN: EXIT_WARNINGS}.get(verdict, EXIT_PROBLEMS)


def add_commands(commands) -> None:
    group = commands.add_parser("backup", help=_("make, list and restore encrypted backups")).add_subparsers(
        dest="backup_command", required=True)
    create = group.add_parser("create", help=_("back up the office now (checked before it counts)"))
    add_unlock_options(create)
    create.add_argument("--folder", type=Path, help=_("backup folder (default: the one chosen in Settings)"))
    create.add_argument("--json", action="store_true", help=_("machine-readable output"))
    create.set_defaults(handler=cmd_create)
    listing = group.add_parser("list", help=_("list the good backups"))
    listing.add_argument("--folder", type=Path, help=_("backup folder (default: the one chosen in Settings)"))
    listing.add_argument("--check", action="store_true", help=_("also check every file's checksum"))
    listing.add_argument("--json", action="store_true", help=_("machine-readable output"))
    listing.set_defaults(handler=cmd_list)
    back = group.add_parser("restore", help=_("restore a backup into an empty office folder (a fresh install)"))
    back.add_argument("backup", type=Path, help=_("the backup folder (usulkan-backup-…)"))
    add_unlock_options(back)
    back.add_argument("--json", action="store_true", help=_("machine-readable output"))
    back.set_defaults(handler=cmd_restore)

    doc = commands.add_parser("doctor", help=_("check the office's health and say what to do"))
    add_unlock_options(doc)
    doc.add_argument("--online", action="store_true", help=_("also check the Dinsos server and the clock"))
    doc.add_argument("--json", action="store_true", help=_("machine-readable output"))
    doc.set_defaults(handler=cmd_doctor)

