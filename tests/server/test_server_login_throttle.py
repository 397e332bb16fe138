"""The staff login throttle: per account and per address, shared by the API and the console, and it ages out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.server import auth, throttle
from app.server.app import create_app
from app.server.errors import LoginFailed, LoginThrottled
from app.server.models import LoginFailure
from bench.server_world import NOW
from console_helpers import CSRF, PASSWORD

LOGIN = "/v1/review/login"


@pytest.fixture
def app(ctx):
    auth.add_staff(ctx, username="vera", password=PASSWORD, role="verifier")
    auth.add_staff(ctx, username="kirana", password=PASSWORD, role="kepala")
    return create_app(context=ctx)


def _from(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000), raise_server_exceptions=False)


def _wrong(client: TestClient, username: str = "vera"):
    return client.post(LOGIN, json={"username": username, "password": "salah-kata-sandi"})


def test_five_wrong_passwords_lock_the_account_then_it_ages_out(ctx, app):
    client = _from(app, "10.0.0.1")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _wrong(client).status_code == 401
    # Even the right password is refused now, from any address, and no password is checked.
    for address in ("10.0.0.1", "10.0.0.2"):
        refused = _from(app, address).post(LOGIN, json={"username": "vera", "password": PASSWORD})
        assert refused.status_code == 429, refused.text
        assert refused.json()["reason"] == "login_throttled"
        assert "15 menit" in refused.json()["message"]
        assert int(refused.headers["Retry-After"]) == 15 * 60
    # Another account is not locked by vera's.
    assert client.post(LOGIN, json={"username": "kirana", "password": PASSWORD}).status_code == 200
    # The refusals were not counted as more failures: after the window, vera signs in.
    ctx.clock = lambda: NOW + throttle.WINDOW + timedelta(seconds=1)
    assert client.post(LOGIN, json={"username": "vera", "password": PASSWORD}).status_code == 200


def test_a_good_password_clears_the_account_count(ctx, app):
    client = _from(app, "10.0.0.1")
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _wrong(client).status_code == 401
    assert client.post(LOGIN, json={"username": "vera", "password": PASSWORD}).status_code == 200
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _wrong(client).status_code == 401
    assert client.post(LOGIN, json={"username": "vera", "password": PASSWORD}).status_code == 200


def test_one_address_guessing_many_accounts_is_stopped(ctx, app):
    guesser = _from(app, "203.0.113.9")
    for n in range(throttle.ADDRESS_LIMIT):
        assert _wrong(guesser, f"user{n}").status_code == 401
    # From that address no account signs in, a real one neither; from another address it does.
    assert guesser.post(LOGIN, json={"username": "kirana", "password": PASSWORD}).status_code == 429
    assert _from(app, "10.0.0.7").post(LOGIN, json={"username": "kirana", "password": PASSWORD}).status_code == 200
    # A good sign-in from the guessing address must not reset the address count either.
    with pytest.raises(LoginThrottled):
        auth.login(ctx, "kirana", PASSWORD, address="203.0.113.9")


def test_console_and_api_share_the_count(ctx, app):
    console = _from(app, "10.0.0.3")
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        with pytest.raises(LoginFailed):
            auth.login(ctx, "vera", "salah-kata-sandi", address="10.0.0.4")
    page = console.get("/console/login")
    wrong = console.post("/console/login", data={"csrf": CSRF.search(page.text).group(1), "username": "vera",
                                                 "password": "salah-kata-sandi"})
    assert wrong.status_code == 401
    page = console.get("/console/login")
    locked = console.post("/console/login", data={"csrf": CSRF.search(page.text).group(1), "username": "vera",
                                                  "password": PASSWORD}, follow_redirects=False)
    assert locked.status_code == 429 and "Terlalu banyak percobaan masuk" in locked.text
    assert "usulkan_console" not in locked.cookies
    assert _from(app, "10.0.0.5").post(LOGIN, json={"username": "vera", "password": PASSWORD}).status_code == 429


def test_old_failures_are_deleted(ctx, app):
    client = _from(app, "10.0.0.1")
    for _ in range(3):
        _wrong(client)
    ctx.clock = lambda: NOW + throttle.WINDOW + timedelta(minutes=1)
    _wrong(client)
    with ctx.reading() as session:
        assert session.execute(select(func.count()).select_from(LoginFailure)).scalar_one() == 1
