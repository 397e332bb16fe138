"""`usulkan doctor` and Settings' health page: check what hurts an office before it hurts, with what to do."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.i18n import _, n_
from app.services import backup
from app.services.context import OfficeContext
from app.storage import backup_files
from app.storage.engine import PLAIN_SQLITE_HEADER, integrity_problems

OK, WARN, FAIL = "ok", "warning", "problem"
LOW_DISK = 1 << 30  # 1 GiB: a backup of a large office and a migration both need room
VERY_LOW_DISK = 200 << 20
CERT_WARN = timedelta(days=14)
# Folder names an interrupted create, restore or backup leaves, holding office data.
LEFTOVER_SUFFIXES = (".creating", ".restoring")


@dataclass(frozen=True)
class Check:
    code: str
    status: str
    title: str
    detail: str
    action: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _database(ctx: OfficeContext) -> Check:
    title = _("Database integrity")
    problems = integrity_problems(ctx.engine)
    if problems:
        return Check("database", FAIL, title, _("The database check found {n} problem(s): {first}").format(
            n=len(problems), first=problems[0]),
            _("Stop entering data. Restore the newest good backup (Settings, Backup) and tell Dinsos."))
    return Check("database", OK, title, _("cipher_integrity_check and integrity_check found nothing wrong."))


def _audit(ctx: OfficeContext) -> Check:
    from app.services.audit_log import verify_audit

    title = _("Audit log")
    report = verify_audit(ctx)
    if not report.ok:
        return Check("audit", FAIL, title, _("The audit log has {n} problem(s); entries were changed or deleted.").format(
            n=len(report.problems)),
            _("Run `usulkan audit verify` for the details and report it to the Lurah and Dinsos."))
    return Check("audit", OK, title, n_("{n} entry, chain and signatures intact.", "{n} entries, chain and signatures intact.",
                                          report.entries).format(n=report.entries))


def _outbox(ctx: OfficeContext) -> Check:
    from app.domain import workflow
    from app.services.outbox import AFTER_QUEUE, _without_item

    title = _("Outbox")
    with ctx.reading() as session:
        missing = len(_without_item(session, (workflow.State.QUEUED,)))
        later = len(_without_item(session, AFTER_QUEUE))
    if missing:
        return Check("outbox", FAIL, title, _("{n} queued proposal(s) have no outbox entry and would never be sent.").format(
            n=missing), _("Close Usulkan and open it again: the repair runs at sign-in."))
    if later:
        return Check("outbox", WARN, title, _("{n} proposal(s) past the queue have no outbox entry.").format(n=later),
                     _("Ask Dinsos whether it holds them."))
    return Check("outbox", OK, title, _("Every queued proposal has its outbox entry."))


def _backups(ctx: OfficeContext) -> Check:
    title = _("Backup")
    state = backup.health(ctx.folder, ctx.office_id, now=ctx.clock())
    if state.folder_missing:
        return Check("backup", FAIL, title, _("The backup folder {folder} cannot be reached.").format(folder=state.folder),
                     _("Plug in the backup stick, or choose another backup folder in Settings."))
    if state.newest is None:
        return Check("backup", FAIL, title, _("There is no good backup in {folder}.").format(folder=state.folder),
                     _("Press Back up now in Settings (or run `usulkan backup create`)."))
    days = state.age.days if state.age else 0
    if state.stale:
        return Check("backup", WARN, title, _("The newest good backup is {days} days old.").format(days=days),
                     _("Plug in the backup stick and press Back up now in Settings."))
    detail = _("The newest good backup is from {when} (UTC).").format(when=f"{state.newest.created_at:%Y-%m-%d %H:%M}")
    if backup.configured_folder(ctx.folder) is None:
        return Check("backup", WARN, title, detail + " " + _("It is on this computer's own disk."),
                     _("Choose a backup folder on a USB stick in Settings, so a dead disk does not take the backups too."))
    return Check("backup", OK, title, detail)


def _disk(ctx: OfficeContext) -> Check:
    title = _("Free disk space")
    places = [ctx.folder, backup.backup_folder(ctx.folder)]
    lows = []
    for place in places:
        try:
            free = shutil.disk_usage(place if place.exists() else place.parent).free
        except OSError:
            continue
        lows.append((free, place))
    if not lows:
        return Check("disk", WARN, title, _("The free space could not be read."))
    free, place = min(lows, key=lambda item: item[0])
    shown = _("{mib} MiB free in {place}").format(mib=free >> 20, place=place)
    if free < VERY_LOW_DISK:
        return Check("disk", FAIL, title, shown, _("Delete files you no longer need or use a larger stick; "
                                                    "a full disk stops saving and backups."))
    if free < LOW_DISK:
        return Check("disk", WARN, title, shown, _("Make room soon: less than 1 GiB is left."))
    return Check("disk", OK, title, shown)


def _certificate(ctx: OfficeContext) -> Check:
    from app.storage.sync_models import Certificate, SyncLink

    title = _("Operator certificate")
    now = ctx.clock()
    with ctx.reading() as session:
        if session.get(SyncLink, 1) is None:
            return Check("certificate", OK, title, _("The office is not linked to Dinsos yet; no certificate is needed."))
        until = session.scalar(select(func.max(Certificate.valid_until)).where(Certificate.operator_id == ctx.operator_id))
    if until is None:
        if ctx.operator_role == "lurah":
            return Check("certificate", OK, title, _("The Lurah signs with the authority key."))
        return Check("certificate", WARN, title, _("You have no certificate, so you cannot send to Dinsos."),
                     _("Ask the Lurah to certify you (Settings, People)."))
    if until.tzinfo is not None:
        until = until.replace(tzinfo=None)
    if until <= now.replace(tzinfo=None):
        return Check("certificate", FAIL, title, _("Your certificate expired on {date}.").format(date=f"{until:%Y-%m-%d}"),
                     _("Ask the Lurah to certify you again."))
    if until - now.replace(tzinfo=None) < CERT_WARN:
        return Check("certificate", WARN, title, _("Your certificate expires on {date}.").format(date=f"{until:%Y-%m-%d}"),
                     _("Ask the Lurah to renew it before then."))
    return Check("certificate", OK, title, _("Valid until {date}.").format(date=f"{until:%Y-%m-%d}"))


def leftover_files(ctx: OfficeContext) -> list[Path]:
    """Plain (unencrypted) SQLite files, and staging folders of an interrupted create, restore or backup."""
    found: list[Path] = []
    folder = Path(ctx.folder)
    for place in {folder.parent, folder}:
        try:
            entries = list(place.iterdir())
        except OSError:
            continue
        found += [p for p in entries if p.is_dir() and p.name.startswith(folder.name) and p.name.endswith(LEFTOVER_SUFFIXES)]
    found += backup_files.incomplete_folders(backup.backup_folder(folder))
    candidates = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size >= len(PLAIN_SQLITE_HEADER)]
    temp = Path(tempfile.gettempdir())
    try:
        candidates += [p for p in temp.glob("usulkan*") if p.is_file()]
    except OSError:
        pass
    for path in candidates:
        try:
            with path.open("rb") as fh:
                if fh.read(len(PLAIN_SQLITE_HEADER)) == PLAIN_SQLITE_HEADER:
                    found.append(path)
        except OSError:
            continue
    return sorted(set(found))


def _leftovers(ctx: OfficeContext) -> Check:
    title = _("Leftover unencrypted files")
    found = leftover_files(ctx)
    if found:
        return Check("leftovers", WARN, title, _("{n} leftover file(s) or folder(s), e.g. {first}").format(
            n=len(found), first=found[0]),
            _("Delete them once you are sure the office opens: they may hold office data outside the encryption."))
    return Check("leftovers", OK, title, _("No unencrypted copies or half-finished folders were found."))


def _server(ctx: OfficeContext, transport) -> Check:
    from email.utils import parsedate_to_datetime

    title = _("Dinsos server")
    try:
        response = transport._request("GET", "/healthz")
    except Exception:  # any failure to reach it is the finding itself
        return Check("server", WARN, title, _("The Dinsos server cannot be reached."),
                     _("Check the internet connection; the office keeps working and sends later."))
    date = response.headers.get("date")
    if date:
        skew = abs((parsedate_to_datetime(date).replace(tzinfo=None) - ctx.clock().replace(tzinfo=None)).total_seconds())
        if skew > 300:
            return Check("server", WARN, title, _("This computer's clock is {minutes} minutes off the server's.").format(
                minutes=int(skew // 60)), _("Set the date and time of this computer (automatic time)."))
    return Check("server", OK, title, _("Reachable; the clocks agree."))


def _restored(ctx: OfficeContext) -> Check:
    from app.services.restore import reconcile_pending

    title = _("After a restore")
    if reconcile_pending(ctx):
        return Check("restored", WARN, title, _("This office was restored and does not yet know what Dinsos holds; "
                                                "nothing is sent until it does."),
                     _("Send once over the internet (Sync page), or import Dinsos's newest return file."))
    return Check("restored", OK, title, _("Nothing waits to be lined up with Dinsos."))


CHECKS: tuple[Callable[[OfficeContext], Check], ...] = (_database, _audit, _outbox, _backups, _disk, _certificate,
                                                        _leftovers, _restored)


def run_checks(ctx: OfficeContext, transport=None) -> list[Check]:
    """Every check, in order; one that crashes is reported as a problem, the others still run."""
    results = []
    checks = list(CHECKS) + ([lambda c: _server(c, transport)] if transport is not None else [])
    for check in checks:
        try:
            results.append(check(ctx))
        except Exception as exc:  # a check must never hide the others
            results.append(Check(getattr(check, "__name__", "check").strip("_"), FAIL, _("Check failed"), str(exc)))
    return results


def worst(checks: list[Check]) -> str:
    if any(c.status == FAIL for c in checks):
        return FAIL
    return WARN if any(c.status == WARN for c in checks) else OK
