"""Apply the Alembic migrations of the office database on an open connection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from app.alembic_support import Migrations

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Tables Alembic must not compare with the models: the FTS5 index and its shadow tables.
FTS_PREFIX = "member_name_fts"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and name.startswith(FTS_PREFIX))


# The office's revisions. Revision 0008 seals private keys to the keyslots' public keys in vault.json,
# so upgrades carry the vault as a config attribute.
OFFICE = Migrations(MIGRATIONS_DIR)


def alembic_config(connection: Connection | None = None, vault=None) -> Config:
    return OFFICE.config(connection, vault=vault)


def head_revision() -> str:
    return OFFICE.head()


def current_revision(engine: Engine) -> str | None:
    return OFFICE.current(engine)


def needs_upgrade(engine: Engine) -> bool:
    return OFFICE.needs_upgrade(engine)


def upgrade(engine: Engine, revision: str = "head", *, vault=None) -> None:
    OFFICE.upgrade(engine, revision, vault=vault)


def vacuum(engine: Engine) -> None:
    """Rebuild the file so freed pages (e.g. dropped clear keys) are gone, not just unlinked."""
    raw = engine.raw_connection()  # below SQLAlchemy: its BEGIN would make VACUUM fail
    try:
        raw.driver_connection.execute("PRAGMA secure_delete = ON")
        raw.driver_connection.execute("VACUUM")
    finally:
        raw.close()


def downgrade(engine: Engine, revision: str) -> None:
    OFFICE.downgrade(engine, revision, vault=None)
