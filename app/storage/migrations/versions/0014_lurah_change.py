"""A change of the Lurah's authority key (rotation, a new Lurah, a re-bind by Dinsos), finished after a crash.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lurah_change',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('old_lurah_id', sa.String(length=36), nullable=True),
    sa.Column('new_lurah_id', sa.String(length=36), nullable=True),
    sa.Column('new_lurah_name', sa.String(length=200), nullable=True),
    sa.Column('old_authority_public', sa.LargeBinary(), nullable=True),
    sa.Column('new_authority_public', sa.LargeBinary(), nullable=False),
    sa.Column('boundary', sa.Integer(), nullable=True),
    sa.Column('sealed_request', sa.Text(), nullable=True),
    sa.Column('feed_token', sa.String(length=100), nullable=True),
    sa.Column('key_blob', sa.LargeBinary(), nullable=True),
    sa.Column('key_salt', sa.LargeBinary(), nullable=True),
    sa.Column('recovery_due', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lurah_change'))
    )


def downgrade() -> None:
    op.drop_table('lurah_change')
