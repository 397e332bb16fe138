"""Alembic environment of the office database: migrations always run on a connection the application hands over."""

from __future__ import annotations

from app.alembic_support import run_migrations
from app.storage.migrate import include_object
from app.storage.models import Base

run_migrations(Base.metadata, owner="app.storage", include_object=include_object)
