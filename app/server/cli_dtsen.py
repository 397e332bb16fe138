"""`usulkan-server dtsen import|publish`: Dinsos's DTSEN extract in, signed packages for an office out."""

from __future__ import annotations

import json
from pathlib import Path


def cmd_import(args) -> int:
    from app.server import dtsen
    from app.server.cli import _context

    ctx = _context(args)
    try:
        families = dtsen.import_extract(ctx, args.office, Path(args.file).read_bytes())
    finally:
        ctx.close()
    print(json.dumps({"office_id": args.office, "families": families}))
    return 0


def cmd_publish(args) -> int:
    from app.server import dtsen
    from app.server.cli import _context
    from app import fsutil

    ctx = _context(args)
    try:
        publication = dtsen.publish(ctx, args.office, snapshot=args.snapshot)
    finally:
        ctx.close()
    out = Path(args.out)
    if not out.exists():
        fsutil.secure_mkdir(out)
    target = out / publication.name
    fsutil.write_atomic(target, publication.data)
    print(json.dumps({"office_id": args.office, "version": publication.version, "kind": publication.kind,
                      "families": publication.families, "removed": publication.removed, "file": str(target)}))
    return 0


def add_command(sub, common) -> None:
    d = sub.add_parser("dtsen", help="the DTSEN reference of the kelurahan").add_subparsers(
        dest="dtsen_command", required=True)
    i = d.add_parser("import", parents=[common], help="store the DTSEN extract (CSV) of one office")
    i.add_argument("--office", required=True, help="the office id")
    i.add_argument("file", help="the CSV extract (docs/server.md, DTSEN reference)")
    i.set_defaults(run=cmd_import)
    p = d.add_parser("publish", parents=[common],
                     help="write the next signed DTSEN package (snapshot the first time, else a delta)")
    p.add_argument("--office", required=True, help="the office id")
    p.add_argument("--out", required=True, help="the folder (the USB stick) to write it to")
    p.add_argument("--snapshot", action="store_true", help="a full snapshot even when a delta would do")
    p.set_defaults(run=cmd_publish)
