"""The walikota's approval and the forwarding to the ministry carry the decree (SK) number and date:
required, checked, stored with the decision, shown in the history; at the console and the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_helpers import PASSWORD, csrf, received, signed_in, staff
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server import review
from app.server.app import create_app
from app.server.models import AuditEntry, Decision, Item
from bench.server_world import NOW, nik


@pytest.fixture
def finalised(ctx, kelurahan):
    for name, role in (("vera", "verifier"), ("kirana", "kepala"), ("adi", "admin")):
        staff(ctx, name, role)
    (item_id,) = received(kelurahan, [nik(1)])
    from app.server.auth import Staff

    with ctx.reading() as session:
        from app.server.models import StaffUser

        users = {u.username: Staff(u.id, u.username, u.role) for u in session.execute(select(StaffUser)).scalars()}
    review.decide(ctx, users["vera"], item_id, "verify")
    review.decide(ctx, users["kirana"], item_id, "finalise")
    return item_id


def _state(ctx, item_id):
    with ctx.reading() as session:
        return session.get(Item, item_id).state


SK = b"%PDF-1.4\n% SK\n%%EOF\n"


def _post(client, item_id, **data):
    # The walikota's steps go through the decree form, with the SK's document (test_console_decree_document.py).
    decree = data.get("action") in ("approve", "forward")
    return client.post(f"/console/items/{item_id}/{'decree' if decree else 'decide'}", follow_redirects=False,
                       data={"csrf": csrf(client, f"/console/items/{item_id}"), **data},
                       files={"decree_document": ("sk.pdf", SK, "application/pdf")} if decree else None)


def test_console_approval_needs_the_decree_and_stores_it(ctx, finalised):
    adi = signed_in(ctx, "adi")
    page = adi.get(f"/console/items/{finalised}").text
    assert 'name="decree_number"' in page and "Catat persetujuan Wali Kota" in page
    missing = _post(adi, finalised, action="approve", expected_state="finalised")
    assert missing.status_code == 400 and "memerlukan nomor dan tanggal SK" in missing.text
    future = _post(adi, finalised, action="approve", expected_state="finalised", decree_number="188/1",
                   decree_date=(NOW.date() + timedelta(days=2)).isoformat())
    assert future.status_code == 400
    garbage = _post(adi, finalised, action="approve", expected_state="finalised", decree_number="188/1",
                    decree_date="kemarin")
    assert garbage.status_code == 400 and _state(ctx, finalised) == "finalised"
    ok = _post(adi, finalised, action="approve", expected_state="finalised",
               decree_number="188.45/123/HK/2026", decree_date="2026-02-27")
    assert ok.status_code == 303 and _state(ctx, finalised) == "approved"
    page = adi.get(f"/console/items/{finalised}").text
    assert "SK no. 188.45/123/HK/2026 tanggal 2026-02-27" in page
    assert 'value="188.45/123/HK/2026"' in page  # the forwarding form starts from the same decree
    ok = _post(adi, finalised, action="forward", expected_state="approved",
               decree_number="188.45/123/HK/2026", decree_date="2026-02-27")
    assert ok.status_code == 303 and _state(ctx, finalised) == "forwarded"
    with ctx.reading() as session:
        rows = session.execute(select(Decision.action, Decision.decree_number, Decision.decree_date)
                               .where(Decision.item_id == finalised).order_by(Decision.id)).all()
        audited = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "item_approve")).scalar_one()
    assert [(a, n, d and d.isoformat()) for a, n, d in rows] == [
        ("verify", None, None), ("finalise", None, None), ("approve", "188.45/123/HK/2026", "2026-02-27"),
        ("forward", "188.45/123/HK/2026", "2026-02-27")]
    assert "188.45/123/HK/2026" in audited


def test_only_an_administrator_records_it(ctx, finalised):
    kirana = signed_in(ctx, "kirana")
    assert 'name="decree_number"' not in kirana.get(f"/console/items/{finalised}").text
    refused = _post(kirana, finalised, action="approve", expected_state="finalised",
                    decree_number="188/1", decree_date="2026-02-27")
    assert refused.status_code == 403 and _state(ctx, finalised) == "finalised"


def test_a_decree_on_another_step_is_refused(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(2)])
    vera = signed_in(ctx, "vera")
    odd = _post(vera, item_id, action="verify", expected_state="received", decree_number="188/1",
                decree_date="2026-02-27")
    assert odd.status_code == 400 and _state(ctx, item_id) == "received"


def test_json_api_takes_the_decree_fields(ctx, finalised):
    client = TestClient(create_app(context=ctx))
    token = client.post("/v1/review/login", json={"username": "adi", "password": PASSWORD}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    url = f"/v1/review/items/{finalised}/decisions"
    missing = client.post(url, headers=bearer, json={"action": "approve"})
    assert missing.status_code == 400 and missing.json()["reason"] == "decree_required"
    nul = client.post(url, headers=bearer, json={"action": "approve", "decree_number": "1\u0000",
                                                 "decree_date": "2026-02-27"})
    assert nul.status_code == 400
    ok = client.post(url, headers=bearer, json={"action": "approve", "decree_number": "188/7",
                                                "decree_date": "2026-02-27"})
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    detail = client.get(f"/v1/review/items/{finalised}", headers=bearer).json()
    assert detail["decisions"][-1]["decree_number"] == "188/7"
    assert detail["decisions"][-1]["decree_date"] == "2026-02-27"
