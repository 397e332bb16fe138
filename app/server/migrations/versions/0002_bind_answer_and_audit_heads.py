"""Signed bind answers (kept for a resent request) and the office audit heads each batch carries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('bind_request_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('bind_answer', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('bind_answer')
        batch.drop_column('bind_request_hash')
