"""`make run`'s demo Dinsos: a server process linked to the demo office once, the same address after."""

from __future__ import annotations

import json

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
