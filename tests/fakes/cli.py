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


def linked_by_file(tmp_path):
    """An office created and bound to a file-only Dinsos entirely by files; (office, server, stick, office id)."""
    import json

    from tests import factories

    folder, srv, stick = tmp_path / "office", tmp_path / "dinsos", tmp_path / "usb"
    stick.mkdir()
    (tmp_path / "op.txt").write_text(PASS + "\n")
    (tmp_path / "lurah.txt").write_text(LURAH + "\n")
    assert run("office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE, "--lurah",
               "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(tmp_path / "lurah.txt"),
               "--passphrase-file", str(tmp_path / "op.txt"), data_dir=folder).returncode == 0
    assert server("register-office", "--data-dir", str(srv), "--name", "Kelurahan Bugul Kidul", "--village",
                  factories.VILLAGE, "--file-only", "--out", str(tmp_path / "doc.json")).returncode == 0
    doc = json.loads((tmp_path / "doc.json").read_text())
    lurah = ["--operator", "Bapak Lurah", "--passphrase-file", str(tmp_path / "lurah.txt")]
    assert run("office", "link", str(tmp_path / "doc.json"), "--fingerprint", doc["dinsos_root_fingerprint"],
               *lurah, data_dir=folder).returncode == 0
    request = folder / f"usulkan-{doc['office_id']}.usulkan-bind-request"
    assert server("bind-file", "--data-dir", str(srv), str(request), "--out", str(stick)).returncode == 0
    answer = stick / f"usulkan-{doc['office_id']}.usulkan-bind-answer"
    assert run("office", "link-answer", str(answer), *lurah, data_dir=folder).returncode == 0
    return folder, srv, stick, doc["office_id"]
