"""Child of test_enrol_crash.py: the Lurah enrols "Citra", dying (SIGKILL) at a chosen step.

Usage: python crash_enrol.py <office folder> <lurah id> <step>   (the Lurah's passphrase on stdin)

<step> is one of operators.ENROLMENT_STEPS, "before_write:N" / "after_write:N" (around the Nth
atomic write of vault.json), or "none". Prints "done <operator id>" if it was not killed.
"""

from __future__ import annotations

import os
import signal
import sys

from app.services import lurah, office, operators
from app import fsutil
from app.storage import vault
from app.storage.kdf import KdfParams

CITRA_PASS = "citra menyiram bunga setiap pagi"


def _die() -> None:
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def arm(step: str) -> None:
    if step in operators.ENROLMENT_STEPS:
        real = operators._step
        operators._step = lambda name: _die() if name == step else real(name)
        return
    if ":" in step:
        where, n = step.split(":")
        real_write, calls = fsutil.write_atomic, [0]

        def write(path, data):
            calls[0] += 1
            if where == "before_write" and calls[0] == int(n):
                _die()
            real_write(path, data)
            if where == "after_write" and calls[0] == int(n):
                _die()

        vault.fsutil.write_atomic = write


def main() -> None:
    folder, lurah_id, step = sys.argv[1:4]
    passphrase = sys.stdin.readline().rstrip("\n")
    ctx = office.open_office(folder, lurah_id, passphrase)
    arm(step)
    enrolment = operators.enrol_operator(ctx, name="Citra", role="operator", passphrase=CITRA_PASS,
                                         confirmation=lurah.confirm(ctx, passphrase, purpose=lurah.Purpose.ENROL),
                                         kdf=KdfParams.for_tests())
    print("done", enrolment.operator_id, flush=True)
    ctx.close()


if __name__ == "__main__":
    main()
