"""The sealed bind request waiting for its signed answer.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bind_request', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bind_feed_token', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.drop_column('bind_feed_token')
        batch_op.drop_column('bind_request')
