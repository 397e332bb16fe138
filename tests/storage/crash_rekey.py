"""Child of test_rekey_crash.py: remove an operator and re-key, optionally dying at a chosen file step.

Usage: python crash_rekey.py <office folder> <operator id> <acting operator id> <kill step or -1>
(the acting operator's passphrase on stdin). Prints "ready" just before the re-key starts and
"done" after it returned. With a kill step N >= 1, the process SIGKILLs itself on entering the
Nth file operation of the re-key (create, export, fsync, replace, delete), so every boundary
around the commit point is hit exactly.
"""

from __future__ import annotations

import os
import signal
import sys

from app import fsutil
from app.storage import engine
from app.storage.vault import Vault


def die_at(step: int) -> None:
    calls = 0

    def wrap(owner, name):
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == step:
                os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
            return real(*args, **kwargs)

        setattr(owner, name, counted)

    for name in ("create_private", "fsync_file", "fsync_dir", "write_atomic", "remove_files"):
        wrap(fsutil, name)
    wrap(engine, "export_on")
    wrap(os, "replace")


def main() -> None:
    folder, victim, actor, step = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    passphrase = sys.stdin.readline().rstrip("\n")
    vault = Vault.load(folder)
    key = vault.unlock_operator(actor, passphrase)
    if step >= 1:
        die_at(step)
    print("ready", flush=True)
    vault.remove_operator_and_rekey(key, victim)
    print("done", flush=True)


if __name__ == "__main__":
    main()
