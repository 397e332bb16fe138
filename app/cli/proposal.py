"""`usulkan proposal add|list|show|queue`: proposals from a script, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from app.cli.common import EXIT_OK, CliError, add_unlock_options, print_json, unlock
from app.clock import format_wib
from app.i18n import _, N_, n_


class ProposalFileUnreadable(CliError):
    template = N_("The proposal file {path} cannot be read as JSON.")
    hint = N_("Check the file against the format in docs/cli.md.")


def _read_input(path: str) -> dict:
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise ProposalFileUnreadable(path=path) from exc


def _issues_text(error) -> str:
    """The field-by-field list of a ValidationFailed, in the current language."""
    from app.domain.fields import field_label, field_order

    lines = [error.message()]
    for issue in sorted(error.report.errors + error.report.warnings, key=lambda i: field_order(i.field)):
        marker = "!" if issue.severity == "warning" else "-"
        # The label as on the form ("Anggota 1, NIK"); the warning's code is what --confirm takes.
        code = f" [--confirm {issue.code}]" if issue.severity == "warning" else ""
        lines.append(f"  {marker} {field_label(issue.field)}: {issue.error.message()}{code}")
    return "\n".join(lines)


def cmd_add(args: argparse.Namespace) -> int:
    from app.domain.validation import ValidationFailed
    from app.services import proposal_io, proposals

    draft = proposal_io.proposal_from_dict(_read_input(args.file))
    ctx = unlock(args)
    try:
        try:
            summary = proposals.add_proposal(ctx, draft, confirmed_warnings=args.confirm or ())
        except ValidationFailed as error:
            print(_("Error: {message}").format(message=_issues_text(error)), file=sys.stderr)
            return 1
    finally:
        ctx.close()
    if args.json:
        print_json({"id": summary.id, "tracking_code": summary.tracking_code, "state": summary.state})
    else:
        print(_("Proposal saved as a draft. Tracking code: {code}").format(code=summary.tracking_code))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from app.domain.workflow import State, state_label
    from app.services import proposals

    filters = proposals.ProposalFilter(
        query=args.search or "",
        states=tuple(args.state or ()),
        kinds=tuple(args.kind or ()),
        rt=args.rt,
        rw=args.rw,
        programme=args.programme,
    )
    ctx = unlock(args)
    try:
        page = proposals.list_proposals(ctx, filters, sort=args.sort, offset=args.offset, limit=args.limit)
    finally:
        ctx.close()
    if args.json:
        print_json(
            {
                "total": page.total,
                "offset": page.offset,
                "rows": [
                    {
                        "id": r.id,
                        "tracking_code": r.tracking_code,
                        "kind": r.kind,
                        "state": r.state,
                        "version": r.version,
                        "head_name": r.head_name,
                        "head_nik": r.head_nik,
                        "kk_number": r.kk_number,
                        "rt": r.rt,
                        "rw": r.rw,
                        "programmes": list(r.programmes),
                        "updated_at": r.updated_at.isoformat(),
                    }
                    for r in page.rows
                ],
            }
        )
        return EXIT_OK
    print(n_("{shown} of {total} proposal", "{shown} of {total} proposals", page.total).format(shown=len(page.rows), total=page.total))
    for r in page.rows:
        print(
            f"{r.tracking_code:16} {r.kind:10} {state_label(State(r.state)):28} "
            f"RT {r.rt}/RW {r.rw}  {r.head_name}"
        )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from app.domain.workflow import State, state_label
    from app.services import proposal_io, proposals

    ctx = unlock(args)
    try:
        detail = proposals.get_proposal(ctx, args.reference)
    finally:
        ctx.close()
    data = proposal_io.proposal_to_dict(detail.proposal)
    if args.json:
        data["history"] = [
            {
                "from": t.from_state,
                "to": t.to_state,
                "action": t.action,
                "by": t.operator_name,
                "at": t.at.isoformat(),
                "reason": t.reason,
            }
            for t in detail.transitions
        ]
        print_json(data)
        return EXIT_OK
    p = detail.proposal
    print(f"{p.tracking_code}  ({p.kind.value}, v{p.version})  {state_label(p.state)}")
    print(_("No. KK {kk}, {address} RT {rt}/RW {rw}").format(
        kk=p.household.kk_number, address=p.household.address, rt=p.household.rt, rw=p.household.rw
    ))
    for m in p.household.members:
        born = m.birth_date.isoformat() if m.birth_date else "-"
        print(f"  {m.nik}  {m.name}  ({m.relationship.value}, {m.birth_place} {born})")
    print(_("History:"))
    for t in detail.transitions:
        print(f"  {format_wib(t.at)}  {state_label(State(t.to_state))}  {t.operator_name or '-'}"
              + (f"  {t.reason}" if t.reason else ""))
    return EXIT_OK


def cmd_queue(args: argparse.Namespace) -> int:
    """Put a ready proposal in the send queue: through the outbox, as the editor does."""
    from app.domain.workflow import state_label
    from app.services import outbox

    ctx = unlock(args)
    try:
        summary = outbox.queue_proposal(ctx, args.reference)
    finally:
        ctx.close()
    if args.json:
        print_json({"id": summary.id, "tracking_code": summary.tracking_code, "version": summary.version,
                    "state": summary.state})
    else:
        print(_("{code} (version {version}): {state}. It is sent with the next batch.").format(
            code=summary.tracking_code, version=summary.version, state=state_label(summary.state)))
    return EXIT_OK


def add_commands(commands) -> None:
    proposal = commands.add_parser("proposal", help=_("proposals")).add_subparsers(
        dest="proposal_command", required=True
    )
    add = proposal.add_parser("add", help=_("add a proposal from a JSON file"))
    add.add_argument("file", help=_("JSON file (docs/cli.md), or - for standard input"))
    add.add_argument(
        "--confirm", action="append", metavar="WARNING",
        help=_("accept a warning by its code, e.g. nik_outside_office_region"),
    )
    add_unlock_options(add)
    add.add_argument("--json", action="store_true", help=_("print JSON"))
    add.set_defaults(handler=cmd_add)

    listing = proposal.add_parser("list", help=_("list proposals"))
    listing.add_argument("--search", help=_("NIK, No. KK or (part of) a name"))
    listing.add_argument("--state", action="append", help=_("only this state (repeatable)"))
    listing.add_argument("--kind", action="append", help=_("only this kind (repeatable)"))
    listing.add_argument("--rt")
    listing.add_argument("--rw")
    listing.add_argument("--programme")
    listing.add_argument("--sort", default="updated", choices=("updated", "created", "state", "kind", "tracking"))
    listing.add_argument("--offset", type=int, default=0)
    listing.add_argument("--limit", type=int, default=50)
    add_unlock_options(listing)
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(handler=cmd_list)

    show = proposal.add_parser("show", help=_("show one proposal and its history"))
    show.add_argument("reference", help=_("proposal id or tracking code"))
    add_unlock_options(show)
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(handler=cmd_show)

    queue = proposal.add_parser("queue", help=_("put a ready proposal in the send queue"))
    queue.add_argument("reference", help=_("proposal id or tracking code"))
    add_unlock_options(queue)
    queue.add_argument("--json", action="store_true", help=_("print JSON"))
    queue.set_defaults(handler=cmd_queue)
