"""`usulkan audit verify`: walk the hash chain and say where it was edited or cut."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_AUDIT_BROKEN, EXIT_OK, add_unlock_options, print_json, unlock
from app.i18n import _, N_, n_

PROBLEMS = {
    "missing": N_("entry {seq} has been deleted"),
    "broken_link": N_("the chain is broken at entry {seq}"),
    "edited": N_("entry {seq} has been changed"),
    "tail_missing": N_("entries after {seq} have been deleted"),
    "head_missing": N_("the record of the last entry ({seq}) is missing"),
}


def cmd_verify(args: argparse.Namespace) -> int:
    from app.services.audit_log import verify_audit

    ctx = unlock(args)
    try:
        report = verify_audit(ctx)
    finally:
        ctx.close()
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "problems": [{"seq": p.seq, "kind": p.kind} for p in report.problems],
            }
        )
    elif report.ok:
        print(n_("Audit log intact: {count} entry checked.", "Audit log intact: {count} entries checked.", report.entries).format(count=report.entries))
    else:
        print(_("The audit log has been tampered with:"))
        for problem in report.problems:
            print("  - " + _(PROBLEMS[problem.kind]).format(seq=problem.seq))
    return EXIT_OK if report.ok else EXIT_AUDIT_BROKEN


def add_commands(commands) -> None:
    audit = commands.add_parser("audit", help=_("the audit log")).add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser("verify", help=_("check that no entry was changed or deleted"))
    add_unlock_options(verify)
    verify.add_argument("--json", action="store_true", help=_("print JSON"))
    verify.set_defaults(handler=cmd_verify)
