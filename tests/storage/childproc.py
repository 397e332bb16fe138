"""Spawn a helper script of the crash tests and collect what it prints, ready to be killed."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


class Child:
    """A helper process whose stdout lines arrive on a queue (a reader thread: no select on Windows)."""

    def __init__(self, args: list[str], stdin_line: str):
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc.stdin.write(stdin_line + "\n")
        self.proc.stdin.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def next_line(self, timeout: float = 60) -> str:
        """The next line the child prints; fails at once if it died without one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self.lines.get(timeout=0.05)
            except queue.Empty:
                if self.proc.poll() is not None:
                    self._reader.join(timeout=10)  # let the last lines through
                    if self.lines.empty():
                        break  # died without saying more
        self.kill()
        raise AssertionError("child said nothing more: " + self.proc.stderr.read())

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs
        self.proc.wait()

    def finish(self) -> list[str]:
        """Every complete line the child wrote (a line cut by the kill has no newline)."""
        self._reader.join(timeout=30)
        self.proc.stderr.close()
        lines = []
        while not self.lines.empty():
            lines.append(self.lines.get())
        return [line for line in lines if line.endswith("\n")]
