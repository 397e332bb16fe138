"""`usulkan audit verify`: walk the hash chain and say where it was edited or cut."""

from __future__ import annotations

import argparse

from app.cli.common import EXIT_AUDIT_BROKEN, EXIT_OK, add_unlock_options, print_json, unlock
from app.errors import UsulkanError
from app.i18n import N_, _, n_

PROBLEMS = {
    "missing": N_("entry {seq} has been deleted"),
    "broken_link": N_("the chain is broken at entry {seq}"),
    "edited": N_("entry {seq} has been changed"),
    "tail_missing": N_("entries after {seq} have been deleted"),
    "head_missing": N_("the record of the last entry ({seq}) is missing"),
    "bad_signature": N_("entry {seq} is not signed by the person it names: it was changed or re-chained"),
    "unsigned": N_("entry {seq} has lost its signature"),
    "sent_head_gone": N_("entry {seq}, sent to Dinsos in batch {batch}, is no longer in the log: "
                         "entries up to it were deleted, changed or cut off"),
    "receipt_damaged": N_("the stored receipt or contents of batch {batch} sent to Dinsos were changed"),
}


class NoServerAddress(UsulkanError):
    template = N_("This office has no Dinsos server address, so the log cannot be checked online.")
    hint = N_("Run the check without --online: it uses the receipts stored in the office.")


def cmd_verify(args: argparse.Namespace) -> int:
    from app.services.audit_log import verify_audit

    ctx = unlock(args)
    try:
        transport = None
        if args.online:
            from app.services.office import server_url
            from app.sync.transport_http import HttpTransport

            url = server_url(ctx)
            if url is None:
                raise NoServerAddress()
            transport = HttpTransport(url, timeout=(5, 30))
        report = verify_audit(ctx, transport)
    finally:
        ctx.close()
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "heads_checked": report.heads_checked,
                "legacy_entries": report.legacy_entries,
                "problems": [{"seq": p.seq, "kind": p.kind, "batch_sequence": p.batch_sequence}
                             for p in report.problems],
            }
        )
    elif report.ok:
        print(n_("Audit log intact: {count} entry checked.", "Audit log intact: {count} entries checked.", report.entries).format(count=report.entries))
        print(_("Signatures checked; {heads} audit heads receipted by Dinsos are still in the log.").format(
            heads=report.heads_checked))
        if report.legacy_entries:
            print(n_("{count} entry from before this version is chained but carries no signature.",
                     "{count} entries from before this version are chained but carry no signature.",
                     report.legacy_entries).format(
                count=report.legacy_entries))
    else:
        print(_("The audit log has been tampered with:"))
        for problem in report.problems:
            print("  - " + _(PROBLEMS[problem.kind]).format(seq=problem.seq, batch=problem.batch_sequence))
    return EXIT_OK if report.ok else EXIT_AUDIT_BROKEN


def add_commands(commands) -> None:
    audit = commands.add_parser("audit", help=_("the audit log")).add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser("verify", help=_("check that no entry was changed or deleted"))
    add_unlock_options(verify)
    verify.add_argument("--json", action="store_true", help=_("print JSON"))
    verify.add_argument("--online", action="store_true",
                        help=_("also ask Dinsos for every audit head it holds for this office"))
    verify.set_defaults(handler=cmd_verify)
