"""Child of test_lurah_rebind_crash.py: an operator imports Dinsos's re-bind answer, dying (SIGKILL) at a chosen step.

Usage: python crash_lurah_rebind.py <office folder> <operator id> <answer file> <step>
(stdin: the operator's passphrase, then the re-bind code)
"""

from __future__ import annotations

import os
import signal
import sys

from app.services import lurah_change, lurah_rebind, office
from app.storage.kdf import KdfParams

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def main() -> None:
    folder, operator_id, answer, step = sys.argv[1:5]
    passphrase = sys.stdin.readline().rstrip("\n")
    code = sys.stdin.readline().rstrip("\n")
    ctx = office.open_office(folder, operator_id, passphrase)

    def step_hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    lurah_rebind._step = lurah_change._step = step_hook
    done = lurah_rebind.import_rebind_answer_file(ctx, answer, code, NEW_PASS, KdfParams.for_tests())
    print("done", done.new_lurah_id, flush=True)


if __name__ == "__main__":
    main()
