"""Alembic environment: migrations always run on a connection the application hands over."""

from __future__ import annotations

from alembic import context

from app.storage.migrate import include_object
from app.storage.models import Base

config = context.config
target_metadata = Base.metadata

def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run only on a connection opened by app.storage")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
