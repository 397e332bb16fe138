"""The migrated server schema equals the models, on SQLite and PostgreSQL; keys are private files."""

from __future__ import annotations

import stat

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.server import db
from app.server.models import Base


def test_migrations_match_the_models(ctx):
    with ctx.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert db.current_revision(ctx.engine) == db.head_revision()


def test_downgrade_and_upgrade_again(ctx):
    db.downgrade(ctx.engine, "base")
    db.upgrade(ctx.engine)
    assert db.current_revision(ctx.engine) == db.head_revision()


def test_key_files_are_0600_and_reload_the_same(ctx, settings):
    from app.server.keys import load_or_create

    for path in settings.keys_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    again = load_or_create(settings.keys_dir)
    assert again.server_public == ctx.keys.server_public
    assert "root_public_key" in ctx.keys.public_document()
    assert "PRIVATE" not in repr(ctx.keys)
