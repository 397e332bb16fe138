"""Duplicate flags resolved with who, how and why; the decree number and date of a walikota approval
or a forwarding to the ministry.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duplicate_flags') as batch:
        batch.add_column(sa.Column('resolution', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('resolved_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('resolution_note', sa.Text(), nullable=True))
        batch.add_column(sa.Column('kept_item_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key(batch.f('fk_duplicate_flags_resolved_by_staff_users'), 'staff_users',
                                 ['resolved_by'], ['id'])
    with op.batch_alter_table('decisions') as batch:
        batch.add_column(sa.Column('decree_number', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('decree_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decisions') as batch:
        batch.drop_column('decree_date')
        batch.drop_column('decree_number')
    with op.batch_alter_table('duplicate_flags') as batch:
        batch.drop_constraint(batch.f('fk_duplicate_flags_resolved_by_staff_users'), type_='foreignkey')
        batch.drop_column('kept_item_id')
        batch.drop_column('resolution_note')
        batch.drop_column('resolved_by')
        batch.drop_column('resolution')
