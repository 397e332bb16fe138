"""Both command lines run as real processes: ``python -m app`` for the office, ``python -m app.server`` for Dinsos."""

from __future__ import annotations

import os
import subprocess
import sys

PASS, LURAH = "sandi operator cli", "sandi lurah cli"


def run(*args, data_dir, stdin=None, lang=None):
    """``usulkan --data-dir DATA_DIR ARGS``, its output captured as text."""
    env = dict(os.environ)
    command = [sys.executable, "-m", "app", "--data-dir", str(data_dir)]
    if lang:
        command += ["--lang", lang]
    return subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, env=env, timeout=120)


def auth(secrets_dir, operator="Ani"):
    """The sign-in arguments of ``operator``, the passphrase read from ``op.txt`` in ``secrets_dir``."""
    return ["--operator", operator, "--passphrase-file", str(secrets_dir / "op.txt")]


def server(*args):
    """``usulkan-server ARGS``, its output captured as text."""
    return subprocess.run([sys.executable, "-m", "app.server", *args], capture_output=True, text=True, timeout=120)
