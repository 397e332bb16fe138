"""Every file the server writes is 0600 in a 0700 folder, whatever the umask (here the usual 022)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.server import cli, db
from app.server.config import Settings
from app.server.context import open_server
from app.server.ingest import ingest
from bench.server_world import NOW, enrol, nik


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _private_tree(folder: Path) -> list[Path]:
    """Every file and folder under ``folder``; asserts each is owner-only."""
    seen = []
    assert _mode(folder) == 0o700, folder
    for path in folder.rglob("*"):
        seen.append(path)
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), (path, oct(_mode(path)))
    return seen


def test_data_dir_database_keys_and_cli_outputs_are_private(umask_022, settings, tmp_path):
    ctx = open_server(settings, clock=lambda: NOW)
    kel = enrol(ctx, "a")
    sealed, _, _ = kel.batch(kel.items([nik(1)]))
    ingest(ctx, sealed, source="test")
    names = {p.name for p in _private_tree(settings.data_dir)}
    assert {"keys", "server.ed25519", "root.ed25519", "batch.x25519"} <= names, names
    database = db.sqlite_path(settings.url)
    if database is not None:  # the fixture's SQLite file sits beside data_dir, in the test's folder
        for name in ("dinsos.db", "dinsos.db-wal", "dinsos.db-shm"):
            assert _mode(database.with_name(name)) == 0o600, name
    ctx.close()

    argv = ["--data-dir", str(settings.data_dir)]
    if settings.database_url:
        argv += ["--database-url", settings.database_url]
    out = tmp_path / "new-folder" / "bnba.csv"
    assert cli.main(["export", *argv, "--format", "csv", "--out", str(out)]) == 0
    assert _mode(out) == 0o600 and _mode(out.parent) == 0o700
    assert b"nik" in out.read_bytes().lower()
    doc = tmp_path / "docs" / "kel-b.json"
    assert cli.main(["register-office", *argv, "--name", "Kelurahan B", "--village", "35.75.03.1009",
                     "--out", str(doc)]) == 0
    assert _mode(doc) == 0o600 and _mode(doc.parent) == 0o700


def test_an_older_installation_is_tightened_on_start(umask_022, tmp_path):
    data = tmp_path / "server"
    settings = Settings(data_dir=data)
    open_server(settings).close()
    os.chmod(data, 0o755)
    os.chmod(data / "dinsos.db", 0o644)
    os.chmod(settings.keys_dir, 0o755)
    for key in settings.keys_dir.iterdir():
        os.chmod(key, 0o644)
    open_server(settings).close()
    _private_tree(data)
