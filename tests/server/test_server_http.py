"""The HTTP API in-process: batches, error bodies, 413, statuses with the feed token, staff review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.server import auth
from app.server.app import create_app
from app.sync.receipt import Receipt, verify_receipt
from app.sync.status import StatusPage, verify_status_page
from bench.server_world import nik

ROOT = Path(__file__).resolve().parents[2]
OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture
def client(ctx):
    return TestClient(create_app(context=ctx))


def test_batch_receipt_errors_and_statuses(ctx, client, kelurahan):
    sealed, digest, signed = kelurahan.batch(kelurahan.items([nik(1)]))
    response = client.post("/v1/batches", content=sealed, headers=OCTET)
    assert response.status_code == 200
    verify_receipt(Receipt.from_bytes(response.content), ctx.keys.server_public, expected_batch_hash=digest)
    assert client.post("/v1/batches", content=sealed, headers=OCTET).content == response.content

    cut = client.post("/v1/batches", content=sealed[:-100], headers=OCTET)
    assert cut.status_code == 400 and cut.json()["reason"] == "truncated" and cut.json()["message"]

    later, _, _ = kelurahan.batch(sequence=kelurahan.sequence + 2, advance=False)
    held = client.post("/v1/batches", content=later, headers=OCTET)
    assert held.status_code == 202 and held.json()["reason"] == "gap"

    auth.add_staff(ctx, username="vera", password="rahasia-dinsos-123", role="verifier")
    token = client.post("/v1/review/login", json={"username": "vera", "password": "rahasia-dinsos-123"}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post("/v1/review/login", json={"username": "vera", "password": "wrong"}).status_code == 401
    items = client.get("/v1/review/items", headers=bearer).json()
    assert isinstance(items, list), items
    assert [i["item_id"] for i in items] == [signed.items[0].item_id]
    assert client.get(f"/v1/review/items/{items[0]['item_id']}", headers=bearer).json()["payload"]["programme"] == "pkh"
    decided = client.post(f"/v1/review/items/{items[0]['item_id']}/decisions", headers=bearer,
                          json={"action": "return", "reasons": [{"code": "foto_kurang", "text": "Foto rumah kurang."}]})
    assert decided.status_code == 200 and decided.json()["state"] == "returned"
    again = client.post(f"/v1/review/items/{items[0]['item_id']}/decisions", headers=bearer, json={"action": "verify"})
    assert again.status_code == 409

    feed = f"/v1/offices/{kelurahan.office_id}/statuses"
    assert client.get(feed).status_code == 401
    assert client.get(feed, headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get(feed, params={"after": 0}, headers={"Authorization": f"Bearer {kelurahan.feed_token}"})
    parsed = StatusPage.from_bytes(page.content)
    verify_status_page(parsed, ctx.keys.server_public, office_id=kelurahan.office_id, after_cursor=0)
    assert parsed.updates[0].state == "returned"
    assert client.get("/v1/review/items").status_code == 401
    assert client.get("/v1/review/export", headers=bearer).status_code == 200


def test_body_over_the_cap_is_413(tmp_path, database_url):
    from app.server.config import Settings

    small = create_app(Settings(data_dir=tmp_path / "s", database_url=database_url, max_body_bytes=1000))
    response = TestClient(small).post("/v1/batches", content=b"x" * 2000, headers=OCTET)
    assert response.status_code == 413 and response.json()["reason"] == "too_large"
    small.state.ctx.close()


def test_keys_health_and_openapi_document(client, ctx):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/v1/keys").json()["server_signing"]["purpose"] == "server_signing"
    spec = client.get("/openapi.json").json()
    assert "/v1/batches" in spec["paths"]
    (ROOT / "docs" / "openapi.json").write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
