"""Apply the Alembic migrations of the office database on an open connection."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when the database must change: importing it (about 0.17 s) was a fifth of
# the time from starting the application to its main window, on every start of an up-to-date office.

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Tables Alembic must not compare with the models: the FTS5 index and its shadow tables.
FTS_PREFIX = "member_name_fts"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and name.startswith(FTS_PREFIX))


def alembic_config(connection: Connection | None = None, vault=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    # Revision 0008 seals private keys to the keyslots' public keys in vault.json.
    config.attributes["vault"] = vault
    return config


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def _head_from_files() -> str | None:
    """The one revision no other names as its base, read from the version files; None if unsure."""
    revisions, bases = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None:
            continue
        if down is None:
            return None
        revisions.add(found.group(1))
        bases.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - bases
    return next(iter(heads)) if len(heads) == 1 else None


def head_revision() -> str:
    head = _head_from_files()
    if head is None:  # branches, or a file written differently: ask Alembic itself
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except OperationalError:  # no table yet: a database Alembic never touched
            return None
    if len(rows) > 1:  # several heads stamped: let Alembic say what it means
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return rows[0] if rows else None


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def upgrade(engine: Engine, revision: str = "head", *, vault=None) -> None:
    from alembic import command

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
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
