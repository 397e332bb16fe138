"""`usulkan-server doctor`: check the server's database, keys, disk, audit chain, backlog and blob store, with what to do.

It only looks: unlike starting the server it never creates keys, tightens file modes or migrates,
so a broken setup is reported as it is.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.i18n import _, n_
from app.server import db, keys
from app.server.config import Settings
from app.services.doctor import FAIL, OK, WARN, Check, worst

LOW_DISK = 5 << 30  # 5 GiB: batches, blobs and a PostgreSQL dump need room
VERY_LOW_DISK = 1 << 30
BACKLOG_WARN = timedelta(days=14)  # a proposal waiting two weeks for review is late
BACKLOG_FAIL = timedelta(days=30)
HELD_WARN = timedelta(days=1)  # a batch whose predecessor never came: the office must send again
KEY_WARN = timedelta(days=90)
KEY_FILES = (keys.ROOT_FILE, keys.SERVER_FILE, keys.X25519_FILE, keys.SERVER_CERT_FILE, keys.X25519_CERT_FILE)
WAITING = "received"  # the state of an item Dinsos has not looked at yet (app/domain/workflow.py)

__all__ = ["FAIL", "OK", "WARN", "Check", "run_checks", "worst"]


@dataclass
class _Probe:
    """What the checks share: the settings, the clock, and the engine once the database answered."""

    settings: Settings
    now: datetime
    engine: Engine | None = None
    at_head: bool = False


def _database(p: _Probe) -> Check:
    title = _("Database")
    path = db.sqlite_path(p.settings.url)
    if path is not None and not path.is_file():
        return Check("database", FAIL, title, _("The database file {path} does not exist.").format(path=path),
                     _("Check --data-dir / USULKAN_SERVER_DIR; on a new server run `usulkan-server init`."))
    engine = db.make_engine(p.settings.url) if path is not None else _pg_engine(p.settings.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001 - any failure to connect is the finding
        engine.dispose()
        return Check("database", FAIL, title, _("The database cannot be reached: {error}").format(
            error=str(getattr(err, "orig", err)).strip().splitlines()[0][:200]),
            _("Start the database server and check the address, user and password in the database URL."))
    p.engine = engine
    current, head = db.current_revision(engine), db.head_revision()
    if current != head:
        return Check("database", FAIL, title, _("The schema is at revision {current}; this version needs {head}.").format(
            current=current or "-", head=head),
            _("Make a backup of the database, then run `usulkan-server migrate`."))
    p.at_head = True
    return Check("database", OK, title, _("Reachable, schema at revision {head}.").format(head=head))


def _pg_engine(url: str) -> Engine:
    from sqlalchemy import create_engine

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, connect_args={"connect_timeout": 5})


def _loose(path: Path, allowed: int) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & ~allowed)


def _keys(p: _Probe) -> Check:
    title = _("Server keys")
    folder = p.settings.keys_dir
    if not (folder / keys.ROOT_FILE).is_file():
        return Check("keys", FAIL, title, _("There are no keys in {folder}.").format(folder=folder),
                     _("Restore the keys folder from the server's backup. Only on a brand-new server run "
                       "`usulkan-server init`: new keys cut off every office already linked."))
    missing = [name for name in KEY_FILES if not (folder / name).is_file()]
    if missing:
        return Check("keys", FAIL, title, _("Key files are missing from {folder}: {names}").format(
            folder=folder, names=", ".join(missing)), _("Restore the keys folder from the server's backup."))
    loose = [name for name in KEY_FILES if _loose(folder / name, 0o600)]
    if _loose(folder, 0o700):
        loose.insert(0, str(folder))
    if loose:
        return Check("keys", FAIL, title, _("Other users of this computer can read the keys: {names}").format(
            names=", ".join(loose)),
            _("Run `chmod 700 {folder}` and `chmod 600 {folder}/*`, and ask whether someone copied them.").format(
                folder=folder))
    try:
        loaded = keys.load_or_create(folder)
    except Exception as err:  # noqa: BLE001 - unreadable, damaged or mismatched files
        return Check("keys", FAIL, title, _("The keys cannot be read: {error}").format(error=err),
                     _("Restore the keys folder from the server's backup."))
    until = min(loaded.server_cert.valid_until, loaded.x25519_cert.valid_until)
    if until - p.now < KEY_WARN:
        return Check("keys", WARN if until > p.now else FAIL, title,
                     _("The key certificates expire on {date}.").format(date=f"{until:%Y-%m-%d}"),
                     _("Plan the key rotation with the offices before then (docs/server.md)."))
    return Check("keys", OK, title, _("Readable, 0600 in a 0700 folder, valid until {date}.").format(
        date=f"{until:%Y-%m-%d}"))


def _disk(p: _Probe) -> Check:
    title = _("Free disk space")
    places = [p.settings.data_dir]
    blob_folder = _blob_folder(p.settings)
    if blob_folder is not None:
        places.append(blob_folder)
    lows = []
    for place in places:
        while not place.exists() and place != place.parent:
            place = place.parent
        try:
            lows.append((shutil.disk_usage(place).free, place))
        except OSError:
            continue
    if not lows:
        return Check("disk", WARN, title, _("The free space could not be read."))
    free, place = min(lows, key=lambda item: item[0])
    shown = _("{mib} MiB free in {place}").format(mib=free >> 20, place=place)
    if free < VERY_LOW_DISK:
        return Check("disk", FAIL, title, shown, _("Make room now or add disk: a full disk stops batches being stored."))
    if free < LOW_DISK:
        return Check("disk", WARN, title, shown, _("Make room soon: less than 5 GiB is left."))
    return Check("disk", OK, title, shown)


def _audit(p: _Probe) -> Check:
    from app.server.audit import verify_report

    title = _("Audit log")
    if not p.at_head:
        return Check("audit", WARN, title, _("Not checked: the database is not ready."),
                     _("Fix the database first, then run the doctor again."))
    with Session(p.engine) as session:
        report = verify_report(session)
    if not report.ok:
        return Check("audit", FAIL, title, _("The audit log has {n} problem(s); entries were changed or deleted.").format(
            n=len(report.problems)),
            _("Run `usulkan-server audit verify` for the details, keep a copy of the database and tell the "
              "head of the Dinas Sosial."))
    return Check("audit", OK, title, n_("{n} entry, chain intact.", "{n} entries, chain intact.",
                                        report.entries).format(n=report.entries))


def _backlog(p: _Probe) -> Check:
    from app.server.models import HeldBatch, Item

    title = _("Backlog")
    if not p.at_head:
        return Check("backlog", WARN, title, _("Not checked: the database is not ready."),
                     _("Fix the database first, then run the doctor again."))
    with Session(p.engine) as session:
        waiting, oldest = session.execute(
            select(func.count(), func.min(Item.received_at)).where(Item.state == WAITING)).one()
        held, held_oldest = session.execute(select(func.count(), func.min(HeldBatch.received_at))).one()
    if held and p.now - _utc(held_oldest) > HELD_WARN:
        return Check("backlog", WARN, title, _("{n} batch(es) have waited since {date} for an earlier batch that "
                                               "never arrived.").format(n=held, date=f"{_utc(held_oldest):%Y-%m-%d}"),
                     _("Ask the office to send again (or bring the missing batch file by USB)."))
    if not waiting:
        return Check("backlog", OK, title, _("No proposal is waiting for review."))
    age = p.now - _utc(oldest)
    shown = _("{n} proposal(s) wait for review; the oldest since {date} ({days} days).").format(
        n=waiting, date=f"{_utc(oldest):%Y-%m-%d}", days=age.days)
    if age > BACKLOG_FAIL:
        return Check("backlog", FAIL, title, shown, _("Review the oldest first (console, Inbox) or add verifiers: "
                                                      "families are waiting for an answer."))
    if age > BACKLOG_WARN:
        return Check("backlog", WARN, title, shown, _("Review the oldest first (console, Inbox)."))
    return Check("backlog", OK, title, shown)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _blob_folder(settings: Settings) -> Path | None:
    if not settings.blob_url:
        return settings.data_dir / "blobs"
    parsed = urlparse(settings.blob_url)
    return Path(parsed.path) if parsed.scheme in ("", "file") else None


def _stored_documents(p: _Probe) -> tuple[int, str | None]:
    from app.server.models import ItemDocument

    if not p.at_head:
        return 0, None
    with Session(p.engine) as session:
        count = session.scalar(select(func.count()).where(ItemDocument.stored_at.is_not(None))) or 0
        newest = session.scalar(select(ItemDocument.sha256).where(ItemDocument.stored_at.is_not(None))
                                .order_by(ItemDocument.stored_at.desc()).limit(1))
    return count, newest


def _blobs(p: _Probe) -> Check:
    from app.server.blobs import S3BlobStore, blob_store

    title = _("Document store")
    folder = _blob_folder(p.settings)
    count, newest = _stored_documents(p)
    if folder is not None:
        if not folder.is_dir():
            if count or p.settings.blob_url:
                return Check("blobs", FAIL, title, _("The document folder {folder} is missing.").format(folder=folder),
                             _("Mount the disk that holds it or restore it from the backup; uploads and document "
                               "views fail until then."))
            return Check("blobs", OK, title, _("No document stored yet; {folder} is made at the first upload.").format(
                folder=folder))
        if _loose(folder, 0o700) or not os.access(folder, os.W_OK | os.X_OK):
            return Check("blobs", WARN, title, _("The document folder {folder} is not private (0700) or not "
                                                 "writable.").format(folder=folder),
                         _("Run `chmod 700 {folder}` as the user the server runs as.").format(folder=folder))
    try:
        store = blob_store(p.settings.data_dir, p.settings.blob_url, s3_endpoint_url=p.settings.s3_endpoint_url)
        if isinstance(store, S3BlobStore):
            store.client.head_bucket(Bucket=store.bucket)  # reachable, allowed, and the bucket is there
        if newest is not None and not store.exists(newest):
            return Check("blobs", FAIL, title, _("The newest stored document ({sha}) is not in the store.").format(
                sha=newest[:12]), _("Restore the document store from the backup."))
    except Exception as err:  # noqa: BLE001 - S3 unreachable, refused, or a bad setting
        return Check("blobs", FAIL, title, _("The document store cannot be reached: {error}").format(error=err),
                     _("Check the S3 address, bucket and credentials (USULKAN_SERVER_BLOB_URL)."))
    where = str(folder) if folder is not None else p.settings.blob_url
    return Check("blobs", OK, title, _("{n} document(s) stored in {where}.").format(n=count, where=where))


CHECKS: tuple[Callable[[_Probe], Check], ...] = (_database, _keys, _disk, _audit, _backlog, _blobs)


def run_checks(settings: Settings, *, now: datetime | None = None) -> list[Check]:
    """Every check, in order; one that crashes is reported as a problem, the others still run."""
    probe = _Probe(settings, now or datetime.now(UTC))
    results = []
    try:
        for check in CHECKS:
            try:
                results.append(check(probe))
            except Exception as exc:  # noqa: BLE001 - a check must never hide the others
                results.append(Check(check.__name__.strip("_"), FAIL, _("Check failed"), str(exc)))
    finally:
        if probe.engine is not None:
            probe.engine.dispose()
    return results
