"""Re-bind codes (a new Lurah without the old one) and the office's former authority keys.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('rebind_code_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('rebind_expires_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('rebind_request_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('rebind_answer', sa.Text(), nullable=True))
    op.create_table('office_former_authorities',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('until_sequence', sa.Integer(), nullable=False),
    sa.Column('replaced_by', sa.LargeBinary(length=32), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_former_authorities_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_former_authorities'))
    )
    op.create_index(op.f('ix_office_former_authorities_office_id'), 'office_former_authorities', ['office_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_office_former_authorities_office_id'), table_name='office_former_authorities')
    op.drop_table('office_former_authorities')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('rebind_answer')
        batch.drop_column('rebind_request_hash')
        batch.drop_column('rebind_expires_at')
        batch.drop_column('rebind_code_hash')
