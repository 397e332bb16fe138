"""Server test fixtures: every storage test runs on SQLite and on a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.server_world import NOW  # noqa: E402

PG_ADMIN = os.environ.get("USULKAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def _pg_reachable() -> str | None:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN.replace("+psycopg", ""), connect_timeout=3).close()
        return None
    except Exception as err:  # any failure means: no server to test against
        return f"PostgreSQL at 127.0.0.1:5432 unreachable ({type(err).__name__})"


@pytest.fixture(scope="session")
def pg_database():
    """A database created for this run (usulkan_test_<random>), migrated once, dropped at the end."""
    why = _pg_reachable()
    if why:
        pytest.skip(why)
    import psycopg

    from app.server import db

    name = f"usulkan_test_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dinsos.db'}"
    url = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    from app.server import db
    from app.server.models import Base

    engine = db.make_engine(url)
    with engine.begin() as conn:
        # reason_codes is seed data of migration 0003 (the catalogue Dinsos starts with): kept.
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "reason_codes")
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(tmp_path, database_url):
    from app.server.config import Settings

    return Settings(data_dir=tmp_path / "server", database_url=database_url)


@pytest.fixture
def ctx(settings):
    from app.server.context import open_server

    context = open_server(settings, clock=lambda: NOW)
    yield context
    context.close()


@pytest.fixture
def kelurahan(ctx):
    from bench.server_world import enrol

    return enrol(ctx, "a")
