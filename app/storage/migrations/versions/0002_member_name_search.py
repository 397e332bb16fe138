"""Name search: an upper-cased name key for prefix search and an FTS5 trigram index for parts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The trigram tokenizer finds any part of a name of three letters or more; the external
# content table keeps one copy of each name (in member), and the triggers keep it in step.
FTS_STATEMENTS = (
    "CREATE VIRTUAL TABLE member_name_fts USING fts5("
    "name, content='member', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER member_name_fts_ai AFTER INSERT ON member BEGIN "
    "INSERT INTO member_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER member_name_fts_ad AFTER DELETE ON member BEGIN "
    "INSERT INTO member_name_fts(member_name_fts, rowid, name) VALUES('delete', old.id, old.name); END",
    "CREATE TRIGGER member_name_fts_au AFTER UPDATE OF name ON member BEGIN "
    "INSERT INTO member_name_fts(member_name_fts, rowid, name) VALUES('delete', old.id, old.name); "
    "INSERT INTO member_name_fts(rowid, name) VALUES (new.id, new.name); END",
)


def name_key(name: str) -> str:
    """Frozen copy of app.storage.search.name_key as it was for this revision."""
    return " ".join(name.split()).upper()


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
    # Backfill in Python with the application's own folding, so old and new rows agree
    # (SQLite's upper() knows only ASCII).
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM member")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE member SET name_key = :key WHERE id = :id"),
            [{"id": row.id, "key": name_key(row.name)} for row in rows],
        )
    with op.batch_alter_table("member") as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index("ix_member_name_key", ["name_key"], unique=False)
    for statement in FTS_STATEMENTS:
        op.execute(statement)
    op.execute("INSERT INTO member_name_fts(member_name_fts) VALUES('rebuild')")


def downgrade() -> None:
    for name in ("member_name_fts_au", "member_name_fts_ad", "member_name_fts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS member_name_fts")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_index("ix_member_name_key")
        batch_op.drop_column("name_key")
