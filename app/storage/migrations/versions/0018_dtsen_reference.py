"""The DTSEN reference in the office: current families and members, what the last version changed, the state.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dtsen_family',
    sa.Column('no_kk', sa.String(length=16), nullable=False),
    sa.Column('dtsen_id', sa.String(length=40), nullable=False),
    sa.Column('desil', sa.Integer(), nullable=False),
    sa.Column('programmes', sa.String(length=40), nullable=False),
    sa.Column('members', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('no_kk', name=op.f('pk_dtsen_family'))
    )
    op.create_table('dtsen_family_previous',
    sa.Column('no_kk', sa.String(length=16), nullable=False),
    sa.Column('change', sa.String(length=8), nullable=False),
    sa.Column('dtsen_id', sa.String(length=40), nullable=True),
    sa.Column('desil', sa.Integer(), nullable=True),
    sa.Column('programmes', sa.String(length=40), nullable=True),
    sa.Column('members', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('no_kk', name=op.f('pk_dtsen_family_previous'))
    )
    op.create_table('dtsen_member',
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('no_kk', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('nik', name=op.f('pk_dtsen_member'))
    )
    op.create_index(op.f('ix_dtsen_member_no_kk'), 'dtsen_member', ['no_kk'], unique=False)
    op.create_table('dtsen_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('previous_version', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=True),
    sa.Column('manifest_hash', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=True),
    sa.Column('max_desil', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dtsen_state'))
    )


def downgrade() -> None:
    op.drop_table('dtsen_state')
    op.drop_index(op.f('ix_dtsen_member_no_kk'), table_name='dtsen_member')
    op.drop_table('dtsen_member')
    op.drop_table('dtsen_family_previous')
    op.drop_table('dtsen_family')
