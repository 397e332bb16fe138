"""The walikota's decree (SK) document beside its number and date: the blob's SHA-256, type and size.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decisions') as batch:
        batch.add_column(sa.Column('decree_document_sha256', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('decree_document_type', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('decree_document_size', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decisions') as batch:
        batch.drop_column('decree_document_size')
        batch.drop_column('decree_document_type')
        batch.drop_column('decree_document_sha256')
