"""`usulkan-server doctor`: the server's health, each finding with what to do; exit 0 well, 4 warnings, 5 problems."""

from __future__ import annotations

import json

# The same codes as the office's `usulkan doctor` (app/cli/backup.py): 1 and 2 stay "error" and "usage".
EXIT_OK, EXIT_WARNINGS, EXIT_PROBLEMS = 0, 4, 5


def cmd_doctor(args) -> int:
    from app.server import doctor
    from app.server.cli import _settings

    checks = doctor.run_checks(_settings(args))
    verdict = doctor.worst(checks)
    if args.json:
        print(json.dumps({"status": verdict, "checks": [c.to_dict() for c in checks]}, ensure_ascii=False, indent=2))
    else:
        marks = {doctor.OK: "OK ", doctor.WARN: "!  ", doctor.FAIL: "XX "}
        for check in checks:
            print(f"{marks[check.status]} {check.title}: {check.detail}")
            if check.action:
                print(f"     → {check.action}")
    return {doctor.OK: EXIT_OK, doctor.WARN: EXIT_WARNINGS}.get(verdict, EXIT_PROBLEMS)


def add_command(sub, common) -> None:
    d = sub.add_parser("doctor", parents=[common],
                       help="check database, keys, disk, audit chain, backlog and document store (changes nothing)")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(run=cmd_doctor)
