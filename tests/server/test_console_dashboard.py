"""/console/dashboard: backlog per kelurahan, median and p90 days in each state, returns by reason and
weekly throughput, each as a server-drawn SVG chart with its table; figures checked against a
history with known times, and the same queries over 100,000 items."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
from console_helpers import received, signed_in, staff
from sqlalchemy import insert, select

from app.server import review
from app.server.auth import Staff
from app.server.console import dashboard
from app.server.ingest import ingest
from app.server.models import Batch, Decision, Item, Office, StaffUser
from app.server.reason_catalogue import reasons_for
from app.sync.batch import BatchItem
from bench.server_world import NOW, enrol, nik, proposal


def _users(ctx) -> dict[str, Staff]:
    with ctx.reading() as session:
        return {u.username: Staff(u.id, u.username, u.role) for u in session.execute(select(StaffUser)).scalars()}


@pytest.fixture
def history(ctx, kelurahan):
    other = enrol(ctx, "<b>Tapaan</b>", village="35.75.02.1004")
    staff(ctx, "vera", "verifier")
    staff(ctx, "kirana", "kepala")
    a1, a2, a3 = received(kelurahan, [nik(1), nik(2), nik(3)])
    received(other, [nik(4)])
    users = _users(ctx)
    ctx.clock = lambda: NOW + timedelta(days=2)
    review.decide(ctx, users["vera"], a1, "verify")
    review.decide(ctx, users["vera"], a2, "return", reasons_for(ctx, ["foto_rumah_buram", "kk_tidak_sesuai"]))
    ctx.clock = lambda: NOW + timedelta(days=5)
    review.decide(ctx, users["kirana"], a1, "finalise")
    review.decide(ctx, users["vera"], a3, "return", reasons_for(ctx, ["foto_rumah_buram"]))
    ctx.clock = lambda: NOW + timedelta(days=7)  # the kelurahan resends a2: its return ends here
    resend = BatchItem.create(item_id=str(uuid.uuid4()), item_type="proposal", payload=proposal(nik(2)),
                              route="muskel", version=2, base_id=a2)
    ingest(ctx, kelurahan.batch([resend])[0])
    ctx.clock = lambda: NOW + timedelta(days=10)
    return kelurahan, other


def test_figures_from_a_known_history(ctx, history):
    with ctx.reading() as session:
        figures = dashboard.figures(session, ctx.now())
    backlog = {r["name"]: {s: r[s] for s in dashboard.BACKLOG_STATES if r[s]} for r in figures.backlog}
    assert backlog == {"Kelurahan a": {"received": 1, "returned": 1, "finalised": 1},
                       "Kelurahan <b>Tapaan</b>": {"received": 1}}
    stays = {r["state"]: (r["count"], r["median"], r["p90"]) for r in figures.stays}
    # received: 2, 2, 5 (decided), 10 (Tapaan, waiting), 3 (the resend, waiting); returned: a2 until
    # its resend 5, a3 still 5.
    assert stays == {"received": (5, 3.0, 10.0), "verified": (1, 3.0, 3.0), "returned": (2, 5.0, 5.0),
                     "finalised": (1, 5.0, 5.0)}
    assert figures.returns == [("foto_rumah_buram", 2), ("kk_tidak_sesuai", 1)]
    assert len(figures.weeks) == dashboard.WEEKS and figures.weeks[-1]["week"] == "2026-03-09"
    week = next(w for w in figures.weeks if w["week"] == "2026-03-02")
    assert (week["received"], week["verify"], week["return"], week["finalise"]) == (4, 1, 2, 1)
    assert figures.weeks[-1]["received"] == 1 and sum(w["received"] for w in figures.weeks) == 5


def test_the_page_draws_each_chart_and_its_table(ctx, history):
    page = signed_in(ctx, "vera").get("/console/dashboard")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 4 and "<script" not in html.split("</head>")[1]
    for section in ("backlog", "stays", "returns", "weeks"):
        part = html[html.index(f'id="{section}"'):]
        part = part[:part.index("</section>")]
        assert "<svg" in part and "<table" in part, section
    assert "Tunggakan per kelurahan" in html and "Persentil ke-90" in html and "foto_rumah_buram" in html
    assert "Foto rumah buram" in html  # the catalogue's words beside the code
    # An office name is text in the chart and the table, never markup.
    assert "<b>Tapaan</b>" not in html and "&lt;b&gt;Tapaan&lt;/b&gt;" in html
    assert "http://www.w3.org/2000/svg" in html and "https://" not in html


def test_signed_out_is_sent_to_sign_in(ctx):
    from fastapi.testclient import TestClient

    from app.server.app import create_app

    answer = TestClient(create_app(context=ctx)).get("/console/dashboard", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"


def test_an_empty_server_has_an_empty_dashboard(ctx):
    staff(ctx, "vera", "verifier")
    page = signed_in(ctx, "vera").get("/console/dashboard")
    assert page.status_code == 200 and "Belum ada data." in page.text


def _fill(ctx, items: int) -> None:
    """``items`` proposals across 50 kelurahan, each verified, half of those returned or finalised."""
    now = NOW.replace(tzinfo=None)
    with ctx.transaction() as session:
        user = StaffUser(username="bulk", password_hash="x", role="verifier", created_at=NOW)
        session.add(user)
        session.flush()
        offices = [str(uuid.uuid4()) for _ in range(50)]
        session.execute(insert(Office), [{"id": o, "name": f"Kel {i}", "village_code": f"35.75.{i:02d}",
                                          "created_at": NOW, "last_batch_hash": "0" * 64, "last_sequence": 0,
                                          "feed_cursor": 0} for i, o in enumerate(offices)])
        batches = [{"batch_id": str(uuid.uuid4()), "office_id": o, "sequence": 1, "batch_hash": "0" * 64,
                    "received_at": NOW, "item_count": 0, "raw": b"", "receipt": b""} for o in offices]
        session.execute(insert(Batch), batches)
        user_id = user.id
    rows, decisions = [], []
    reasons = json.dumps([{"code": "foto_rumah_buram", "text": "x"}])
    for n in range(items):
        item_id = str(uuid.uuid4())
        at = NOW - timedelta(days=n % 90, hours=n % 24)
        state = ("received", "verified", "returned", "finalised")[n % 4]
        rows.append({"item_id": item_id, "batch_id": batches[n % 50]["batch_id"], "office_id": offices[n % 50],
                     "item_type": "proposal", "version": 1, "payload": "{}", "payload_hash": "0" * 64,
                     "state": state, "received_at": at, "updated_at": at + timedelta(days=2)})
        if state != "received":
            decisions.append({"item_id": item_id, "action": "verify", "from_state": "received", "to_state": "verified",
                              "reasons": "[]", "user_id": user_id, "decided_at": at + timedelta(days=1), "feed_cursor": 0})
        if state in ("returned", "finalised"):
            action = "return" if state == "returned" else "finalise"
            decisions.append({"item_id": item_id, "action": action, "from_state": "verified", "to_state": state,
                              "reasons": reasons if action == "return" else "[]", "user_id": user_id,
                              "decided_at": at + timedelta(days=2), "feed_cursor": 0})
    with ctx.transaction() as session:
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Item), rows[start:start + 10_000])
        for start in range(0, len(decisions), 10_000):
            session.execute(insert(Decision), decisions[start:start + 10_000])
    del now


def test_100000_items_in_seconds(ctx, capsys):
    _fill(ctx, 100_000)
    started = time.perf_counter()
    with ctx.reading() as session:
        figures = dashboard.figures(session, NOW)
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\ndashboard over 100,000 items ({ctx.settings.database_url.split(':')[0]}): {took:.2f} s")
    assert sum(r["total"] for r in figures.backlog) == 100_000
    assert {r["state"]: r["count"] for r in figures.stays}["verified"] == 75_000
    assert figures.returns == [("foto_rumah_buram", 25_000)]
    assert took < 20


def test_the_page_says_when_its_figures_are_from_and_later_visits_do_not_recompute(ctx, history, monkeypatch):
    from app.server.console import dashboard_cache

    calls = []
    real = dashboard_cache._compute
    monkeypatch.setattr(dashboard_cache, "_compute", lambda c: calls.append(1) or real(c))
    client = signed_in(ctx, "vera")
    first = client.get("/console/dashboard")
    assert "Angka per 12-03-2026 10:04 WIB" in first.text and "diperbarui setiap 2 menit" in first.text
    client.get("/console/dashboard")
    assert len(calls) == 1  # the second visit is served from the figures of the first


def test_stale_figures_are_served_at_once_and_brought_up_to_date_in_the_background(ctx, history):
    from app.server.console.dashboard_cache import FiguresCache

    gate, computed = __import__("threading").Event(), []

    def compute(c):
        if computed:  # every refresh after the first waits until the test lets it go
            gate.wait(10)
        computed.append(c.now())
        return f"figures of {c.now():%d}"

    cache = FiguresCache(ctx, compute=lambda c: __import__("types").SimpleNamespace(figures=compute(c), at=c.now()))
    assert cache.get().figures == "figures of 12"
    ctx.clock = lambda: NOW + timedelta(days=10, minutes=1)
    assert cache.get().figures == "figures of 12" and len(computed) == 1  # young enough: no refresh
    ctx.clock = lambda: NOW + timedelta(days=12)
    stale = cache.get()  # old: answered at once with what there is, a refresh started
    assert stale.figures == "figures of 12"
    assert cache.get().figures == "figures of 12"  # one refresh at a time, still the old figures
    gate.set()
    cache.wait()
    assert cache.get().figures == "figures of 14" and len(computed) == 2


def test_a_refresh_that_fails_keeps_the_figures_there_were(ctx, history):
    from types import SimpleNamespace

    from app.server.console.dashboard_cache import FiguresCache

    fail = []

    def compute(c):
        if fail:
            raise RuntimeError("database gone")
        return SimpleNamespace(figures="good", at=c.now())

    cache = FiguresCache(ctx, compute=compute)
    assert cache.get().figures == "good"
    fail.append(1)
    ctx.clock = lambda: NOW + timedelta(days=20)
    assert cache.get().figures == "good"
    cache.wait()
    assert cache.get().figures == "good"
