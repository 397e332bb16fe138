"""Documents named by received items (hash, kind, type, size) and when their bytes were stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('stored_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_item_documents_item_id_items')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_item_documents_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_documents'))
    )
    op.create_index(op.f('ix_item_documents_item_id'), 'item_documents', ['item_id'], unique=False)
    op.create_index('ix_item_documents_office_sha256', 'item_documents', ['office_id', 'sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_documents_office_sha256', table_name='item_documents')
    op.drop_index(op.f('ix_item_documents_item_id'), table_name='item_documents')
    op.drop_table('item_documents')
