"""`make run`'s demo Dinsos: a server process linked to the demo office once, the same address after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

from app.cli import demo_dinsos  # noqa: E402
from app.services import demo, office, proposals, sync_run  # noqa: E402


def test_the_demo_office_is_linked_once_and_sees_dinsos_decisions(tmp_path, fast_kdf, monkeypatch):
    folder = tmp_path / "demo"
    demo.create_demo_office(folder, per_state=1, kdf=fast_kdf)
    port = demo_dinsos.free_port()
    monkeypatch.setattr(demo_dinsos, "DEFAULT_PORT", port)

    first = demo_dinsos.start_demo_dinsos(folder, office_name=demo.DEMO_OFFICE, village=demo.DEMO_VILLAGE)
    try:
        assert first.url == f"http://127.0.0.1:{port}"
    finally:
        first.stop()
    saved = json.loads((demo_dinsos.server_folder(folder) / demo_dinsos.STATE_FILE).read_text())
    assert saved == {"port": port, "linked": True}  # the enrolment code is not kept once used

    ids = {name: operator_id for operator_id, name in demo_dinsos._operators(folder)}
    ctx = office.open_office(folder, ids[demo.DEMO_OPERATOR], demo.DEMO_OPERATOR_PASS)
    try:
        state = sync_run.sync_state(ctx)
        # Every demo proposal left in the queue went out; the demo verifier decided on two of them.
        assert state.bound and state.items_waiting == 0 and state.delivered == 1
        assert state.last_contact_at is not None
        counts = proposals.count_by_state(ctx)
        assert counts.get(("baru", "queued"), 0) == 0
    finally:
        ctx.close()

    # The next start reuses the server's data and the address the office was linked with.
    again = demo_dinsos.start_demo_dinsos(folder, office_name=demo.DEMO_OFFICE, village=demo.DEMO_VILLAGE)
    try:
        assert again.url == first.url and again.process.poll() is None
    finally:
        again.stop()


def test_the_demo_server_stops_when_the_application_dies(tmp_path):
    """Even a crash (no `finally`, no stop()) must not leave the server holding the demo port."""
    import os
    import subprocess
    import sys
    import time

    folder = tmp_path / "dinsos"
    folder.mkdir()
    crashing_app = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from app.cli import demo_dinsos\n"
        f"handle = demo_dinsos.spawn_server(Path({str(folder)!r}), demo_dinsos.free_port())\n"
        "print(handle.process.pid, flush=True)\n"
        "os._exit(3)  # dies as a crash would: nothing runs after this\n"
    )
    parent = subprocess.run([sys.executable, "-c", crashing_app], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[1])
    assert parent.returncode == 3, parent.stderr
    server_pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(server_pid):
        time.sleep(0.2)
    assert not _alive(server_pid), "the demo server outlived the application that started it"
    assert "standard input closed" in (folder / "server.log").read_text(encoding="utf-8")


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
