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
    op.create_table('office_audit_heads',
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('batch_sequence', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_audit_heads_office_id_offices')),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_office_audit_heads'))
    )
    op.create_index(op.f('ix_office_audit_heads_office_id'), 'office_audit_heads', ['office_id'], unique=False)
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('scheme', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('scheme')
    op.drop_index(op.f('ix_office_audit_heads_office_id'), table_name='office_audit_heads')
    op.drop_table('office_audit_heads')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('bind_answer')
        batch.drop_column('bind_request_hash')
