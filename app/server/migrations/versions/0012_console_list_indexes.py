"""Indexes for the console's lists at city scale (bench/console.py, 100,000 items).

The queue of one category is read oldest first (state, then received_at or updated_at): without an
index on both, every page sorted all the items in the state (one kelurahan's queue: office, state, then time). The inbox counts per kelurahan from a
covering index instead of the whole table. Search by tracking code and by No. KK was a full scan of
every payload (LIKE); the KK number inside the payload gets an expression index the search uses.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

# The very expression app/server/console/queries.py searches by (the planner matches it textually).
KK_SQLITE = "json_extract(payload, '$.household.kk_number')"
KK_POSTGRESQL = "((payload::json -> 'household') ->> 'kk_number')"


def upgrade() -> None:
    op.create_index('ix_items_state_received', 'items', ['state', 'received_at', 'item_id'], unique=False)
    op.create_index('ix_items_state_updated', 'items', ['state', 'updated_at', 'item_id'], unique=False)
    op.create_index('ix_items_state_office_base', 'items', ['state', 'office_id', 'base_id', 'received_at'],
                    unique=False)
    op.create_index('ix_items_office_state_received', 'items', ['office_id', 'state', 'received_at', 'item_id'],
                    unique=False)
    op.create_index('ix_items_office_state_updated', 'items', ['office_id', 'state', 'updated_at', 'item_id'],
                    unique=False)
    op.create_index('ix_items_tracking_code', 'items', ['tracking_code'], unique=False)
    kk = KK_SQLITE if op.get_bind().dialect.name == "sqlite" else KK_POSTGRESQL
    op.execute(f"CREATE INDEX ix_items_kk_number ON items ({kk})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_items_kk_number")
    op.drop_index('ix_items_tracking_code', table_name='items')
    op.drop_index('ix_items_office_state_updated', table_name='items')
    op.drop_index('ix_items_office_state_received', table_name='items')
    op.drop_index('ix_items_state_office_base', table_name='items')
    op.drop_index('ix_items_state_updated', table_name='items')
    op.drop_index('ix_items_state_received', table_name='items')
