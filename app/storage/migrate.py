"""Apply the Alembic migrations of the office database on an open connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Tables Alembic must not compare with the models: the FTS5 index and its shadow tables.
FTS_PREFIX = "member_name_fts"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and name.startswith(FTS_PREFIX))


def alembic_config(connection: Connection | None = None, vault=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    # Revision 0008 seals private keys to the keyslots' public keys in vault.json.
    config.attributes["vault"] = vault
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, revision: str = "head", *, vault=None) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection, vault), revision)


def vacuum(engine: Engine) -> None:
    """Rebuild the file so freed pages (e.g. dropped clear keys) are gone, not just unlinked."""
    raw = engine.raw_connection()  # below SQLAlchemy: its BEGIN would make VACUUM fail
    try:
        raw.driver_connection.execute("PRAGMA secure_delete = ON")
        raw.driver_connection.execute("VACUUM")
    finally:
        raw.close()


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
