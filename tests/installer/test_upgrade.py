"""Installing a newer bundle over an office of release 0.1.0 keeps its data and migrates it (the v0.1.0 fixture)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import demo, office
from app.storage import migrate
from app.storage.models import AuditEntry, Proposal
from tests.installer.conftest import run

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).parents[1] / "storage" / "fixtures" / "office-v0.1.0"


def _open(folder: Path):
    return office.open_office(folder, office.find_operator(folder, demo.DEMO_OPERATOR), demo.DEMO_OPERATOR_PASS)


def _proposals(ctx) -> dict[str, str]:
    with ctx.reading() as session:
        return {p.id: p.state for p in session.scalars(select(Proposal))}


def _install(bundle: Path, programs: Path) -> Path:
    """What the installers do: the program's folder replaced whole, nothing else touched."""
    shutil.rmtree(programs, ignore_errors=True)
    shutil.copytree(bundle, programs, symlinks=True)
    return programs / ("usulkan-cli" if sys.platform == "win32" else "usulkan")


def test_a_newer_bundle_installed_over_a_0_1_0_office_keeps_and_migrates_its_data(bundles, user_home, tmp_path):
    # What the same office looks like migrated by the library in this process: the expectation.
    reference = tmp_path / "reference"
    shutil.copytree(FIXTURE, reference)
    ctx = _open(reference)
    try:
        expected = _proposals(ctx)
    finally:
        ctx.close()
    assert len(expected) > 5

    # Release 0.1.0 left its office in the user's data folder; the program lives elsewhere.
    data = tmp_path / "home" / ".local" / "share" / "usulkan"
    shutil.copytree(FIXTURE, data)
    old_revision = _old_revision(tmp_path / "peek")
    programs = tmp_path / "home" / ".local" / "opt" / "Usulkan"
    program = _install(bundles.desktop, programs)
    done = run(program, "demo", "--smoke", env=user_home, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "opened and closed" in done.stdout
    # The bundle backed the old database up before migrating it, beside the office, not the program.
    # A whole backup (database, vault of that moment, manifest) whose manifest names the old revision.
    from app.storage import backup_files

    backups = [backup_files.read_manifest(m.parent) for m in (data / "backups").glob("*/manifest.json")]
    assert [(b.reason, b.revision) for b in backups] == [(f"before-{old_revision}", old_revision)]
    assert not list(programs.rglob("vault.json")) and not list(programs.rglob("office-*.db"))

    ctx = _open(data)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        # The bundle did the first unlock's repair already: nothing is left for this one to do.
        assert ctx.repaired_outbox_items is None
        assert _proposals(ctx) == expected
        with ctx.reading() as session:
            repairs = session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.repair")).all()
        assert len(repairs) == 1
    finally:
        ctx.close()

    # Uninstalled and installed again (or the next update): the office is still there and opens as it was.
    program = _install(bundles.desktop, programs)
    again = run(program, "demo", "--smoke", env=user_home, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list((data / "backups").glob("*/manifest.json"))) == 1  # no migration needed: no new copy
    ctx = _open(data)
    try:
        assert _proposals(ctx) == expected
    finally:
        ctx.close()


def _old_revision(folder: Path) -> str:
    """The schema revision release 0.1.0 wrote (read from a copy of the fixture, not assumed)."""
    from app.storage.engine import make_engine
    from app.storage.vault import Vault

    shutil.copytree(FIXTURE, folder)
    vault = Vault.load(folder)
    key, _slot = vault.unlock_operator_slot(office.find_operator(folder, demo.DEMO_OPERATOR), demo.DEMO_OPERATOR_PASS)
    engine = make_engine(vault.database_path, key)
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    assert revision is not None and revision != migrate.head_revision()
    return revision
