"""`usulkan lurah ...`: the Lurah's key rotation, a re-bind by file, a new recovery code, removing an old slot.

The same services as the people page. Every secret (passphrase, the Dinsos re-bind code) comes
from a file (``--...-file``) or a prompt, never from an argument; the code from the Lurah's
authenticator app is asked when she enrolled one (read from standard input when it is not a
terminal, so a script can pipe it).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli.common import EXIT_OK, CliError, OperatorRequired, print_json, secret
from app.i18n import N_, _, n_


class CodeMissing(CliError):
    template = N_("The Lurah uses an authenticator app, and no code from it was given.")
    hint = N_("Type the 6-digit code from the app on the Lurah's phone when asked.")


class OldSlotRequired(CliError):
    template = N_("Several former Lurahs still have a kept keyslot: say which one.")
    hint = N_("Give --old with one of: {names}.")


class NotAKeptSlot(CliError):
    template = N_("{name} has no kept keyslot of a former Lurah.")
    hint = N_("Give --old with one of: {names}.")


def _open(args: argparse.Namespace):
    """(the office opened by --operator, the passphrase typed for it)."""
    from app.services import office

    operators = office.list_operators(args.data_dir)
    if args.operator:
        operator_id = office.find_operator(args.data_dir, args.operator)
    elif len(operators) == 1:
        operator_id = operators[0][0]
    else:
        raise OperatorRequired(names=", ".join(name for _id, name in operators))
    passphrase = secret(args.passphrase_file, _("Passphrase: "))
    return office.open_office(args.data_dir, operator_id, passphrase), passphrase


def _totp_code() -> str:
    prompt = _("Code from the Lurah's authenticator app: ")
    if sys.stdin.isatty():
        value = getpass.getpass(prompt)
    else:
        print(prompt, end="", file=sys.stderr, flush=True)
        value = sys.stdin.readline()
    value = "".join(value.split())
    if not value:
        raise CodeMissing()
    return value


def _confirm(ctx, args: argparse.Namespace, typed: str, purpose, subject: str | None):
    """The Lurah's approval now: her passphrase (the one just typed when she opened the office) and the code."""
    from app.services import lurah

    if ctx.operator_role == "lurah" and not args.lurah_passphrase_file:
        passphrase = typed
    else:
        passphrase = secret(args.lurah_passphrase_file, _("The Lurah's passphrase: "))
    code = _totp_code() if lurah.needs_code(ctx) else None
    return lurah.confirm(ctx, passphrase, purpose=purpose, subject=subject, totp_code=code)


def _print_code(code: str) -> None:
    print(_("New recovery code for the Lurah (shown only this once; print it and keep it safe):"))
    print()
    print("    " + code)
    print()


def cmd_rotate(args: argparse.Namespace) -> int:
    from app.services import lurah, lurah_change

    ctx, typed = _open(args)
    try:
        confirmation = _confirm(ctx, args, typed, lurah.Purpose.ROTATE, lurah_change.SUBJECT)
        done = lurah_change.rotate_authority(ctx, confirmation=confirmation)
    finally:
        ctx.close()
    if args.json:
        print_json({"fingerprint": done.new_fingerprint, "boundary": done.boundary,
                    "recertified": list(done.recertified), "recovery_code": done.recovery_code})
        return EXIT_OK
    print(n_("The Lurah's key is renewed (fingerprint {fingerprint}); {count} operator has a new certificate.",
             "The Lurah's key is renewed (fingerprint {fingerprint}); {count} operators have new certificates.",
             len(done.recertified)).format(fingerprint=done.new_fingerprint, count=len(done.recertified)))
    _print_code(done.recovery_code)
    return EXIT_OK


def cmd_rebind_request(args: argparse.Namespace) -> int:
    from app.services import lurah_rebind

    ctx, _typed = _open(args)
    try:
        code = secret(args.code_file, _("Re-bind code from Dinsos: "))
        path = lurah_rebind.write_rebind_request_file(ctx, args.out, code, args.name)
    finally:
        ctx.close()
    print(_("Re-bind request written to {path}. Take it to Dinsos; bring back the answer file and run "
            "`usulkan lurah rebind-answer FILE`.").format(path=path))
    return EXIT_OK


def cmd_rebind_answer(args: argparse.Namespace) -> int:
    from app.services import lurah_rebind

    ctx, _typed = _open(args)
    try:
        code = secret(args.code_file, _("Re-bind code from Dinsos: "))
        passphrase = secret(args.new_passphrase_file, _("New Lurah's passphrase: "), confirm=True)
        done = lurah_rebind.import_rebind_answer_file(ctx, args.answer, code, passphrase)
    finally:
        ctx.close()
    if args.json:
        print_json({"new_lurah_id": done.new_lurah_id, "boundary": done.boundary,
                    "recertified": list(done.recertified), "recovery_code": done.recovery_code})
        return EXIT_OK
    print(_("Dinsos registered the new Lurah. She can sign in now with her passphrase and enrol her "
            "authenticator app."))
    _print_code(done.recovery_code)
    return EXIT_OK


def cmd_renew_recovery(args: argparse.Namespace) -> int:
    from app.services import lurah, lurah_upkeep

    ctx, typed = _open(args)
    try:
        confirmation = _confirm(ctx, args, typed, lurah.Purpose.RECOVERY, lurah_upkeep.RECOVERY_SUBJECT)
        done = lurah_upkeep.renew_recovery_code(ctx, confirmation=confirmation)
    finally:
        ctx.close()
    if args.json:
        print_json({"recovery_code": done.recovery_code, "rekeyed": done.rekeyed})
        return EXIT_OK
    print(_("The old recovery code opens nothing any more."))
    if not done.rekeyed:
        print(_("Another Usulkan window has the office open: close it and renew the code once more, so that old "
                "copies of the office folder no longer open with the old code either."), file=sys.stderr)
    _print_code(done.recovery_code)
    return EXIT_OK


def cmd_remove_old_slot(args: argparse.Namespace) -> int:
    from app.services import lurah, lurah_upkeep

    ctx, typed = _open(args)
    try:
        kept = lurah_upkeep.kept_slots(ctx)
        if not kept:
            raise lurah_upkeep.NoKeptSlot()
        names = ", ".join(s.name for s in kept)
        if args.old:
            wanted = args.old.casefold()
            chosen = [s for s in kept if s.operator_id == args.old or s.name.casefold() == wanted]
            if not chosen:
                raise NotAKeptSlot(name=args.old, names=names)
        elif len(kept) == 1:
            chosen = kept
        else:
            raise OldSlotRequired(names=names)
        slot = chosen[0]
        confirmation = _confirm(ctx, args, typed, lurah.Purpose.REMOVE_SLOT, slot.operator_id)
        lurah_upkeep.remove_old_slot(ctx, slot.operator_id, confirmation=confirmation)
    finally:
        ctx.close()
    print(_("The old keyslot of {name} is removed; the office moved to a new key, so it opens nothing.")
          .format(name=slot.name))
    return EXIT_OK


# allow_abbrev=False: argparse would take ``--passphrase SECRET`` for ``--passphrase-file SECRET``.
def _opening(parser: argparse.ArgumentParser, *, lurah_step: bool) -> None:
    parser.add_argument("--operator", help=_("operator name or id"))
    parser.add_argument("--passphrase-file", help=_("read the passphrase from this file"))
    if lurah_step:
        parser.add_argument("--lurah-passphrase-file",
                            help=_("read the Lurah's passphrase from this file (when someone else opens the office)"))


def add_commands(commands) -> None:
    lurah = commands.add_parser("lurah", help=_("the Lurah's key: rotation, re-bind, recovery code")).add_subparsers(
        dest="lurah_command", required=True)
    rotate = lurah.add_parser("rotate", allow_abbrev=False, help=_("renew the Lurah's authority key (Lurah)"))
    _opening(rotate, lurah_step=True)
    rotate.add_argument("--json", action="store_true", help=_("print JSON"))
    rotate.set_defaults(handler=cmd_rotate)

    request = lurah.add_parser("rebind-request", allow_abbrev=False, help=_("the old Lurah is not here: write the re-bind request file"))
    request.add_argument("--out", required=True, help=_("the request file or a folder for it"))
    request.add_argument("--name", required=True, help=_("the new Lurah's name"))
    request.add_argument("--code-file", help=_("read the re-bind code from Dinsos from this file"))
    _opening(request, lurah_step=False)
    request.set_defaults(handler=cmd_rebind_request)

    answer = lurah.add_parser("rebind-answer", allow_abbrev=False, help=_("finish a re-bind with the answer file from Dinsos"))
    answer.add_argument("answer", help=_("the .usulkan-rebind-answer file"))
    answer.add_argument("--code-file", help=_("read the re-bind code from Dinsos from this file"))
    answer.add_argument("--new-passphrase-file", help=_("read the new Lurah's passphrase from this file"))
    answer.add_argument("--json", action="store_true", help=_("print JSON"))
    _opening(answer, lurah_step=False)
    answer.set_defaults(handler=cmd_rebind_answer)

    renew = lurah.add_parser("renew-recovery", allow_abbrev=False, help=_("a new recovery code; the old one opens nothing (Lurah)"))
    _opening(renew, lurah_step=True)
    renew.add_argument("--json", action="store_true", help=_("print JSON"))
    renew.set_defaults(handler=cmd_renew_recovery)

    remove = lurah.add_parser("remove-old-slot", allow_abbrev=False, help=_("remove a former Lurah's kept keyslot (Lurah)"))
    remove.add_argument("--old", help=_("the former Lurah's name or id (when there are several)"))
    _opening(remove, lurah_step=True)
    remove.set_defaults(handler=cmd_remove_old_slot)
