"""Duplicates across kelurahan resolved in the console: side by side; same person keeps one and returns
the other with a reason (into its office's signed feed); not the same person is stored with who and
why; an open duplicate blocks finalisation, at the console and at the JSON API."""

from __future__ import annotations

import pytest
from console_helpers import PASSWORD, csrf, received, signed_in, staff
from sqlalchemy import select

from app.server import review
from app.server.models import AuditEntry, DuplicateFlag, Item, StaffUser
from app.sync.status import StatusPage
from bench.server_world import enrol, nik


@pytest.fixture
def pair(ctx, kelurahan):
    other = enrol(ctx, "b", village="35.75.02.1004")
    (mine,) = received(kelurahan, [nik(1)])
    (theirs,) = received(other, [nik(1)])
    for name, role in (("vera", "verifier"), ("kirana", "kepala")):
        staff(ctx, name, role)
    return {"mine": mine, "theirs": theirs, "a": kelurahan, "b": other}


def _state(ctx, item_id):
    with ctx.reading() as session:
        return session.get(Item, item_id).state


def _flags(ctx):
    with ctx.reading() as session:
        return session.execute(select(DuplicateFlag)).scalars().all()


def _verify_then_finalise(ctx, item_id):
    vera, kirana = signed_in(ctx, "vera"), signed_in(ctx, "kirana")
    vera.post(f"/console/items/{item_id}/decide", data={"csrf": csrf(vera, f"/console/items/{item_id}"),
                                                        "action": "verify", "expected_state": "received"})
    assert _state(ctx, item_id) == "verified"
    return kirana.post(f"/console/items/{item_id}/decide", data={
        "csrf": csrf(kirana, f"/console/items/{item_id}"), "action": "finalise", "expected_state": "verified"},
        follow_redirects=False)


def test_open_duplicate_blocks_finalise_with_a_clear_message(ctx, pair):
    answer = _verify_then_finalise(ctx, pair["mine"])
    assert answer.status_code == 409
    assert "kemungkinan ganda yang belum diselesaikan di kelurahan lain (Kelurahan b)" in answer.text
    assert _state(ctx, pair["mine"]) == "verified"
    # The JSON API refuses it the same way.
    from fastapi.testclient import TestClient

    from app.server.app import create_app

    client = TestClient(create_app(context=ctx))
    token = client.post("/v1/review/login", json={"username": "kirana", "password": PASSWORD}).json()["token"]
    api = client.post(f"/v1/review/items/{pair['mine']}/decisions", json={"action": "finalise"},
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 409 and api.json()["reason"] == "duplicate_open"


def test_side_by_side_then_same_person_returns_the_other_and_unblocks(ctx, pair):
    vera = signed_in(ctx, "vera")
    page = vera.get(f"/console/items/{pair['mine']}").text
    dup = page[page.index('id="duplicates"'):]
    assert "Kelurahan a" in dup and "Kelurahan b" in dup and dup.count("SITI AMINAH") == 2
    assert dup.count('class="hit"') == 2 and "Kepala Keluarga" in dup
    with ctx.reading() as session:
        reads = session.execute(select(AuditEntry.subject, AuditEntry.detail).where(
            AuditEntry.action == "item_viewed", AuditEntry.actor == "staff:vera")).all()
    assert {subject for subject, _d in reads} == {pair["mine"], pair["theirs"]}  # the other one shown is a read
    token = csrf(vera, f"/console/items/{pair['mine']}")
    done = vera.post(f"/console/items/{pair['mine']}/duplicates/{pair['theirs']}", data={
        "csrf": token, "resolution": "same_person", "keep": pair["mine"], "reason": "duplikat_kelurahan_lain",
        "note": "KK sama, alamat lama"}, follow_redirects=False)
    assert done.status_code == 303
    assert _state(ctx, pair["theirs"]) == "returned" and _state(ctx, pair["mine"]) == "received"
    feed = StatusPage.from_bytes(review.status_page(ctx, pair["b"].office_id, 0)).updates
    assert [(u.item_id, u.state, [r.code for r in u.reasons]) for u in feed] == [
        (pair["theirs"], "returned", ["duplikat_kelurahan_lain"])]
    with ctx.reading() as session:
        vera_id = session.execute(select(StaffUser.id).where(StaffUser.username == "vera")).scalar_one()
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "duplicate_resolved")).scalar_one()
    (flag,) = _flags(ctx)
    assert (flag.resolution, flag.resolved_by, flag.kept_item_id, flag.resolution_note) == (
        "same_person", vera_id, pair["mine"], "KK sama, alamat lama")
    assert entry.actor == "staff:vera" and "KK sama" not in entry.detail  # the note is not in the audit
    page = vera.get(f"/console/items/{pair['mine']}").text
    assert "Ditandai orang yang sama oleh vera" in page
    assert _verify_then_finalise(ctx, pair["mine"]).status_code == 303
    assert _state(ctx, pair["mine"]) == "finalised"


def test_keep_the_other_returns_this_one(ctx, pair):
    vera = signed_in(ctx, "vera")
    vera.post(f"/console/items/{pair['mine']}/duplicates/{pair['theirs']}", data={
        "csrf": csrf(vera, f"/console/items/{pair['mine']}"), "resolution": "same_person", "keep": pair["theirs"]})
    assert _state(ctx, pair["mine"]) == "returned" and _state(ctx, pair["theirs"]) == "received"


def test_not_the_same_person_needs_why_and_stores_who(ctx, pair):
    vera = signed_in(ctx, "vera")
    url = f"/console/items/{pair['mine']}/duplicates/{pair['theirs']}"
    token = csrf(vera, f"/console/items/{pair['mine']}")
    empty = vera.post(url, data={"csrf": token, "resolution": "different_people", "note": "   "})
    assert empty.status_code == 400 and _flags(ctx)[0].resolved_at is None
    ok = vera.post(url, data={"csrf": token, "resolution": "different_people",
                              "note": "NIK salah ketik di kelurahan b; tanggal lahir berbeda"}, follow_redirects=False)
    assert ok.status_code == 303
    (flag,) = _flags(ctx)
    assert flag.resolution == "different_people" and "tanggal lahir berbeda" in flag.resolution_note
    assert _state(ctx, pair["mine"]) == "received" and _state(ctx, pair["theirs"]) == "received"
    assert "Ditandai bukan orang yang sama oleh vera" in vera.get(f"/console/items/{pair['theirs']}").text
    again = vera.post(url, data={"csrf": token, "resolution": "different_people", "note": "lagi"})
    assert again.status_code == 404  # nothing open between them any more
    assert _verify_then_finalise(ctx, pair["mine"]).status_code == 303


def test_hostile_resolutions_change_nothing(ctx, pair, kelurahan):
    vera = signed_in(ctx, "vera")
    url = f"/console/items/{pair['mine']}/duplicates/{pair['theirs']}"
    token = csrf(vera, f"/console/items/{pair['mine']}")
    assert vera.post(url, data={"csrf": "", "resolution": "different_people", "note": "x"}).status_code == 403
    assert vera.post(url, data={"csrf": token, "resolution": "same_person", "keep": "x" * 36}).status_code == 400
    assert vera.post(url, data={"csrf": token, "resolution": "delete"}).status_code == 400
    assert vera.post(url, data={"csrf": token, "resolution": "different_people",
                                "note": "x" * 2001}).status_code == 400
    (unflagged,) = received(kelurahan, [nik(9)])
    answer = vera.post(f"/console/items/{pair['mine']}/duplicates/{unflagged}",
                       data={"csrf": token, "resolution": "different_people", "note": "x"})
    assert answer.status_code == 404
    assert all(f.resolved_at is None for f in _flags(ctx))
    assert _state(ctx, pair["mine"]) == _state(ctx, pair["theirs"]) == "received"


def test_a_superseded_other_no_longer_blocks(ctx, pair):
    with ctx.transaction() as session:
        session.get(Item, pair["theirs"]).state = "superseded"
    assert _verify_then_finalise(ctx, pair["mine"]).status_code == 303


def test_the_api_shows_the_flag_from_both_sides_with_its_resolution(ctx, pair):
    from fastapi.testclient import TestClient

    from app.server.app import create_app

    vera = signed_in(ctx, "vera")
    vera.post(f"/console/items/{pair['mine']}/duplicates/{pair['theirs']}", data={
        "csrf": csrf(vera, f"/console/items/{pair['mine']}"), "resolution": "different_people", "note": "beda orang"})
    client = TestClient(create_app(context=ctx))
    token = client.post("/v1/review/login", json={"username": "vera", "password": PASSWORD}).json()["token"]
    for this, other in ((pair["mine"], pair["theirs"]), (pair["theirs"], pair["mine"])):
        detail = client.get(f"/v1/review/items/{this}", headers={"Authorization": f"Bearer {token}"}).json()
        assert detail["duplicates"] == [{"other_item_id": other, "nik": nik(1), "resolved": True,
                                         "resolution": "different_people", "kept_item_id": None}]
