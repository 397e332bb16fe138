"""The console in-process (SQLite and PostgreSQL): sign-in cookie and CSRF, four eyes at the API,
the optimistic check, claims, bulk decisions, reasons from the catalogue into the office's feed,
search, and the audit of every read."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from app.server import review
from app.server.models import AuditEntry, Item, StaffUser, StatusEntry
from app.sync.status import StatusPage
from bench.server_world import NOW, nik
from console_helpers import PASSWORD, csrf, received, signed_in, staff


def _state(ctx, item_id: str) -> str:
    with ctx.reading() as session:
        return session.get(Item, item_id).state


def _feed(ctx, office_id: str):
    return StatusPage.from_bytes(review.status_page(ctx, office_id, 0)).updates


def test_sign_in_cookie_is_httponly_strict_and_secure_over_tls(ctx):
    staff(ctx, "vera", "verifier")
    plain = signed_in(ctx, "vera")
    cookie = [c for c in plain.cookies.jar if c.name == "usulkan_console"][0]
    assert cookie.has_nonstandard_attr("HttpOnly") and not cookie.secure
    tls = signed_in(ctx, "vera", base_url="https://testserver")
    header = [h for h in tls.get("/console/login").headers.get_list("set-cookie")]
    assert header and all("Secure" in h and "SameSite=strict" in h for h in header)
    assert tls.get("/console/inbox").status_code == 200


def test_wrong_password_forged_login_and_no_session(ctx):
    staff(ctx, "vera", "verifier")
    from fastapi.testclient import TestClient
    from app.server.app import create_app

    client = TestClient(create_app(context=ctx))
    assert client.get("/console/inbox", follow_redirects=False).headers["location"] == "/console/login"
    token = csrf(client, "/console/login")
    wrong = client.post("/console/login", data={"csrf": token, "username": "vera", "password": "salah"})
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text
    # A form posted from another site carries no matching double-submit cookie: refused.
    other = TestClient(create_app(context=ctx))
    forged = other.post("/console/login", data={"csrf": token, "username": "vera", "password": PASSWORD},
                        follow_redirects=False)
    assert forged.status_code == 403 and "usulkan_console" not in forged.headers.get("set-cookie", "")
    nul = client.post("/console/login", data={"csrf": csrf(client, "/console/login"), "username": "ve\x00ra", "password": PASSWORD})
    assert nul.status_code == 400


def test_decision_without_the_session_csrf_token_changes_nothing(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    client = signed_in(ctx, "vera")
    for token in ("", "0" * 64):
        answer = client.post(f"/console/items/{item_id}/decide",
                             data={"csrf": token, "action": "verify", "expected_state": "received"})
        assert answer.status_code == 403
    assert _state(ctx, item_id) == "received" and _feed(ctx, kelurahan.office_id) == ()


def test_return_with_a_catalogue_reason_reaches_the_office_feed(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    client = signed_in(ctx, "vera")
    token = csrf(client, f"/console/items/{item_id}")
    empty = client.post(f"/console/items/{item_id}/decide", data={"csrf": token, "action": "return",
                                                                   "expected_state": "received"})
    assert empty.status_code == 400 and _state(ctx, item_id) == "received"
    unknown = client.post(f"/console/items/{item_id}/decide", data={
        "csrf": token, "action": "return", "reason": "tidak_ada", "expected_state": "received"})
    assert unknown.status_code == 400 and "tidak ada dalam katalog" in unknown.text
    done = client.post(f"/console/items/{item_id}/decide", data={
        "csrf": token, "action": "return", "reason": "foto_rumah_buram", "expected_state": "received"},
        follow_redirects=False)
    assert done.status_code == 303
    (update_,) = _feed(ctx, kelurahan.office_id)
    assert update_.state == "returned"
    assert [(r.code, r.text) for r in update_.reasons] == [
        ("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan, siang hari.")]


def test_four_eyes_kepala_finalises_never_the_verifier(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    staff(ctx, "kirana", "kepala")
    first, second = received(kelurahan, [nik(1), nik(2)])
    vera = signed_in(ctx, "vera")
    for item_id in (first, second):
        token = csrf(vera, f"/console/items/{item_id}")
        vera.post(f"/console/items/{item_id}/decide", data={"csrf": token, "action": "verify",
                                                            "expected_state": "received"})
    token = csrf(vera, f"/console/items/{first}")
    refused = vera.post(f"/console/items/{first}/decide", data={"csrf": token, "action": "finalise",
                                                                "expected_state": "verified"})
    assert refused.status_code == 403 and _state(ctx, first) == "verified"
    # Vera becomes a Kepala: she still may not finalise what she verified herself (review.decide).
    with ctx.transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "vera").values(role="kepala"))
    again = vera.post(f"/console/items/{first}/decide", data={"csrf": csrf(vera, f"/console/items/{first}"),
                                                              "action": "finalise", "expected_state": "verified"})
    assert again.status_code == 403 and "orang lain yang harus menetapkannya" in again.text
    assert _state(ctx, first) == "verified"
    kirana = signed_in(ctx, "kirana")
    ok = kirana.post(f"/console/items/{first}/decide", data={
        "csrf": csrf(kirana, f"/console/items/{first}"), "action": "finalise", "expected_state": "verified"},
        follow_redirects=False)
    assert ok.status_code == 303 and _state(ctx, first) == "finalised"


def test_four_eyes_at_the_json_api_too(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    client = signed_in(ctx, "vera")
    token = client.post("/v1/review/login", json={"username": "vera", "password": PASSWORD}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/v1/review/items/{item_id}/decisions", headers=bearer,
                       json={"action": "verify"}).status_code == 200
    with ctx.transaction() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "vera").values(role="kepala"))
    answer = client.post(f"/v1/review/items/{item_id}/decisions", headers=bearer, json={"action": "finalise"})
    assert answer.status_code == 403 and answer.json()["reason"] == "four_eyes"
    assert _state(ctx, item_id) == "verified"


def test_two_verifiers_at_once_one_wins_the_other_is_told(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    staff(ctx, "budi", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    vera, budi = signed_in(ctx, "vera"), signed_in(ctx, "budi")
    vera_token, budi_token = csrf(vera, f"/console/items/{item_id}"), csrf(budi, f"/console/items/{item_id}")
    won = vera.post(f"/console/items/{item_id}/decide", data={"csrf": vera_token, "action": "verify",
                                                              "expected_state": "received"}, follow_redirects=False)
    assert won.status_code == 303
    lost = budi.post(f"/console/items/{item_id}/decide", data={
        "csrf": budi_token, "action": "return", "reason": "kk_tidak_sesuai", "expected_state": "received"})
    assert lost.status_code == 409
    assert "Orang lain sudah memutuskan usulan ini lebih dulu; sekarang statusnya Terverifikasi" in lost.text \
        or "Orang lain sudah memutuskan usulan ini lebih dulu" in lost.text
    assert [u.state for u in _feed(ctx, kelurahan.office_id)] == ["verified"]


def test_claim_shows_taken_and_expires(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    staff(ctx, "budi", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    vera, budi = signed_in(ctx, "vera"), signed_in(ctx, "budi")
    assert "Sedang dibuka oleh" not in vera.get(f"/console/items/{item_id}").text
    assert "Sedang dibuka oleh vera" in budi.get(f"/console/items/{item_id}").text
    assert ">vera<" in budi.get("/console/queue?category=new").text
    ctx.clock = lambda: NOW + timedelta(minutes=16)
    assert "Sedang dibuka oleh" not in budi.get(f"/console/items/{item_id}").text
    assert "Sedang dibuka oleh budi" in vera.get(f"/console/items/{item_id}").text


def test_bulk_decision_on_a_selection(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    ids = received(kelurahan, [nik(1), nik(2), nik(3)])
    client = signed_in(ctx, "vera")
    token = csrf(client, "/console/queue?category=new")
    answer = client.post("/console/bulk", data={"csrf": token, "action": "verify",
                                                "item": [f"{ids[0]}|received", f"{ids[1]}|received",
                                                         f"{ids[2]}|returned"]})
    assert answer.status_code == 200
    assert [_state(ctx, i) for i in ids] == ["verified", "verified", "received"]
    assert answer.text.count('class="failed"') == 1


def test_inbox_queue_and_search(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    ids = received(kelurahan, [nik(1), nik(2)])
    client = signed_in(ctx, "vera")
    inbox = client.get("/console/inbox").text
    assert "Kotak masuk per kelurahan" in inbox and 'category=new&office=' in inbox
    queue = client.get(f"/console/queue?category=new&office={kelurahan.office_id}").text
    assert all(i in queue for i in ids) and "SITI AMINAH" in queue
    assert ids[1] in client.get(f"/console/search?q={nik(2)}").text
    assert ids[1] not in client.get(f"/console/search?q={nik(9)}").text
    by_kk = client.get("/console/search?q=3575030101900001").text
    assert all(i in by_kk for i in ids)
    assert all(i in client.get("/console/search?q=siti").text for i in ids)
    assert client.get("/console/search?q=%25").text.count("/console/items/") == 0  # no LIKE wildcard
    with ctx.reading() as session:
        code = session.get(Item, ids[0]).tracking_code
    assert ids[0] in client.get(f"/console/search?q={code}").text
    english = client.get("/console/lang/en?next=/console/inbox", follow_redirects=True).text
    assert "Inbox by kelurahan" in english
    assert client.get("/console/lang/en?next=//evil.example/x", follow_redirects=False).headers["location"] \
        == "/console/inbox"


def test_every_read_of_a_persons_data_is_audited(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    client = signed_in(ctx, "vera")
    client.get(f"/console/items/{item_id}")
    client.get(f"/console/search?q={nik(1)}")
    client.get("/console/queue?category=new")
    with ctx.reading() as session:
        rows = session.execute(select(AuditEntry).where(AuditEntry.actor == "staff:vera")).scalars().all()
    seen = {(r.action, r.subject) for r in rows}
    assert ("item_viewed", item_id) in seen
    assert any(a == "console_search" for a, _ in seen) and any(a == "console_queue_viewed" for a, _ in seen)
    assert all(nik(1) not in r.detail for r in rows)


def test_hostile_forms_are_refused(ctx, kelurahan):
    staff(ctx, "vera", "verifier")
    (item_id,) = received(kelurahan, [nik(1)])
    client = signed_in(ctx, "vera")
    token = csrf(client, f"/console/items/{item_id}")
    big = client.post(f"/console/items/{item_id}/decide", content=b"csrf=" + b"a" * 70_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413
    bad = client.post(f"/console/items/{item_id}/decide", content=b"csrf=\xff\xfe",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400
    odd = client.post(f"/console/items/{item_id}/decide", data={"csrf": token, "action": "approve"})
    assert odd.status_code == 400 and _state(ctx, item_id) == "received"
    assert client.get("/console/items/not-an-item").status_code == 404
    with ctx.reading() as session:
        assert session.execute(select(StatusEntry)).first() is None
    assert json.loads(client.get("/healthz").text)["status"] == "ok"
