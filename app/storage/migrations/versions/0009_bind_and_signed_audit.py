"""The sealed bind request waiting for its signed answer; audit entries signed by the acting person.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bind_request', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bind_feed_token', sa.String(length=100), nullable=True))
    # Existing entries keep their hash (scheme 1, unsigned); new ones are signed chain links.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('signature', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('signature')
        batch_op.drop_column('key_id')
        batch_op.drop_column('scheme')
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.drop_column('bind_feed_token')
        batch_op.drop_column('bind_request')
