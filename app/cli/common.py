"""What every `usulkan` subcommand shares: secrets from files or a prompt, unlocking, JSON output."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from app.errors import UsulkanError
from app.i18n import N_, _

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_AUDIT_BROKEN = 0, 1, 2, 3


class CliError(UsulkanError):
    template = N_("The command could not be completed.")


class SecretFileUnreadable(CliError):
    template = N_("The file {path} cannot be read.")
    hint = N_("Check the path and that the file is readable.")


class NoPassphrase(CliError):
    template = N_("No passphrase was given.")
    hint = N_("Type it at the prompt or give --passphrase-file.")


class PassphrasesDiffer(CliError):
    template = N_("The two passphrases differ.")
    hint = N_("Run the command again.")


class OperatorRequired(CliError):
    template = N_("Say which operator is acting.")
    hint = N_("Give --operator with a name from: {names}.")


def read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretFileUnreadable(path=path) from exc
    # One line; a trailing newline from an editor or `echo` is not part of the secret.
    lines = text.splitlines()
    return lines[0] if lines else ""


def secret(file: str | None, prompt: str, *, confirm: bool = False) -> str:
    """A passphrase from ``file``, else typed at a prompt (never echoed, never an argument)."""
    if file:
        value = read_secret_file(file)
    else:
        if not sys.stdin.isatty():
            raise NoPassphrase()
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Type it again: ")) != value:
            raise PassphrasesDiffer()
    if not value:
        raise NoPassphrase()
    return value


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def add_unlock_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--operator", help=_("operator name or id"))
    parser.add_argument("--passphrase-file", help=_("read the passphrase from this file"))
    parser.add_argument(
        "--recovery-code-file", help=_("open with the Lurah's recovery code read from this file")
    )


def unlock(args: argparse.Namespace):
    """Open the office as the operator named on the command line (or by the recovery code)."""
    from app.services import office

    if getattr(args, "recovery_code_file", None):
        return _said_repairs(office.open_office_with_recovery(args.data_dir, read_secret_file(args.recovery_code_file)))
    operators = office.list_operators(args.data_dir)
    if args.operator:
        operator_id = office.find_operator(args.data_dir, args.operator)
    elif len(operators) == 1:
        operator_id = operators[0][0]
    else:
        raise OperatorRequired(names=", ".join(name for _id, name in operators))
    passphrase = secret(args.passphrase_file, _("Passphrase: "))
    return _said_repairs(office.open_office(args.data_dir, operator_id, passphrase))


def _said_repairs(ctx):
    """Say what the unlock repaired (the audit log holds the ids)."""
    from app.services.outbox import repair_text

    if ctx.repaired_outbox_items:
        print(repair_text(ctx.repaired_outbox_items), file=sys.stderr)
    return ctx
