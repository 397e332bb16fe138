"""Alembic environment of the server database: migrations run on a connection the server hands over."""

from __future__ import annotations

from app.alembic_support import run_migrations
from app.server.models import Base

run_migrations(Base.metadata, owner="app.server.db")
