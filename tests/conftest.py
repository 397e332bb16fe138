"""Shared fixtures: offscreen Qt, Indonesian by default, a temporary office folder per test."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app import i18n  # noqa: E402


@pytest.fixture(autouse=True)
def _indonesian():
    i18n.set_language("id")
    yield
    i18n.set_language("id")


@pytest.fixture(scope="session")
def fast_kdf():
    """Argon2id parameters small enough for tests (production calibrates to 0.3-1 s)."""
    from app.storage.vault import KdfParams

    return KdfParams.for_tests()


OPERATOR_PASS = "kata sandi operator"
LURAH_PASS = "kata sandi lurah"
# Kelurahan Bugul Kidul, Kota Pasuruan (Jawa Timur).
VILLAGE = "35.75.03.1009"


@pytest.fixture
def created_office(tmp_path, fast_kdf):
    from app.services.office import create_office

    folder = tmp_path / "office"
    created = create_office(
        folder,
        name="Kelurahan Bugul Kidul",
        village_code=VILLAGE,
        lurah_name="Bapak Lurah",
        lurah_passphrase=LURAH_PASS,
        operator_name="Ani Operator",
        operator_passphrase=OPERATOR_PASS,
        kdf=fast_kdf,
    )
    return folder, created


@pytest.fixture
def office(created_office):
    """An unlocked office, acting as its first operator."""
    from app.services.office import open_office

    folder, created = created_office
    ctx = open_office(folder, created.operator_id, OPERATOR_PASS)
    yield ctx
    ctx.close()


@pytest.fixture
def lurah(created_office, office):
    """The Lurah's own session on the same office (the operator's ``office`` is open too)."""
    from app.services.office import open_office

    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    yield ctx
    ctx.close()


@pytest.fixture
def lurah_ctx(created_office):
    """The Lurah's session on the office (the operator's is not opened)."""
    from app.services.office import open_office

    folder, created = created_office
    ctx = open_office(folder, created.lurah_id, LURAH_PASS)
    yield ctx
    ctx.close()


@pytest.fixture
def chief(lurah):
    """The same Lurah session, for modules where ``lurah`` names ``app.services.lurah``."""
    return lurah


@pytest.fixture
def dinsos():
    """A Dinsos in memory (tests/fakes/sync_world.py): keys, checks, receipts, statuses."""
    from tests.fakes.sync_world import FakeDinsos

    return FakeDinsos()


@pytest.fixture
def linked(lurah, office, dinsos):
    """The office provisioned by and bound to ``dinsos``, its operator certified."""
    from tests.fakes.sync_world import link_office

    link_office(lurah, office, dinsos, dinsos.document())
    return office


@pytest.fixture
def server(tmp_path):
    """A real Dinsos server (its own SQLite, keys) answering HTTP on a free loopback port."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from tests.fakes.live_server import live_server

    with live_server(tmp_path / "server") as running:
        yield running


@pytest.fixture(scope="module")
def cli_office(tmp_path_factory):
    """An office made by ``usulkan office init`` (a real process): (folder, folder of passphrase files, its JSON)."""
    import json

    from tests import factories
    from tests.fakes.cli import LURAH, PASS, run

    folder = tmp_path_factory.mktemp("cli") / "office"
    secrets_dir = folder.parent
    (secrets_dir / "op.txt").write_text(PASS + "\n")
    (secrets_dir / "lurah.txt").write_text(LURAH + "\n")
    result = run(
        "office", "init", "--name", "Kelurahan Bugul Kidul", "--village", factories.VILLAGE,
        "--lurah", "Bapak Lurah", "--operator", "Ani", "--lurah-passphrase-file", str(secrets_dir / "lurah.txt"),
        "--passphrase-file", str(secrets_dir / "op.txt"), "--json", data_dir=folder,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    return folder, secrets_dir, created


@pytest.fixture
def served():
    """A static web server on loopback for a repository folder (what Dinsos publishes)."""
    servers = []

    def serve(folder: Path) -> str:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
