"""The server's audit chain: every staff read of people's data is in it, and `audit verify` finds rewrites."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from app.server import auth
from app.server.app import create_app
from app.server.audit import verify_report
from app.server.cli import main
from app.server.models import AuditEntry, OfficeAuditHead
from bench.server_world import nik

OCTET = {"Content-Type": "application/octet-stream"}


def _actions(ctx) -> list[tuple[str, str, str | None]]:
    with ctx.reading() as session:
        return [tuple(r) for r in session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject)
                                                  .order_by(AuditEntry.seq))]


def test_every_staff_read_of_peoples_data_is_audited(ctx, kelurahan):
    client = TestClient(create_app(context=ctx))
    sealed, _, signed = kelurahan.batch(kelurahan.items([nik(1)]))
    assert client.post("/v1/batches", content=sealed, headers=OCTET).status_code == 200
    auth.add_staff(ctx, username="vera", password="rahasia-dinsos-123", role="verifier")
    token = client.post("/v1/review/login", json={"username": "vera", "password": "rahasia-dinsos-123"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    item_id = signed.items[0].item_id

    assert client.get(f"/v1/review/items/{item_id}", headers=bearer).json()["payload"]
    assert client.get("/v1/review/duplicates", headers=bearer).status_code == 200
    assert client.get("/v1/review/export", params={"format": "csv"}, headers=bearer).status_code == 200
    assert client.get("/v1/review/items/00000000-0000-4000-8000-000000000000", headers=bearer).status_code == 404
    reads = [a for a in _actions(ctx) if a[0] == "staff:vera" and a[1] != "login"]
    assert reads == [("staff:vera", "item_viewed", item_id), ("staff:vera", "duplicates_viewed", None),
                     ("staff:vera", "export", None)]
    with ctx.reading() as session:
        details = [e.detail for e in session.scalars(select(AuditEntry).where(AuditEntry.actor == "staff:vera"))]
    assert not any(nik(1) in d for d in details)  # who looked, never what
    assert verify_report_ok(ctx)


def verify_report_ok(ctx) -> bool:
    with ctx.reading() as session:
        return verify_report(session).ok


def test_a_batch_leaves_the_offices_audit_head_at_dinsos(ctx, kelurahan):
    from app.sync.batch import BatchItem
    from app.sync.chain import head_payload

    head = BatchItem.create(item_id="5f0e4a1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b", item_type="audit_head",
                            payload=head_payload(17, "ab" * 32))
    sealed, _, signed = kelurahan.batch(kelurahan.items([nik(2)]) + [head])
    from app.server.ingest import ingest

    result = ingest(ctx, sealed, source="test")
    with ctx.reading() as session:
        stored = session.scalars(select(OfficeAuditHead)).one()
    assert (stored.office_id, stored.batch_sequence, stored.seq, stored.hash) == (kelurahan.office_id, 1, 17, "ab" * 32)
    # Kept as evidence, not put up for review, and not named as an accepted item.
    assert head.item_id not in json.loads(result.receipt)["accepted_items"]

    # The office asks for them with its feed token and gets a list signed by the server key.
    from app.sync.audit_heads import verify_audit_heads

    client = TestClient(create_app(context=ctx))
    url = f"/v1/offices/{kelurahan.office_id}/audit-heads"
    assert client.get(url).status_code == 401
    answer = client.get(url, headers={"Authorization": f"Bearer {kelurahan.feed_token}"})
    [listed] = verify_audit_heads(answer.content, ctx.keys.server_public, office_id=kelurahan.office_id)
    assert (listed.batch_sequence, listed.seq, listed.hash) == (1, 17, "ab" * 32)


@pytest.mark.parametrize("attack, seq, kind", [
    ("DELETE FROM audit_log WHERE seq = 2", 2, "missing"),
    ("UPDATE audit_log SET actor = 'staff:nobody' WHERE seq = 2", 2, "edited"),
    ("DELETE FROM audit_log WHERE seq = 3", 3, "tail_missing"),
])
def test_server_audit_verify_names_the_rewritten_entry(settings, tmp_path, capsys, attack, seq, kind):
    from app.server.context import open_server

    ctx = open_server(settings)
    auth.add_staff(ctx, username="a", password="rahasia-dinsos-123", role="admin")
    auth.add_staff(ctx, username="b", password="rahasia-dinsos-123", role="admin")
    auth.add_staff(ctx, username="c", password="rahasia-dinsos-123", role="admin")
    common = ["--data-dir", str(settings.data_dir), "--database-url", settings.url]
    assert main(["audit", "verify", *common]) == 0
    assert "3 entries" in capsys.readouterr().out
    with ctx.engine.begin() as conn:
        conn.execute(text(attack))
    ctx.close()
    assert main(["audit", "verify", *common, "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert {"seq": seq, "kind": kind} in report["problems"]


def test_an_audit_head_that_goes_backwards_is_recorded_at_dinsos(ctx, kelurahan):
    from app.server.ingest import ingest
    from app.sync.batch import BatchItem
    from app.sync.chain import head_payload

    def head(seq):
        import uuid

        return BatchItem.create(item_id=str(uuid.uuid4()), item_type="audit_head", payload=head_payload(seq, "cd" * 32))

    for n, seq in ((3, 40), (4, 41), (5, 12)):  # the third office batch says its log is shorter
        sealed, _, _ = kelurahan.batch(kelurahan.items([nik(n)]) + [head(seq)])
        assert ingest(ctx, sealed, source="test").outcome == "accepted"
    with ctx.reading() as session:
        flagged = session.scalars(select(AuditEntry).where(AuditEntry.action == "office_audit_regressed")).all()
    assert [json.loads(e.detail) for e in flagged] == [{"sequence": 3, "head_seq": 12, "before": 41}]
