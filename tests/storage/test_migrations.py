"""The migrated schema equals the models, and every revision upgrades with data in it."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.storage import migrate
from app.storage.engine import make_engine
from app.storage.migrate import include_object
from app.storage.models import Base
from app.storage.search import member_ids_matching


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(tmp_path / "office.db", secrets.token_bytes(32))
    yield engine
    engine.dispose()


def schema_diff(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, Base.metadata)


def test_head_schema_matches_the_models(engine):
    migrate.upgrade(engine)
    assert schema_diff(engine) == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def _seed_at_first_revision(engine):
    now = datetime(2026, 1, 2, 3, 4, 5)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO operator (id, name, role, active, created_at) VALUES ('op', 'Ani', 'operator', 1, :now)"),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO proposal (id, tracking_code, kind, state, version, programmes, changes,"
                " confirmed_warnings, created_by, created_at, updated_at)"
                " VALUES ('p1', 'USK-AAAA-BBBB', 'baru', 'draft', 1, '[\"pkh\"]', '[]', '[]', 'op', :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO household (id, proposal_id, kk_number, address, rt, rw, village_code)"
                " VALUES (1, 'p1', '3575031203150004', 'JL. PAHLAWAN', '003', '002', '35.75.03.1009')"
            )
        )
        for member_id, name in ((1, "Siti  Aminah"), (2, "BUDI SANTOSO")):
            conn.execute(
                text(
                    "INSERT INTO member (id, household_id, position, nik, name, sex, birth_place, birth_date,"
                    " relation, mother_name) VALUES (:id, 1, :id, :nik, :name, 'P', 'PASURUAN', :born, 'anak', 'IBU')"
                ),
                {"id": member_id, "nik": f"357503470885000{member_id}", "name": name, "born": date(1985, 8, 7)},
            )


def test_first_revision_with_data_upgrades_to_head_intact(engine):
    migrate.upgrade(engine, "0001")
    _seed_at_first_revision(engine)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, name_key FROM member ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "Siti  Aminah", "SITI AMINAH"), (2, "BUDI SANTOSO", "BUDI SANTOSO")]
        assert conn.execute(text("SELECT tracking_code FROM proposal")).scalar_one() == "USK-AAAA-BBBB"
        # The backfilled trigram index finds old rows by any part of the name.
        assert conn.execute(member_ids_matching("aminah")).scalars().all() == [1]
        assert conn.execute(member_ids_matching("siti am")).scalars().all() == [1]
    assert schema_diff(engine) == []


def test_head_downgrades_to_the_first_revision_and_back_with_data(engine):
    migrate.upgrade(engine, "0001")
    _seed_at_first_revision(engine)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0001")
    with engine.connect() as conn:
        columns = [row[1] for row in conn.execute(text("PRAGMA table_info(member)"))]
        assert "name_key" not in columns
        assert conn.execute(text("SELECT count(*) FROM member")).scalar_one() == 2
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(member_ids_matching("santoso")).scalars().all() == [2]
