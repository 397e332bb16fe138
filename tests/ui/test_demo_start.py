"""`usulkan demo`: it prints the demo's recovery code (demo only) and sign-in offers Operator Demo."""

from __future__ import annotations

import argparse

from app.cli import demo as demo_cli
from app.services import demo
from app.storage.vault import Vault
from app.ui.signin import SignInDialog
from app.ui.state import AppState
from app.ui.tasks import InlineRunner


def test_the_demo_prints_its_recovery_code_and_offers_operator_demo(qtbot, tmp_path, capsys, monkeypatch, fast_kdf):
    folder = tmp_path / "demo"
    real_create = demo.create_demo_office
    monkeypatch.setattr(demo, "create_demo_office", lambda f: real_create(f, per_state=1, kdf=fast_kdf))
    monkeypatch.setattr("app.ui.main.main_gui", lambda data_dir: 0)
    args = argparse.Namespace(data_dir=folder, launch=True, no_server=True, smoke=False)
    assert demo_cli.cmd_demo(args) == 0
    out = capsys.readouterr().out
    code = (folder / demo_cli.DEMO_RECOVERY_FILE).read_text().strip()
    assert code and code in out and "khusus demo" in out
    assert Vault.load(folder).unlock_recovery(code)  # the code printed is the one that opens the demo
    # A second run (the office exists) prints it again.
    assert demo_cli.cmd_demo(args) == 0
    assert code in capsys.readouterr().out

    dialog = SignInDialog(AppState(folder, runner=InlineRunner()))
    qtbot.addWidget(dialog)
    assert dialog.operator.currentText() == demo.DEMO_OPERATOR
