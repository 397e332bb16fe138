"""Offices saved by earlier releases still open, upgrade and keep every record (Electrum's old wallets).

Each release adds its frozen office folder under tests/storage/fixtures/ (made with the
demo office and the test KDF). Never edit a fixture: add a new one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services import audit_log, demo, office, proposals
from app.storage import migrate

FIXTURES = Path(__file__).parent / "fixtures"
RELEASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("release", RELEASES)
def test_an_office_from_an_earlier_release_opens_at_head_with_its_data(tmp_path, release):
    folder = tmp_path / release
    shutil.copytree(FIXTURES / release, folder)
    operator_id = office.find_operator(folder, demo.DEMO_OPERATOR)
    before = migrate_revision_of(folder, operator_id)
    ctx = office.open_office(folder, operator_id, demo.DEMO_OPERATOR_PASS)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        counts = proposals.count_by_state(ctx)
        assert sum(counts.values()) == len(demo.BARU_PATHS) + len(demo.PEMBARUAN_PATHS)
        assert ("baru", "returned") in counts
        assert audit_log.verify_audit(ctx).ok
    finally:
        ctx.close()
    backups = list((folder / "backups").glob("usulkan-backup-*/office-*.db")) if (folder / "backups").exists() else []
    # A database older than head is copied (encrypted) before it is migrated.
    assert bool(backups) == (before != migrate.head_revision())


def migrate_revision_of(folder: Path, operator_id: str) -> str | None:
    from app.storage.engine import make_engine
    from app.storage.vault import Vault

    vault = Vault.load(folder)
    key = vault.unlock_operator(operator_id, demo.DEMO_OPERATOR_PASS)
    engine = make_engine(vault.database_path, key)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()
