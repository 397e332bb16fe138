"""The built one-folder bundles run on their own: version, the demo office's window, the server's migration."""

from __future__ import annotations

import json
import sqlite3
import sys

import pytest

from app import __version__
from app.server import db as server_db
from app.services import demo, office
from app.storage import migrate
from tests.installer.conftest import run

pytestmark = pytest.mark.slow


def _files(folder) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def test_the_desktop_bundle_says_its_version(bundles, user_home, tmp_path):
    done = run(bundles.cli, "--version", env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"usulkan {__version__}"


def test_the_desktop_bundle_opens_the_demo_office_window_with_its_data_in_the_users_folder(bundles, user_home, tmp_path):
    before = _files(bundles.desktop)
    done = run(bundles.cli, "--lang", "id", "demo", "--smoke", env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke: window 'Kelurahan Bugul Kidul (demo)' opened and closed" in done.stdout
    # Indonesian from the bundled catalogues, not the English source strings.
    assert "Kantor demo" in done.stdout
    # No --data-dir: the platform's per-user data folder (XDG_DATA_HOME here), never beside the program.
    data = tmp_path / "home" / ".local" / "share" / "usulkan"
    assert (data / "vault.json").is_file() and (data / "office-1.db").is_file()
    assert _files(bundles.desktop) == before
    # The office the bundle made opens here too, at the schema's head, with the demo's proposals.
    ctx = office.open_office(data, office.find_operator(data, demo.DEMO_OPERATOR), demo.DEMO_OPERATOR_PASS)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
    finally:
        ctx.close()


def test_the_server_bundle_says_its_version_and_migrates_a_new_sqlite_database(bundles, user_home, tmp_path):
    done = run(bundles.usulkan_server, "--version", env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"usulkan-server {__version__}"
    folder = tmp_path / "dinsos"
    done = run(bundles.usulkan_server, "migrate", "--data-dir", str(folder), env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    head = server_db.head_revision()
    assert json.loads(done.stdout) == {"from": None, "to": head, "head": head}
    with sqlite3.connect(folder / "dinsos.db") as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"offices", "batches", "staff_users"} <= tables, tables
    again = run(bundles.usulkan_server, "migrate", "--data-dir", str(folder), env=user_home, cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["from"] == head


def test_the_server_bundle_serves_no_qt(bundles):
    # The Dinsos server's folder carries no Qt; the office's carries no web server.
    assert not list(bundles.server.rglob("*Qt6Core*"))
    assert not list(bundles.desktop.rglob("uvicorn*")) and not list(bundles.desktop.rglob("fastapi*"))


@pytest.mark.skipif(sys.platform != "linux", reason="XDG menus are Linux's; the NSIS installer makes Windows' entry")
def test_the_bundles_install_the_linux_menu_entry_pointing_at_themselves(bundles, user_home, tmp_path):
    done = run(bundles.usulkan, "install-desktop-entry", env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    share = tmp_path / "home" / ".local" / "share"
    entry = (share / "applications" / "usulkan.desktop").read_text(encoding="utf-8")
    assert f"Exec={bundles.usulkan.resolve()}\n" in entry
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "usulkan.svg").read_bytes().startswith(b"<")
