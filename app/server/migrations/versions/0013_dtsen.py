"""The DTSEN extract Dinsos imports per office, the state last published to it, and the published versions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dtsen_families',
        sa.Column('office_id', sa.String(length=36), nullable=False),
        sa.Column('no_kk', sa.String(length=16), nullable=False),
        sa.Column('record', sa.Text(), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_dtsen_families_office_id_offices')),
        sa.PrimaryKeyConstraint('office_id', 'no_kk', name=op.f('pk_dtsen_families')),
    )
    op.create_table(
        'dtsen_published',
        sa.Column('office_id', sa.String(length=36), nullable=False),
        sa.Column('no_kk', sa.String(length=16), nullable=False),
        sa.Column('record', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_dtsen_published_office_id_offices')),
        sa.PrimaryKeyConstraint('office_id', 'no_kk', name=op.f('pk_dtsen_published')),
    )
    op.create_table(
        'dtsen_releases',
        sa.Column('office_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('manifest', sa.LargeBinary(), nullable=False),
        sa.Column('manifest_hash', sa.String(length=64), nullable=False),
        sa.Column('families_file', sa.LargeBinary(), nullable=False),
        sa.Column('removed_file', sa.LargeBinary(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_dtsen_releases_office_id_offices')),
        sa.PrimaryKeyConstraint('office_id', 'version', name=op.f('pk_dtsen_releases')),
    )


def downgrade() -> None:
    op.drop_table('dtsen_releases')
    op.drop_table('dtsen_published')
    op.drop_table('dtsen_families')
