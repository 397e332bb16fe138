"""Child of test_lurah_recovery_crash.py: the Lurah renews the recovery code, dying (SIGKILL) at a chosen step.

Usage: python crash_lurah_recovery.py <office folder> <lurah id> <step>   (the Lurah's passphrase on stdin)
"""

from __future__ import annotations

import os
import signal
import sys

from app.services import lurah, lurah_change, lurah_upkeep, office
from app.storage.kdf import KdfParams


def main() -> None:
    folder, lurah_id, step = sys.argv[1:4]
    passphrase = sys.stdin.readline().rstrip("\n")
    ctx = office.open_office(folder, lurah_id, passphrase)

    def step_hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))

    lurah_upkeep._step = lurah_change._step = step_hook
    done = lurah_upkeep.renew_recovery_code(
        ctx, confirmation=lurah.confirm(ctx, passphrase, purpose=lurah.Purpose.RECOVERY,
                                        subject=lurah_upkeep.RECOVERY_SUBJECT), kdf=KdfParams.for_tests())
    print("done", done.recovery_code, flush=True)


if __name__ == "__main__":
    main()
