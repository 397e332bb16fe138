"""The decree form takes the SK's document: checked by its bytes (PDF/JPEG/PNG, capped), stored in the
blob store, linked to the decision, shown from the history to a staff session only, every read audited."""

from __future__ import annotations

import hashlib
import os

import pytest
from console_helpers import csrf, received, signed_in, staff
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server import review
from app.server.app import create_app
from app.server.models import AuditEntry, Decision, Item
from bench.server_world import nik

SK_PDF = b"%PDF-1.7\n" + os.urandom(6000) + b"\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(4000)  # a Windows program, renamed to .pdf


@pytest.fixture
def finalised(ctx, kelurahan):
    from app.server.auth import Staff
    from app.server.models import StaffUser

    for name, role in (("vera", "verifier"), ("kirana", "kepala"), ("adi", "admin")):
        staff(ctx, name, role)
    (item_id,) = received(kelurahan, [nik(1)])
    with ctx.reading() as session:
        users = {u.username: Staff(u.id, u.username, u.role) for u in session.execute(select(StaffUser)).scalars()}
    review.decide(ctx, users["vera"], item_id, "verify")
    review.decide(ctx, users["kirana"], item_id, "finalise")
    return item_id


def _state(ctx, item_id):
    with ctx.reading() as session:
        return session.get(Item, item_id).state


def _post(client, item_id, document, *, action="approve", expected="finalised", token=None, **extra):
    data = {"csrf": token if token is not None else csrf(client, f"/console/items/{item_id}"), "action": action,
            "expected_state": expected, "decree_number": "188.45/123/HK/2026", "decree_date": "2026-02-27", **extra}
    files = {"decree_document": document} if document is not None else None
    return client.post(f"/console/items/{item_id}/decree", data=data, files=files, follow_redirects=False)


def _blobs(ctx):
    root = ctx.settings.data_dir / "blobs"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_approval_and_forwarding_store_the_decree_document_and_show_it_audited(ctx, finalised):
    adi = signed_in(ctx, "adi")
    page = adi.get(f"/console/items/{finalised}").text
    assert 'enctype="multipart/form-data"' in page and 'name="decree_document"' in page
    ok = _post(adi, finalised, ("SK-walikota.pdf", SK_PDF, "application/pdf"))
    assert ok.status_code == 303, ok.text
    assert _state(ctx, finalised) == "approved"
    sha = hashlib.sha256(SK_PDF).hexdigest()
    assert ctx.blobs.get(sha) == SK_PDF
    with ctx.reading() as session:
        decision = session.execute(select(Decision).where(Decision.item_id == finalised,
                                                          Decision.action == "approve")).scalar_one()
        audited = session.execute(select(AuditEntry.detail).where(AuditEntry.action == "item_approve")).scalar_one()
    assert (decision.decree_document_sha256, decision.decree_document_type, decision.decree_document_size) == (
        sha, "application/pdf", len(SK_PDF))
    assert sha in audited
    page = adi.get(f"/console/items/{finalised}").text
    url = f"/console/items/{finalised}/decree/{decision.id}"
    assert f'href="{url}"' in page
    shown = adi.get(url)
    assert shown.status_code == 200 and shown.content == SK_PDF
    assert shown.headers["content-type"] == "application/pdf" and "no-store" in shown.headers["cache-control"]
    # A verifier may read it (a staff session), audited as a read of that item.
    vera = signed_in(ctx, "vera")
    assert vera.get(url).content == SK_PDF
    with ctx.reading() as session:
        reads = session.execute(select(AuditEntry.actor, AuditEntry.subject)
                                .where(AuditEntry.action == "decree_document_viewed")).all()
    assert [tuple(r) for r in reads] == [("staff:adi", finalised), ("staff:vera", finalised)]
    # The forwarding takes its own document (a PNG scan this time).
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(3000) + b"IEND\xaeB`\x82"
    ok = _post(adi, finalised, ("sk.png", png, "image/png"), action="forward", expected="approved")
    assert ok.status_code == 303 and _state(ctx, finalised) == "forwarded"
    assert ctx.blobs.get(hashlib.sha256(png).hexdigest()) == png


def test_no_session_no_document_and_another_items_link_finds_nothing(ctx, finalised, kelurahan):
    adi = signed_in(ctx, "adi")
    assert _post(adi, finalised, ("sk.pdf", SK_PDF, "application/pdf")).status_code == 303
    with ctx.reading() as session:
        decision_id = session.execute(select(Decision.id).where(Decision.action == "approve")).scalar_one()
    url = f"/console/items/{finalised}/decree/{decision_id}"
    anonymous = TestClient(create_app(context=ctx))
    answer = anonymous.get(url)
    assert answer.status_code == 401 and SK_PDF not in answer.content
    office = {"Authorization": f"Bearer {kelurahan.feed_token}"}
    assert anonymous.get(url, headers=office).status_code == 401
    (other,) = received(kelurahan, [nik(2)])
    assert adi.get(f"/console/items/{other}/decree/{decision_id}").status_code == 404  # not that item's decision
    with ctx.reading() as session:
        assert not session.execute(select(AuditEntry).where(AuditEntry.action == "decree_document_viewed")).all()


def test_a_renamed_exe_an_oversize_file_a_cut_pdf_and_no_file_are_refused(ctx, finalised):
    adi = signed_in(ctx, "adi")
    exe = _post(adi, finalised, ("SK.pdf", EXE, "application/pdf"))
    assert exe.status_code == 400 and "bukan PDF, JPEG, atau PNG" in exe.text
    cut = _post(adi, finalised, ("SK.pdf", SK_PDF[:-8], "application/pdf"))
    assert cut.status_code == 400 and "rusak atau tidak lengkap" in cut.text
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    oversize = _post(adi, finalised, ("SK.pdf", big, "application/pdf"))
    assert oversize.status_code == 413 and SK_PDF not in oversize.content
    none = _post(adi, finalised, None)
    assert none.status_code == 400 and "dokumen SK" in none.text
    bad_date = _post(adi, finalised, ("SK.pdf", SK_PDF, "application/pdf"), decree_date="besok")
    assert bad_date.status_code == 400
    assert _state(ctx, finalised) == "finalised" and _blobs(ctx) == []
    with ctx.reading() as session:
        assert not session.execute(select(Decision).where(Decision.action == "approve")).all()


def test_a_verifier_a_kepala_and_a_forged_form_are_refused_before_anything_is_stored(ctx, finalised):
    for name in ("vera", "kirana"):
        client = signed_in(ctx, name)
        refused = _post(client, finalised, ("SK.pdf", SK_PDF, "application/pdf"))
        assert refused.status_code == 403, name
    adi = signed_in(ctx, "adi")
    forged = _post(adi, finalised, ("SK.pdf", SK_PDF, "application/pdf"), token="0" * 64)
    assert forged.status_code == 403
    anonymous = TestClient(create_app(context=ctx))
    answer = anonymous.post(f"/console/items/{finalised}/decree", data={"action": "approve"},
                            files={"decree_document": ("SK.pdf", SK_PDF, "application/pdf")}, follow_redirects=False)
    assert answer.status_code in (303, 401)
    assert _state(ctx, finalised) == "finalised" and _blobs(ctx) == []


def test_the_body_cap_holds_before_the_handler(ctx, finalised):
    adi = signed_in(ctx, "adi")
    huge = adi.post(f"/console/items/{finalised}/decree", content=b"x" * 100,
                    headers={"content-length": str(64 * 1024 * 1024), "content-type": "multipart/form-data; boundary=x"})
    assert huge.status_code == 413 and _blobs(ctx) == []


def test_the_plain_decision_form_does_not_record_an_approval_without_the_document(ctx, finalised):
    adi = signed_in(ctx, "adi")
    answer = adi.post(f"/console/items/{finalised}/decide", follow_redirects=False, data={
        "csrf": csrf(adi, f"/console/items/{finalised}"), "action": "approve", "expected_state": "finalised",
        "decree_number": "188/1", "decree_date": "2026-02-27"})
    assert answer.status_code == 400 and "dokumen SK" in answer.text
    assert _state(ctx, finalised) == "finalised"
