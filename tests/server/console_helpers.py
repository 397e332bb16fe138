"""Shared by the console tests: staff accounts, a signed-in TestClient, the CSRF token of a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.server import auth
from app.server.app import create_app
from app.server.ingest import ingest

PASSWORD = "rahasia-dinsos-123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def staff(ctx, username: str, role: str) -> None:
    auth.add_staff(ctx, username=username, password=PASSWORD, role=role)


def signed_in(ctx, username: str, *, base_url: str = "http://testserver") -> TestClient:
    client = TestClient(create_app(context=ctx), base_url=base_url)
    page = client.get("/console/login")
    answer = client.post("/console/login", data={"csrf": CSRF.search(page.text).group(1), "username": username,
                                                 "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/inbox", answer.text
    return client


def csrf(client: TestClient, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)


def received(kelurahan, niks: list[str]) -> list[str]:
    """Ingest one batch of proposals (one per NIK); their item ids."""
    sealed, _, signed = kelurahan.batch(kelurahan.items(niks))
    ingest(kelurahan.ctx, sealed)
    return [i.item_id for i in signed.items]
