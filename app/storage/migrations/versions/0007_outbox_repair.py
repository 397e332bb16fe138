"""Queued proposals without their outbox item (the editor's old QUEUE) are repaired at the next unlock.

The migration files the request in ``data_repair``; ``outbox.run_pending_repairs`` makes the
missing items at the next unlock, in one transaction with an audit entry that says how many.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_repair",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_repair")),
    )
    op.bulk_insert(table, [{"name": "outbox_items", "requested_at": datetime.now(UTC).replace(tzinfo=None),
                            "done_at": None, "result": None}])


def downgrade() -> None:
    op.drop_table("data_repair")
