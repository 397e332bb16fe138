"""What every server use case needs: settings, database, keys and a clock (one object, built once)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


from app.server import db
from app import fsutil
from app.server.config import Settings
from app.server.keys import ServerKeys, load_or_create
from app.sync.canonical import utc_second


@dataclass
class ServerContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    writers: sessionmaker
    keys: ServerKeys
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @cached_property
    def blobs(self):
        """The document blob store the settings name (app/server/blobs.py)."""
        from app.server.blobs import blob_store

        return blob_store(self.settings.data_dir, self.settings.blob_url, s3_endpoint_url=self.settings.s3_endpoint_url)

    def now(self) -> datetime:
        return utc_second(self.clock())

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One use case, one transaction: commit on success, roll back on any error."""
        factory = self.writers if write else self.sessions
        with factory() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.transaction(write=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def private_files(settings: Settings) -> None:
    """The data and key folders 0700, the SQLite file 0600 (its -wal and -shm follow it), whatever the umask.

    An older installation's 0755 folder and 0644 database are tightened on the next start.
    """
    fsutil.secure_mkdir(settings.data_dir)
    fsutil.secure_mkdir(settings.keys_dir)
    for key_file in settings.keys_dir.iterdir():
        if key_file.is_file():
            os.chmod(key_file, 0o600)
    path = db.sqlite_path(settings.url)
    if path is None:
        return
    if not path.parent.exists():
        fsutil.secure_mkdir(path.parent)
    fsutil.create_private(path)
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        if (path.parent / name).exists():
            os.chmod(path.parent / name, 0o600)


def open_server(settings: Settings, *, clock: Callable[[], datetime] | None = None, migrate: bool = True) -> ServerContext:
    """Keys (made on first start), engine, and the schema brought to the current revision."""
    private_files(settings)
    keys = load_or_create(settings.keys_dir)
    engine = db.make_engine(settings.url)
    if migrate:
        db.upgrade(engine)
    ctx = ServerContext(settings, engine, db.session_factory(engine), db.session_factory(engine, write=True), keys)
    if clock is not None:
        ctx.clock = clock
    return ctx
