"""Registering a kelurahan checks its village code against the shipped region list (API and CLI)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.server import auth, cli
from app.server.app import create_app
from app.server.models import Office

PASSWORD = "rahasia-dinsos-123"


@pytest.fixture
def admin_client(ctx):
    client = TestClient(create_app(context=ctx), raise_server_exceptions=False)
    auth.add_staff(ctx, username="adi", password=PASSWORD, role="admin")
    token = client.post("/v1/review/login", json={"username": "adi", "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _offices(ctx) -> list[tuple[str, str]]:
    with ctx.reading() as session:
        return [tuple(r) for r in session.execute(select(Office.name, Office.village_code)).all()]


@pytest.mark.parametrize("code", ["9999", "99.99.99.9999", "35.75.03.1010", "35.75.03", "35", "x", "35.75.03.1009.1",
                                  "٣٥٧٥٠٣١٠٠٩"])
def test_unknown_village_codes_are_refused_and_nothing_stored(ctx, admin_client, code):
    response = admin_client.post("/v1/review/offices", json={"name": "Kelurahan X", "village_code": code})
    assert response.status_code == 422, response.text
    assert response.json()["reason"] == "unknown_village"
    assert "daftar wilayah" in response.json()["message"]
    assert _offices(ctx) == []


def test_a_real_village_is_stored_dotted(ctx, admin_client):
    response = admin_client.post("/v1/review/offices", json={"name": "Kelurahan Bugul Kidul", "village_code": "3575031009"})
    assert response.status_code == 200, response.text
    assert response.json()["village_code"] == "35.75.03.1009"
    assert _offices(ctx) == [("Kelurahan Bugul Kidul", "35.75.03.1009")]


def test_cli_refuses_an_unknown_village(ctx, settings, capsys):
    argv = ["register-office", "--data-dir", str(settings.data_dir), "--name", "Kelurahan X", "--village", "12.34.56.7890"]
    if settings.database_url:
        argv += ["--database-url", settings.database_url]
    assert cli.main(argv) != 0
    assert "12.34.56.7890" in capsys.readouterr().err
    assert _offices(ctx) == []
