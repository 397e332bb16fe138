"""The `usulkan-server` command: serve, init, register offices, add staff, import USB files, export."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from app.errors import UsulkanError
from app.server.config import DEFAULT_HOST, DEFAULT_PORT, Settings


def _settings(args) -> Settings:
    return Settings.from_env(data_dir=args.data_dir, database_url=args.database_url,
                             public_url=getattr(args, "public_url", None))


def _context(args):
    from app.server.context import open_server

    return open_server(_settings(args))


def cmd_serve(args) -> int:
    import uvicorn

    from app.server.app import create_app

    uvicorn.run(create_app(_settings(args)), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_init(args) -> int:
    ctx = _context(args)
    print(json.dumps(ctx.keys.public_document(), indent=2))
    ctx.close()
    return 0


def cmd_register_office(args) -> int:
    from app.server.provisioning import register_office

    ctx = _context(args)
    registered = register_office(ctx, name=args.name, village_code=args.village, actor="cli")
    text = json.dumps(registered.document, indent=2, ensure_ascii=False)
    if args.out:
        from app.server.keys import write_private

        write_private(Path(args.out), text.encode("utf-8"))  # it holds the enrolment code: 0600
        print(registered.office_id)
    else:
        print(text)
    ctx.close()
    return 0


def cmd_add_staff(args) -> int:
    from app.server.auth import add_staff

    if args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").strip()
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            print("passwords differ", file=sys.stderr)
            return 2
    ctx = _context(args)
    add_staff(ctx, username=args.username, password=password, role=args.role, actor="cli")
    ctx.close()
    return 0


def cmd_import_file(args) -> int:
    from app.server.ingest import ingest

    ctx = _context(args)
    status = 0
    for path in args.paths:
        try:
            result = ingest(ctx, Path(path).read_bytes(), source="file")
        except UsulkanError as err:
            print(f"{path}: {getattr(err, 'reason', 'error')}: {err.message()}", file=sys.stderr)
            status = 1
            continue
        print(f"{path}: {result.outcome} batch {result.batch_id} seq {result.sequence}")
    ctx.close()
    return status


def cmd_export(args) -> int:
    from app.server import export

    ctx = _context(args)
    data = export.to_xlsx(ctx) if args.format == "xlsx" else export.to_csv(ctx)
    Path(args.out).write_bytes(data)
    ctx.close()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="usulkan-server", description="Usulkan Dinsos intake server")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="keys and the SQLite database (USULKAN_SERVER_DIR)")
    common.add_argument("--database-url", help="e.g. postgresql+psycopg://user@host/db (default: SQLite)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    s.add_argument("--host", default=DEFAULT_HOST)
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument("--public-url", help="the address offices use (goes into provisioning documents)")
    s.set_defaults(run=cmd_serve)
    sub.add_parser("init", parents=[common], help="create keys and database").set_defaults(run=cmd_init)
    r = sub.add_parser("register-office", parents=[common], help="register a kelurahan")
    r.add_argument("--name", required=True)
    r.add_argument("--village", required=True, help="Kemendagri village code, e.g. 35.75.03.1009")
    r.add_argument("--public-url")
    r.add_argument("--out", help="write the provisioning document here (0600)")
    r.set_defaults(run=cmd_register_office)
    a = sub.add_parser("add-staff", parents=[common], help="add a Dinsos staff account")
    a.add_argument("--username", required=True)
    a.add_argument("--role", choices=("verifier", "admin"), required=True)
    a.add_argument("--password-file", help="read the password from this file instead of a prompt")
    a.set_defaults(run=cmd_add_staff)
    i = sub.add_parser("import-file", parents=[common], help="import sealed batch files (USB)")
    i.add_argument("paths", nargs="+")
    i.set_defaults(run=cmd_import_file)
    e = sub.add_parser("export", parents=[common], help="export the finalised list (BNBA)")
    e.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    e.add_argument("--out", required=True)
    e.set_defaults(run=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsulkanError as err:
        print(err.message(), file=sys.stderr)  # already translated, and free of NIKs and keys
        return 1


if __name__ == "__main__":
    sys.exit(main())
