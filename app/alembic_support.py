"""One Alembic helper for both databases (the office's and the server's): config, revisions, upgrade, env run.

Alembic is imported only when a database must change or when asked about branches: importing it
(about 0.17 s) was a fifth of the time from starting the application to its main window, on every
start of an up-to-date office.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


class Migrations:
    """The Alembic revisions in ``directory`` (its ``env.py`` and ``versions/``), applied on a connection we hand over."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def config(self, connection=None, **attributes: Any) -> Config:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.directory))
        if connection is not None:
            config.attributes["connection"] = connection
        config.attributes.update(attributes)
        return config

    def head_from_files(self) -> str | None:
        """The one revision no other names as its base, read from the version files; None if unsure."""
        revisions, bases = set(), set()
        for path in (self.directory / "versions").glob("*.py"):
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

    def head(self) -> str:
        head = self.head_from_files()
        if head is None:  # branches, or a file written differently: ask Alembic itself
            from alembic.script import ScriptDirectory

            head = ScriptDirectory.from_config(self.config()).get_current_head()
        assert head is not None
        return head

    def current(self, engine: Engine) -> str | None:
        with engine.connect() as connection:
            try:
                rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            except DBAPIError:  # no table yet: a database Alembic never touched
                return None
        if len(rows) > 1:  # several heads stamped: let Alembic say what it means
            from alembic.runtime.migration import MigrationContext

            with engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        return rows[0] if rows else None

    def needs_upgrade(self, engine: Engine) -> bool:
        return self.current(engine) != self.head()

    def upgrade(self, engine: Engine, revision: str = "head", **attributes: Any) -> None:
        from alembic import command

        with engine.begin() as connection:
            command.upgrade(self.config(connection, **attributes), revision)

    def downgrade(self, engine: Engine, revision: str, **attributes: Any) -> None:
        from alembic import command

        with engine.begin() as connection:
            command.downgrade(self.config(connection, **attributes), revision)


def run_migrations(metadata, *, owner: str, include_object=None) -> None:
    """The body of both ``env.py`` files: online only, on the connection ``owner`` handed over."""
    from alembic import context

    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(f"migrations run only on a connection opened by {owner}")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
