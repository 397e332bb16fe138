"""The restore's reconciliation, measured: an office restored from a backup older than everything it sent asks a
real server (over loopback HTTP) holding N of its items what it holds, and marks them delivered.

The office and server are bench.sync's (bulk-loaded queued proposals, sealed into the application's
own batches); the backup is taken before any batch goes, then every batch is delivered, then the
backup is restored and ``restore_sync.reconcile`` timed: fetching and verifying every receipt,
confirming each batch and stepping each item to "received" with its audit entry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.clock import utcnow
from app.server.config import Settings
from app.server.context import open_server
from app.server.models import Item
from app.services import backup, outbox, restore, restore_sync, sync
from app.services.office import open_office
from app.sync.transport_http import HttpTransport
from bench.fault_proxy import serve
from bench.sync import OPERATOR_PASS, prepare


@dataclass(frozen=True)
class Reconciled:
    items: int
    batches: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds


def measure_reconcile(folder: Path, items: int, batch_items: int = 50) -> Reconciled:
    prepared = prepare(folder / "base", items, batch_items)
    office_dir, server_dir = folder / "base" / "office", folder / "base" / "server"
    office = open_office(office_dir, prepared.operator_id, OPERATOR_PASS)
    try:
        info = backup.create_backup(office, reason="manual", dest=folder / "stick")  # before anything was sent
    finally:
        office.close()
    server = open_server(Settings(data_dir=server_dir))
    try:
        with serve(server, log_level="critical") as port:
            transport = HttpTransport(f"http://127.0.0.1:{port}", timeout=(2, 30))
            office = open_office(office_dir, prepared.operator_id, OPERATOR_PASS)
            try:
                now = utcnow()
                while sync.outbox_summary(office) != {outbox.BATCH_DELIVERED: prepared.batches}:
                    sync.send_pending(office, transport, now=now)
                    now += timedelta(hours=2)
            finally:
                office.close()
            with server.reading() as session:
                held = session.scalar(select(func.count()).select_from(Item))
            if held != items:
                raise RuntimeError(f"the server holds {held} items, expected {items}")
            restored = restore.restore_backup(info.path, folder / "new-pc", operator="Operator",
                                              passphrase=OPERATOR_PASS)
            try:
                started = time.perf_counter()
                report = restore_sync.reconcile(restored, transport, now=utcnow())
                seconds = time.perf_counter() - started
            finally:
                restored.close()
    finally:
        server.close()
    if report.delivered_items != items or len(report.confirmed_batches) != prepared.batches or report.requeued_items:
        raise RuntimeError(f"reconcile did not account for every item: {report}")
    return Reconciled(items, prepared.batches, seconds)
