"""The demo office `make run` opens has proposals in every state the brief names."""

from __future__ import annotations

from app.services import demo, office, proposals


def test_demo_office_covers_every_state(tmp_path, fast_kdf):
    created = demo.create_demo_office(tmp_path / "demo", per_state=1, kdf=fast_kdf)
    ctx = office.open_office(tmp_path / "demo", created.operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        counts = proposals.count_by_state(ctx)
    finally:
        ctx.close()
    states = {state for (_kind, state) in counts}
    assert states >= {
        "draft", "muskel", "sptjm", "ready", "queued", "sent", "received", "returned",
        "verified", "finalised", "approved", "forwarded", "ground_check", "not_eligible",
    }
    assert sum(counts.values()) == len(demo.BARU_PATHS) + len(demo.PEMBARUAN_PATHS)
