"""The server database: SQLite (WAL, foreign keys) by default, PostgreSQL by URL; migrations on open."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

from app.alembic_support import Migrations

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread off: FastAPI runs sync handlers in a thread pool; one session per request.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own implicit BEGIN is off so ``_sqlite_begin`` decides how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets staff read while a batch is written; FULL so a receipt is never sent for a lost commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writer takes the write lock up front: a deferred transaction that later upgrades from
    # read to write fails at once (SQLITE_BUSY) when another process, the CLI import, wrote first.
    mode = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


WRITE_OPTION = "usulkan_write"


def session_factory(engine: Engine, *, write: bool = False) -> sessionmaker:
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return sessionmaker(bind, expire_on_commit=False)


# The server's revisions, through the one helper both databases use.
SERVER = Migrations(MIGRATIONS_DIR)


def alembic_config(connection=None) -> Config:
    return SERVER.config(connection)


def head_revision() -> str:
    return SERVER.head()


def current_revision(engine: Engine) -> str | None:
    return SERVER.current(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    SERVER.upgrade(engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    SERVER.downgrade(engine, revision)
