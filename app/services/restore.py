"""Restore an office from a backup onto a fresh install: check it, unlock it, give it a new installation identity."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from app.clock import utcnow
from app.errors import UsulkanError
from app.i18n import N_
from app.services import office as office_service
from app.services.context import OfficeContext
from app import fsutil
from app.storage import backup_files
from app.storage.backup_files import BackupIncomplete, BackupInfo
from app.storage.backup_files import operators_in as operators_in  # re-exported: who may restore, for the screen
from app.storage.sync_models import DataRepair
from app.storage.vault import VAULT_FILE

INSTALLATION_FILE = "installation.json"
RECONCILE = "restore.reconcile"


class RestoreError(UsulkanError):
    template = N_("The office could not be restored.")


class BackupNotUsable(RestoreError):
    template = N_("The backup {name} is incomplete or damaged, so it cannot be restored.")
    hint = N_("Choose another backup: an older one on the stick, or one from another stick.")


class RestoreTargetInUse(RestoreError):
    template = N_("An office already exists in {folder}, so a backup is not restored over it.")
    hint = N_("Restore on a fresh install, or into an empty folder.")


def installation_id(folder: Path) -> str | None:
    """This installation's identity (made when the office was created here, or restored here)."""
    try:
        return json.loads((Path(folder) / INSTALLATION_FILE).read_text(encoding="utf-8"))["installation_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def new_installation(folder: Path, *, restored_from: str | None = None, previous: str | None = None) -> str:
    """Give the office folder a new installation identity (installation.json, 0600)."""
    new_id = str(uuid.uuid4())
    document = {"installation_id": new_id, "created_at": utcnow().isoformat(), "restored_from": restored_from,
                "previous_installation_id": previous}
    fsutil.write_atomic(Path(folder) / INSTALLATION_FILE, json.dumps(document, indent=2).encode("utf-8"))
    return new_id


def describe(path: str | Path) -> BackupInfo:
    """The backup at ``path`` after a full check of its files (BackupNotUsable otherwise)."""
    try:
        return backup_files.verify_files(Path(path), thorough=True)
    except BackupIncomplete as exc:
        raise BackupNotUsable(name=Path(path).name) from exc


def restore_backup(backup: str | Path, target: str | Path, *, operator: str | None = None,
                   passphrase: str | None = None, recovery_code: str | None = None) -> OfficeContext:
    """Put the backup into ``target`` (empty or missing) and open it with a passphrase or the recovery code.

    The copy is staged beside ``target`` and renamed into place only after it opened and its
    integrity held, so a failed restore leaves nothing behind. The result is unlocked; its outbox
    waits for :func:`app.services.restore_sync.reconcile` before anything is sent.
    """
    backup, target = Path(backup), Path(target)
    info = describe(backup)
    if (target / VAULT_FILE).exists():
        raise RestoreTargetInUse(folder=str(target))
    if target.exists() and any(target.iterdir()):
        raise office_service.FolderNotEmpty(folder=str(target))
    staging = target.with_name(target.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    fsutil.secure_mkdir(staging)
    try:
        for name in (VAULT_FILE, info.database):
            shutil.copyfile(backup / name, staging / name)
            (staging / name).chmod(0o600)
            fsutil.fsync_file(staging / name)
        # Copying may have met a bad sector or a pulled stick: check the copy itself, not the source.
        try:
            backup_files.verify_files(staging_manifest(staging, backup), thorough=True)
        except BackupIncomplete as exc:
            raise BackupNotUsable(name=backup.name) from exc
        fsutil.fsync_dir(staging)
        ctx = _open(staging, operator, passphrase, recovery_code)
        try:
            _mark_restored(ctx, info)
        finally:
            ctx.close()
        if target.exists():
            target.rmdir()
        staging.rename(target)
        fsutil.fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _open(target, operator, passphrase, recovery_code)


def staging_manifest(staging: Path, backup: Path) -> Path:
    """Copy the manifest in too, so the staged files are checked against it (and removed afterwards)."""
    shutil.copyfile(backup / backup_files.MANIFEST, staging / backup_files.MANIFEST)
    return staging


def _open(folder: Path, operator, passphrase, recovery_code) -> OfficeContext:
    if recovery_code:
        return office_service.open_office_with_recovery(folder, recovery_code)
    if not operator or passphrase is None:
        raise ValueError("an operator and passphrase, or the recovery code")
    return office_service.open_office(folder, office_service.find_operator(folder, operator), passphrase)


def _mark_restored(ctx: OfficeContext, info: BackupInfo) -> None:
    (ctx.folder / backup_files.MANIFEST).unlink(missing_ok=True)
    previous = installation_id(ctx.folder)
    new_id = new_installation(ctx.folder, restored_from=info.name, previous=previous)
    with ctx.transaction() as session:
        session.merge(DataRepair(name=RECONCILE, requested_at=ctx.clock(), done_at=None,
                                 result={"backup": info.name, "backup_created_at": info.created_at.isoformat(),
                                         "installation_id": new_id}))
        ctx.audit(session, "office.restore", "office", ctx.office_id, backup=info.name,
                  backup_created_at=info.created_at.isoformat(), installation_id=new_id)


def reconcile_pending(ctx: OfficeContext) -> bool:
    """True while a restored office has not yet asked Dinsos what it already holds."""
    with ctx.reading() as session:
        row = session.get(DataRepair, RECONCILE)
        return row is not None and row.done_at is None
