"""A hostile client against the HTTP API: capped bodies, no echoed input, 4xx (never 500) for NaN, huge numbers, NUL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.server import auth
from app.server.app import create_app
from app.server.config import Settings

JSON = {"Content-Type": "application/json"}
PASSWORD = "rahasia-dinsos-123"


@pytest.fixture
def client(ctx):
    return TestClient(create_app(context=ctx), raise_server_exceptions=False)


@pytest.fixture
def admin(ctx, client):
    auth.add_staff(ctx, username="adi", password=PASSWORD, role="admin")
    token = client.post("/v1/review/login", json={"username": "adi", "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _refused(response, status: int, reason: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert body["reason"] == reason and body["message"], body
    return body


def test_json_body_over_the_cap_is_413_before_parsing(tmp_path, database_url):
    small = create_app(Settings(data_dir=tmp_path / "s", database_url=database_url, max_json_bytes=1000))
    client = TestClient(small, raise_server_exceptions=False)
    big = b'{"username": "' + b"x" * 5000 + b'", "password": "y"}'
    _refused(client.post("/v1/review/login", content=big, headers=JSON), 413, "too_large")
    # No Content-Length (chunked): counted as it arrives, refused all the same.
    chunks = (big[i:i + 500] for i in range(0, len(big), 500))
    _refused(client.post("/v1/review/login", content=chunks, headers=JSON), 413, "too_large")
    # A console form is capped the same way.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/console/login", content=b"username=" + b"x" * 5000, headers=form).status_code == 413
    # Under the cap it is read and answered as usual.
    assert client.post("/v1/review/login", json={"username": "x", "password": "y"}).status_code == 401
    small.state.ctx.close()


def test_default_cap_is_max_json_bytes(client, ctx):
    body = b'{"username": "' + b"x" * (ctx.settings.max_json_bytes + 10) + b'", "password": "y"}'
    _refused(client.post("/v1/review/login", content=body, headers=JSON), 413, "too_large")


def test_validation_error_names_the_field_and_never_echoes_input(client):
    response = client.post("/v1/review/login", json={"username": "q" * 60_000, "password": "y"})
    body = _refused(response, 422, "invalid_input")
    assert len(response.content) < 2000 and b"qqqq" not in response.content
    assert body["fields"] == [{"field": "body.username", "problem": "string_too_long"}]
    assert "body.username" in body["message"]
    missing = _refused(client.post("/v1/review/login", json={"password": "y"}), 422, "invalid_input")
    assert missing["fields"][0]["field"] == "body.username"


@pytest.mark.parametrize("body", [b"NaN", b"Infinity", b"-Infinity", b"1e999999", b'{"username": NaN}',
                                  b'{"username": "a", "password": 1e999999}', b"1" * 5000, b"[" * 100_00,
                                  b'{"username": "a", "password": "', b"\xff\xfe"])
def test_non_json_and_non_finite_bodies_are_400_without_auth(client, body):
    _refused(client.post("/v1/review/login", content=body, headers=JSON), 400, "bad_request")


def test_huge_offset_and_after_are_422(client, admin, kelurahan):
    for offset in ("99999999999999999999999", str(2**63), "-1"):
        body = _refused(client.get("/v1/review/items", params={"offset": offset}, headers=admin),
                        422, "invalid_input")
        assert body["fields"][0]["field"] == "query.offset"
    feed = {"Authorization": f"Bearer {kelurahan.feed_token}"}
    path = f"/v1/offices/{kelurahan.office_id}/statuses"
    for after in ("99999999999999999999999", str(2**63), str(2**53), str(2**31)):
        body = _refused(client.get(path, params={"after": after}, headers=feed), 422, "invalid_input")
        assert body["fields"][0]["field"] == "query.after"
    assert client.get(path, params={"after": str(2**31 - 1)}, headers=feed).status_code == 200
    assert client.get("/v1/review/items", params={"offset": 10_000_000}, headers=admin).json() == []


def test_nul_anywhere_is_400_naming_where(client, admin, kelurahan):
    # Before the fix PostgreSQL raised on these (500), the login username too.
    body = _refused(client.post("/v1/review/login", json={"username": "adi\x00", "password": PASSWORD}),
                    400, "bad_request")
    assert "body.username" in body["message"]
    _refused(client.post("/v1/review/offices", json={"name": "Kel\x00", "village_code": "35.75.03.1009"},
                         headers=admin), 400, "bad_request")
    _refused(client.post("/v1/review/offices", json={"name": "K", "village_code": "3\x00"}, headers=admin),
             400, "bad_request")
    _refused(client.get("/v1/review/items", params={"state": "a\x00b"}, headers=admin), 400, "bad_request")
    _refused(client.get("/v1/review/items/a%00b", headers=admin), 400, "bad_request")
    _refused(client.get("/v1/offices/a%00b/statuses", headers={"Authorization": "Bearer x"}), 400, "bad_request")
    _refused(client.post("/v1/review/items/x/decisions", headers=admin,
                         json={"action": "return", "reasons": [{"code": "foto\x00", "text": "t"}]}),
             400, "bad_request")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post("/console/login", content=b"username=a%00&password=b", headers=form).status_code == 400
    # Nothing was stored for any of them: only the fixture's office exists.
    from sqlalchemy import func, select

    from app.server.models import Office

    with client.app.state.ctx.reading() as session:
        assert session.execute(select(func.count()).select_from(Office)).scalar_one() == 1


def test_a_document_part_over_its_own_cap_is_413_and_a_normal_part_is_not_capped_as_json(client):
    # Documents stream at their own cap (a sealed 10 MiB photo), not the 64 KiB JSON cap; past it, 413
    # before the handler reads a byte or asks who is sending.
    from app.server.hardening import body_cap
    from app.sync.documents import MAX_DOCUMENT_BYTES, MAX_SEAL_OVERHEAD

    path = "/v1/offices/KANTOR/documents/" + "a" * 64
    cap = MAX_DOCUMENT_BYTES + MAX_SEAL_OVERHEAD
    assert body_cap(path, 1, 1) == cap
    over = client.put(path, content=b"\0" * (cap + 1), headers={"Content-Range": f"bytes 0-{cap}/{cap + 1}"})
    _refused(over, 413, "too_large")
    # Under the cap the request reaches the upload's own checks (no credential: refused there, not as too large).
    under = client.put(path, content=b"\0" * 100_000, headers={"Content-Range": "bytes 0-99999/100000"})
    assert under.status_code in (401, 403, 404), under.status_code
