"""Encrypted, verified office backups to the chosen folder or stick: make, list, rotate, and how fresh they are."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.clock import utcnow
from app.errors import UsulkanError
from app.i18n import N_
from app.services.backup_rotation import to_keep
from app.services.context import OfficeContext
from app import fsutil
from app.storage import backup_files
from app.storage.backup_files import BackupIncomplete, BackupInfo
from app.storage.backup_files import MANIFEST as MANIFEST  # re-exported: a screen tells a backup folder by it
from app.storage.vault import LOCK_FILE, VAULT_FILE, vault_database

log = logging.getLogger(__name__)

CONFIG_FILE = "backup.json"
LOCAL_FOLDER = "backups"
DAILY_EVERY = timedelta(hours=24)
STALE_AFTER = timedelta(days=3)


class BackupError(UsulkanError):
    template = N_("The backup could not be made.")


class BackupFolderMissing(BackupError):
    template = N_("The backup folder {folder} cannot be reached.")
    hint = N_("Plug in the backup stick, or choose another backup folder in Settings.")


class BackupFailed(BackupError):
    template = N_("The backup in {folder} could not be written or did not check out.")
    hint = N_("Check that the stick is not full or write-protected, then press Back up now again.")


class BackupOfficeChanged(BackupError):
    template = N_("The office's key changed while the backup was being made.")
    hint = N_("Press Back up now again.")


def configured_folder(office_folder: Path) -> Path | None:
    """The backup folder chosen in Settings (kept beside the vault, so the CLI finds it too)."""
    try:
        raw = json.loads((Path(office_folder) / CONFIG_FILE).read_text(encoding="utf-8"))
        folder = raw.get("folder")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(folder) if isinstance(folder, str) and folder else None


def backup_folder(office_folder: Path) -> Path:
    """Where backups go: the chosen folder, or ``backups`` inside the office folder until one is chosen."""
    return configured_folder(office_folder) or Path(office_folder) / LOCAL_FOLDER


def set_backup_folder(ctx: OfficeContext, folder: str | Path | None) -> Path | None:
    """Remember the backup folder (None: back to the office's own ``backups`` folder)."""
    value = str(Path(folder)) if folder else None
    fsutil.write_atomic(ctx.folder / CONFIG_FILE, json.dumps({"folder": value}).encode("utf-8"))
    with ctx.transaction() as session:
        ctx.audit(session, "backup.folder", "office", ctx.office_id, folder=value)
    return Path(value) if value else None


def _usable(dest: Path, office_folder: Path) -> Path:
    if dest == configured_folder(office_folder) and not dest.is_dir():
        # A stick that is not plugged in: never silently write to an empty mount point's parent.
        raise BackupFolderMissing(folder=str(dest))
    return dest


def write_office_backup(office_folder: Path, key: bytes, *, reason: str, dest: Path | None = None,
                        now: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """Back up the office in ``office_folder`` (data key ``key``) and rotate; for callers without a session."""
    office_folder = Path(office_folder)
    dest = _usable(Path(dest) if dest else backup_folder(office_folder), office_folder)
    now = now or utcnow()
    # Under the vault lock no re-key can swap the database and its keyslots half-way through.
    with fsutil.file_lock(office_folder / LOCK_FILE):
        vault_bytes = (office_folder / VAULT_FILE).read_bytes()
        database = vault_database(vault_bytes, key)
        if database is None:
            raise BackupOfficeChanged()
        source = office_folder / database
        try:
            backup_files.clear_leftovers(dest)
            info = backup_files.write_backup(dest, source=source, key=key, vault_bytes=vault_bytes, reason=reason,
                                             now=now, progress=progress)
        except BackupIncomplete as exc:
            log.warning("backup did not verify: %s", exc)
            raise BackupFailed(folder=str(dest)) from exc
        except OSError as exc:
            log.warning("backup not written: %s", exc)
            raise BackupFailed(folder=str(dest)) from exc
    rotate(dest, office_id=info.office_id)
    return info


def create_backup(ctx: OfficeContext, *, reason: str = "manual", dest: Path | None = None,
                  progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """Back up the unlocked office now (audited); BackupFolderMissing / BackupFailed otherwise."""
    info = write_office_backup(ctx.folder, ctx.data_key, reason=reason, dest=dest, now=ctx.clock(), progress=progress)
    with ctx.transaction() as session:
        ctx.audit(session, "backup.create", "office", ctx.office_id, name=info.name, reason=reason)
    return info


def rotate(dest: Path, *, office_id: str) -> list[str]:
    """Delete this office's backups the 7-daily/4-weekly/12-monthly rotation does not keep."""
    mine = [b for b in backup_files.complete_backups(dest) if b.office_id == office_id]
    keep = to_keep([(b.name, b.created_at, b.reason) for b in mine])
    removed = []
    for item in mine:
        if item.name not in keep:
            backup_files.remove_backup(item.path)
            removed.append(item.name)
    return removed


def list_backups(dest: Path, *, office_id: str | None = None, thorough: bool = False) -> list[BackupInfo]:
    """Complete backups in ``dest`` (this office's only when ``office_id``), oldest first."""
    found = backup_files.complete_backups(dest, thorough=thorough)
    return [b for b in found if office_id is None or b.office_id == office_id]


@dataclass(frozen=True)
class BackupHealth:
    folder: Path
    folder_missing: bool
    newest: BackupInfo | None
    age: timedelta | None
    incomplete: int

    @property
    def stale(self) -> bool:
        return self.newest is None or self.age is None or self.age > STALE_AFTER

    @property
    def ok(self) -> bool:
        return not self.folder_missing and not self.stale


def health(office_folder: Path, office_id: str, *, now: datetime | None = None) -> BackupHealth:
    """How the newest good backup stands: what the dashboard and doctor warn about."""
    dest = backup_folder(office_folder)
    now = backup_files.aware(now or utcnow())
    missing = not dest.is_dir() and configured_folder(office_folder) is not None
    backups = [] if missing else list_backups(dest, office_id=office_id)
    newest = backups[-1] if backups else None
    age = now - newest.created_at if newest else None
    incomplete = 0 if missing else len(backup_files.incomplete_folders(dest))
    return BackupHealth(dest, missing, newest, age, incomplete)


def due(ctx: OfficeContext) -> bool:
    """True when no backup of this office is younger than a day (the daily one is due)."""
    state = health(ctx.folder, ctx.office_id, now=ctx.clock())  # aware() inside
    return not state.folder_missing and (state.age is None or state.age >= DAILY_EVERY)


def daily_backup(ctx: OfficeContext, progress=None) -> BackupInfo | None:
    """The daily backup, when one is due; None when the newest is less than a day old."""
    if not due(ctx):
        return None
    return create_backup(ctx, reason="daily", progress=progress)


def after_rekey(ctx: OfficeContext, reason: str) -> BackupInfo | None:
    """A backup right after a re-key or revocation: the copy on the stick then opens only for those who
    still hold a key. The re-key itself is done; a backup that fails here is logged, not raised."""
    try:
        return create_backup(ctx, reason=reason)
    except BackupError as exc:
        log.warning("backup after %s not made: %s", reason, exc)
        return None
