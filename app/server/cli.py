"""The `usulkan-server` command: serve, init, register and re-bind offices, add staff, import USB files, export."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UsulkanError
from app.server.config import DEFAULT_HOST, DEFAULT_PORT, Settings


def _settings(args) -> Settings:
    public_url = "" if getattr(args, "file_only", False) else getattr(args, "public_url", None)
    return Settings.from_env(data_dir=args.data_dir, database_url=args.database_url, public_url=public_url)


def _context(args):
    from app.server.context import open_server

    return open_server(_settings(args))


def _exit_when_stdin_closes() -> None:
    """Stop the server once standard input reaches its end.

    The demo's server is started by the desktop application with a pipe on stdin; the system
    closes that pipe when the application ends, crashed or not, so the server never outlives it
    holding the demo port. SIGTERM lets uvicorn finish the request in flight.
    """
    import os
    import signal
    import threading

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        print("standard input closed: the application that started this server is gone; stopping",
              file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def cmd_serve(args) -> int:
    import uvicorn

    from app.server.app import create_app

    if args.exit_with_stdin:
        _exit_when_stdin_closes()
    from app.server.upload_cleanup import keep_days_from_env, remove_stale_uploads

    remove_stale_uploads(_settings(args).data_dir, older_than_days=keep_days_from_env())  # abandoned half uploads
    if args.workers > 1:
        from app.server.workers import WorkersNeedPostgres, serve_workers

        try:
            serve_workers(_settings(args), host=args.host, port=args.port, workers=args.workers)
        except WorkersNeedPostgres as err:
            print(f"usulkan-server: {err}", file=sys.stderr)
            return 2
        return 0
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


def _answer_request_file(args, answer, file_name, said: str) -> int:
    """Read an office's sealed request file, answer it with ``answer(ctx, data)``, write the signed answer.

    One door for the two by-file exchanges (bind and re-bind): a bounded read, the answer written
    atomically beside the request (or into ``--out``, a file or a folder).
    """
    from app import fsutil
    from app.sync.bind import MAX_SEALED_BYTES

    path = Path(args.request)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SEALED_BYTES + 1)
    except OSError as err:
        print(f"{path}: unreadable: {err.strerror}", file=sys.stderr)
        return 1
    ctx = _context(args)
    try:
        office_id, answered = answer(ctx, data)
    finally:
        ctx.close()
    out = Path(args.out) if args.out else path.with_name(file_name(office_id))
    if out.is_dir():
        out = out / file_name(office_id)
    fsutil.write_atomic(out, answered)
    print(f"{path}: {said.format(office_id=office_id)}; answer {out}")
    return 0


def cmd_bind_file(args) -> int:
    """A kelurahan without a network links by file: read its sealed request, write the signed answer."""
    from app.server.provisioning import bind_from_file
    from app.sync.bind import answer_file_name

    return _answer_request_file(args, bind_from_file, answer_file_name, "bound office {office_id}")


AUDIT_PROBLEMS = {
    "missing": "entry {seq} has been deleted",
    "broken_link": "the chain is broken at entry {seq}",
    "edited": "entry {seq} has been changed",
    "tail_missing": "entries after {seq} have been deleted",
    "head_missing": "the record of the last entry ({seq}) is missing",
}


def cmd_audit_verify(args) -> int:
    """Walk the server's audit chain; exit 3 and name every broken entry if it was rewritten."""
    from app.server.audit import verify_report

    ctx = _context(args)
    try:
        with ctx.reading() as session:
            report = verify_report(session)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({"ok": report.ok, "entries": report.entries,
                          "problems": [{"seq": p.seq, "kind": p.kind} for p in report.problems]}))
    elif report.ok:
        print(f"audit log intact: {report.entries} entries checked")
    else:
        print("the audit log has been tampered with:")
        for problem in report.problems:
            print("  - " + AUDIT_PROBLEMS.get(problem.kind, problem.kind + " at {seq}").format(seq=problem.seq))
    return 0 if report.ok else 3


def cmd_rebind_code(args) -> int:
    """Dinsos checked the new Lurah in person: a one-time re-bind code for the office (shown once)."""
    from datetime import timedelta

    from app.server.rebind import issue_rebind_code

    ctx = _context(args)
    try:
        code, expires = issue_rebind_code(ctx, args.office, actor="cli", valid_for=timedelta(hours=args.valid_hours))
    finally:
        ctx.close()
    print(code)
    print(f"valid until {expires.isoformat()} (once); hand it to the new Lurah in person", file=sys.stderr)
    return 0


def cmd_rebind_file(args) -> int:
    """A kelurahan without a network re-binds by file: read its sealed request, write the signed answer."""
    from app.server.rebind import rebind_from_file
    from app.sync.rebind import answer_file_name

    return _answer_request_file(args, rebind_from_file, answer_file_name,
                                "new authority key registered for office {office_id}")


def cmd_audit_batches(args) -> int:
    """Verify every stored batch again against the authority key of its time; exit 3 on any failure."""
    from app.server.batch_audit import verify_stored_batches

    ctx = _context(args)
    try:
        report = verify_stored_batches(ctx, args.office)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({"ok": report.ok, "batches": report.batches, "problems": [
            {"office_id": p.office_id, "sequence": p.sequence, "reason": p.reason} for p in report.problems]}))
    elif report.ok:
        print(f"stored batches verify: {report.batches} batches checked")
    else:
        print("some stored batches do not verify:")
        for problem in report.problems:
            print(f"  - office {problem.office_id} batch {problem.sequence}: {problem.reason}")
    return 0 if report.ok else 3


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


@dataclass
class FileImport:
    """What became of one batch file: its outcome (or the reason it was refused) and receipts written."""

    path: Path
    outcome: str | None = None  # accepted | duplicate | held; None when refused
    batch_id: str | None = None
    sequence: int | None = None
    expected_sequence: int | None = None
    receipt: Path | None = None
    reason: str | None = None
    message: str | None = None
    # Batches held by an earlier import that this one let through: (batch id, sequence, receipt).
    released: list[tuple[str, int, Path]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """The office can stop resending it: stored at Dinsos and its receipt on disk."""
        return self.outcome in ("accepted", "duplicate") and self.receipt is not None and self.reason is None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _batch_paths(paths) -> list[tuple[Path, bool]]:
    """(path, is a file to import): files as given; a folder stands for its batch files, in sequence order."""
    from app.sync.transport_file import DOCUMENT_SUFFIX, batch_files_in

    out: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.name.endswith(DOCUMENT_SUFFIX):
            continue  # a sealed document: imported after the batches (app/server/document_files.py)
        found = batch_files_in(path) if path.is_dir() else [path]
        if found:
            out.extend((file, True) for file in found)
        else:
            out.append((path, False))
    return out


def _read_capped(path: Path, limit: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(limit + 1)  # ingest refuses anything over the limit; never slurp a huge file


def import_files(ctx, paths, *, receipts: Path | None = None) -> list[FileImport]:
    """Ingest sealed batch files and write each stored batch's signed receipt for the office.

    Receipts go to ``receipts`` or beside the batch file, named by ``receipt_file_name``. A batch
    imported before gets its stored receipt again (idempotent); a held batch (gap) gets none until
    the missing one arrives, then it is written too. A refused file writes nothing.
    """
    from sqlalchemy import select

    from app.server.ingest import HELD, ingest
    from app.server.models import Batch
    from app import fsutil
    from app.sync.transport_file import write_receipt_file

    def save(receipt: bytes, beside: Path, record: FileImport) -> Path | None:
        folder = receipts if receipts is not None else beside.parent
        try:
            if not folder.exists():
                fsutil.secure_mkdir(folder)  # a folder the server makes is 0700 like its own
            return write_receipt_file(receipt, folder)
        except OSError as err:
            record.reason = "receipt_not_written"
            record.message = f"the batch is stored but its receipt could not be written ({err.strerror or err})"
            return None

    results: list[FileImport] = []
    for path, is_file in _batch_paths(paths):
        record = FileImport(path)
        results.append(record)
        if not is_file:
            record.reason, record.message = "no_batch_files", "the folder holds no *.usulkan-batch files"
            continue
        try:
            sealed = _read_capped(path, ctx.settings.max_body_bytes)
        except OSError as err:
            record.reason, record.message = "unreadable", f"cannot read the file ({err.strerror or err})"
            continue
        try:
            result = ingest(ctx, sealed, source="file")
        except UsulkanError as err:
            record.reason, record.message = getattr(err, "reason", "error"), _one_line(err.message())
            continue
        record.outcome, record.batch_id, record.sequence = result.outcome, result.batch_id, result.sequence
        if result.outcome == HELD:
            record.expected_sequence = result.expected_sequence
            continue
        record.receipt = save(result.receipt, path, record)
        if not result.applied_from_hold:
            continue
        with ctx.reading() as session:
            rows = session.execute(select(Batch.batch_id, Batch.sequence, Batch.receipt)
                                   .where(Batch.batch_id.in_(result.applied_from_hold))
                                   .order_by(Batch.sequence)).all()
        for row in rows:
            earlier = next((r for r in results if r.batch_id == row.batch_id and r.outcome == HELD), None)
            written = save(row.receipt, earlier.path if earlier else path, earlier or record)
            if earlier is not None:  # held a moment ago in this run: report it on its own file
                earlier.outcome, earlier.receipt = "accepted", written
            elif written is not None:
                record.released.append((row.batch_id, row.sequence, written))
    return results


def cmd_import_file(args) -> int:
    ctx = _context(args)
    try:
        results = import_files(ctx, args.paths, receipts=args.receipts)
        from app.server.document_files import import_document_files

        documents = import_document_files(ctx, args.paths)  # after the batches that name them
    finally:
        ctx.close()
    for record in results:
        if record.outcome is None:
            print(f"{record.path}: {record.reason}: {record.message}", file=sys.stderr)
            continue
        if record.outcome == "held":
            print(f"{record.path}: held batch {record.batch_id} seq {record.sequence}: import seq "
                  f"{record.expected_sequence} first; no receipt yet")
            continue
        print(f"{record.path}: {record.outcome} batch {record.batch_id} seq {record.sequence}; "
              f"receipt {record.receipt or '-'}")
        for batch_id, sequence, written in record.released:
            print(f"{record.path}: released held batch {batch_id} seq {sequence}; receipt {written}")
        if record.reason:
            print(f"{record.path}: {record.reason}: {record.message}", file=sys.stderr)
    for doc in documents:
        print(f"{doc.path}: document stored" if doc.stored else f"{doc.path}: {doc.reason}: {doc.message}",
              file=sys.stdout if doc.stored else sys.stderr)
    done = all(r.done for r in results) and all(d.stored for d in documents)
    return 0 if (results or documents) and done else 1


def _write_private_out(out: Path, data: bytes) -> None:
    """0600 from the first byte (the list holds NIKs); a folder made for it is 0700, an existing one kept."""
    from app import fsutil

    if not out.parent.exists():
        fsutil.secure_mkdir(out.parent)
    fsutil.write_atomic(out, data)


def cmd_return_file(args) -> int:
    """The signed return file for an office that works by USB stick (receipts and decisions)."""
    from app.server.return_file import build_return_file

    ctx = _context(args)
    try:
        made = build_return_file(ctx, args.office, after=args.after, actor="cli")
    finally:
        ctx.close()
    out = Path(args.out)
    if out.is_dir():
        out = out / made.name
    _write_private_out(out, made.data)
    print(f"{out}: return file for office {made.office_id}: {made.receipts} receipt(s), {made.decisions} "
          f"decision(s), cursor {made.cursor_from}..{made.cursor_to}; {made.stored_documents} document(s) "
          f"confirmed stored, {made.documents} decree document(s) sent back")
    if made.documents_left_out:
        print(f"{made.documents_left_out} decree document(s) did not fit this file (capped); make another "
              f"return file with --after {made.next_after} once the office has imported this one", file=sys.stderr)
    return 0


def cmd_cleanup(args) -> int:
    """Remove half uploads nobody continued for --days days (also done at every `serve` start)."""
    from app.server.upload_cleanup import remove_stale_uploads

    done = remove_stale_uploads(_settings(args).data_dir, older_than_days=args.days)
    print(f"removed {done.removed} abandoned half upload(s) ({done.freed_bytes} bytes); kept {done.kept}")
    return 0


def cmd_export(args) -> int:
    from app.server import export

    from app.server.review import record_read

    ctx = _context(args)
    if getattr(args, "shape", "bnba") == "siks-ng":  # the national upload, one row per member
        from app.server import siksng_export

        data, count = siksng_export.to_xlsx(ctx) if args.format == "xlsx" else siksng_export.to_csv(ctx)
        record_read(ctx, "cli", "export_siksng", None, format=args.format, rows=count)
    else:
        record_read(ctx, "cli", "export", None, format=args.format)
        data = export.to_xlsx(ctx) if args.format == "xlsx" else export.to_csv(ctx)
    _write_private_out(Path(args.out), data)
    ctx.close()
    return 0


def parser() -> argparse.ArgumentParser:
    from app import __version__
    from app.server import cli_doctor, cli_dtsen, cli_migrate

    p = argparse.ArgumentParser(prog="usulkan-server", description="Usulkan Dinsos intake server")
    p.add_argument("--version", action="version", version=f"usulkan-server {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="keys and the SQLite database (USULKAN_SERVER_DIR)")
    common.add_argument("--database-url", help="e.g. postgresql+psycopg://user@host/db (default: SQLite)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    s.add_argument("--host", default=DEFAULT_HOST)
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument("--public-url", help="the address offices use (goes into provisioning documents)")
    s.add_argument("--workers", type=int, default=1,
                   help="worker processes (PostgreSQL only; docs/server.md, the province topology)")
    s.add_argument("--exit-with-stdin", action="store_true",
                   help="stop when standard input is closed (a parent process holds it open while it lives)")
    s.set_defaults(run=cmd_serve)
    sub.add_parser("init", parents=[common], help="create keys and database").set_defaults(run=cmd_init)
    cli_migrate.add_command(sub, common)
    cli_doctor.add_command(sub, common)
    cli_dtsen.add_command(sub, common)
    r = sub.add_parser("register-office", parents=[common], help="register a kelurahan")
    r.add_argument("--name", required=True)
    r.add_argument("--village", required=True, help="Kemendagri village code, e.g. 35.75.03.1009")
    r.add_argument("--public-url", help="https:// address offices send to (http:// only on loopback)")
    r.add_argument("--file-only", action="store_true",
                   help="the office has no network: no server address in the document (bind and send by file)")
    r.add_argument("--out", help="write the provisioning document here (0600)")
    r.set_defaults(run=cmd_register_office)
    b = sub.add_parser("bind-file", parents=[common],
                       help="link a kelurahan from its bind request file; writes the signed answer file")
    b.add_argument("request", help="the .usulkan-bind-request file from the kelurahan")
    b.add_argument("--out", help="answer file or folder (default: beside the request)")
    b.set_defaults(run=cmd_bind_file)
    a = sub.add_parser("add-staff", parents=[common], help="add a Dinsos staff account")
    a.add_argument("--username", required=True)
    a.add_argument("--role", choices=("verifier", "kepala", "admin"), required=True)
    a.add_argument("--password-file", help="read the password from this file instead of a prompt")
    a.set_defaults(run=cmd_add_staff)
    i = sub.add_parser("import-file", parents=[common],
                       help="import sealed batch files (USB) and write their receipts for the office")
    i.add_argument("paths", nargs="+", help="batch files, or folders of *.usulkan-batch files")
    i.add_argument("--receipts", type=Path, metavar="DIR",
                   help="write the receipt files here (default: beside each batch file)")
    i.set_defaults(run=cmd_import_file)
    au = sub.add_parser("audit", help="the server's audit log").add_subparsers(dest="audit_command", required=True)
    av = au.add_parser("verify", parents=[common], help="check that no audit entry was changed, deleted or cut off")
    av.add_argument("--json", action="store_true")
    av.set_defaults(run=cmd_audit_verify)
    ab = au.add_parser("batches", parents=[common],
                       help="verify every stored batch again, each against the Lurah key of its time")
    ab.add_argument("--office", help="one office id (default: all)")
    ab.add_argument("--json", action="store_true")
    ab.set_defaults(run=cmd_audit_batches)
    rc = sub.add_parser("rebind-code", parents=[common],
                        help="a one-time code for a new Lurah whose predecessor cannot hand over (admin)")
    rc.add_argument("--office", required=True, help="the office id")
    rc.add_argument("--valid-hours", type=int, default=72, help="how long the code works (1 to 336 hours)")
    rc.set_defaults(run=cmd_rebind_code)
    rf = sub.add_parser("rebind-file", parents=[common],
                        help="register a new Lurah key from a re-bind request file; writes the signed answer file")
    rf.add_argument("request", help="the .usulkan-rebind-request file from the kelurahan")
    rf.add_argument("--out", help="answer file or folder (default: beside the request)")
    rf.set_defaults(run=cmd_rebind_file)
    rt = sub.add_parser("return-file", parents=[common],
                        help="write the signed return file (receipts and decisions) for an office that works by file")
    rt.add_argument("--office", required=True, help="the office id")
    rt.add_argument("--out", required=True, help="file or folder (the USB stick) to write it to")
    rt.add_argument("--after", type=int, default=0, help="only decisions after this feed cursor (default: all)")
    rt.set_defaults(run=cmd_return_file)
    cl = sub.add_parser("cleanup", parents=[common], help="remove abandoned half uploads of documents")
    cl.add_argument("--days", type=float, default=7.0, help="remove parts not continued for this many days")
    cl.set_defaults(run=cmd_cleanup)
    e = sub.add_parser("export", parents=[common], help="export the finalised list (BNBA)")
    e.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    e.add_argument("--shape", choices=("bnba", "siks-ng"), default="bnba",
                   help="bnba: one row per household; siks-ng: SIKS-NG's usulan upload, one row per member")
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
