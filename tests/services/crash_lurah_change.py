"""Child of test_lurah_change_crash.py: the Lurah hands over to "Ibu Lurah Baru", dying (SIGKILL) at a chosen step.

Usage: python crash_lurah_change.py <office folder> <lurah id> <step>   (the Lurah's passphrase on stdin)
"""

from __future__ import annotations

import os
import signal
import sys

from app.services import lurah, lurah_change, lurah_handover, office
from app.storage.kdf import KdfParams

NEW_PASS = "ibu lurah baru menjaga kunci kelurahan"


def main() -> None:
    folder, lurah_id, step = sys.argv[1:4]
    passphrase = sys.stdin.readline().rstrip("\n")
    ctx = office.open_office(folder, lurah_id, passphrase)

    def step_hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    lurah_handover._step = lurah_change._step = step_hook
    done = lurah_handover.change_lurah(
        ctx, confirmation=lurah.confirm(ctx, passphrase, purpose=lurah.Purpose.ROTATE, subject=lurah_handover.SUBJECT),
        new_name="Ibu Lurah Baru", passphrase=NEW_PASS, kdf=KdfParams.for_tests())
    print("done", done.new_lurah_id, flush=True)


if __name__ == "__main__":
    main()
