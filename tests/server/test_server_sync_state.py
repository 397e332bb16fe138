"""GET /v1/offices/{id}/sync-state: a restored office learns Dinsos's last sequence, hash and receipts (both backends)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.server.app import create_app
from app.server.ingest import ingest
from app.server.sync_state import sync_state
from app.sync.receipt import Receipt, verify_receipt
from bench.server_world import nik


def test_last_sequence_hash_and_receipts_after(ctx, kelurahan, database_url):
    results = [ingest(ctx, kelurahan.batch(kelurahan.items([nik(n)]))[0]) for n in (1, 2, 3)]
    state = sync_state(ctx, kelurahan.office_id, 1)
    assert state["last_sequence"] == 3 and not state["more"]
    assert [r["sequence"] for r in state["receipts"]] == [2, 3]
    last = Receipt.from_dict(state["receipts"][-1])
    # The very receipt the office got when it sent the batch, still verifying with the server key.
    assert last.to_bytes() == Receipt.from_bytes(results[-1].receipt).to_bytes()
    assert last.batch_hash == state["last_batch_hash"]
    verify_receipt(last, ctx.keys.server_public, expected_batch_hash=last.batch_hash)
    paged = sync_state(ctx, kelurahan.office_id, 0, limit=2)
    assert paged["more"] and [r["sequence"] for r in paged["receipts"]] == [1, 2]


def test_only_the_feed_token_opens_it(ctx, kelurahan, database_url):
    ingest(ctx, kelurahan.batch()[0])
    client = TestClient(create_app(context=ctx))
    url = f"/v1/offices/{kelurahan.office_id}/sync-state"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer not-it"}).status_code == 401
    answer = client.get(url, headers={"Authorization": f"Bearer {kelurahan.feed_token}"})
    assert answer.status_code == 200 and answer.json()["last_sequence"] == 1
    assert client.get(f"/v1/offices/{kelurahan.office_id}/sync-state?after=-1",
                      headers={"Authorization": f"Bearer {kelurahan.feed_token}"}).status_code == 422
