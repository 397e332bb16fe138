"""Documents prepared for Dinsos (downscaled, sealed, upload progress) and the photo settings.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outgoing_document',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('attachment_id', sa.String(length=36), nullable=False),
    sa.Column('outbox_item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mime', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('sent_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_outgoing_document_attachment_id_attachment')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_outgoing_document'))
    )
    op.create_index(op.f('ix_outgoing_document_attachment_id'), 'outgoing_document', ['attachment_id'], unique=False)
    op.create_index(op.f('ix_outgoing_document_outbox_item_id'), 'outgoing_document', ['outbox_item_id'], unique=False)
    op.create_table('attachment_document',
    sa.Column('attachment_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_attachment_document_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['sha256'], ['outgoing_document.sha256'], name=op.f('fk_attachment_document_sha256_outgoing_document')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_attachment_document'))
    )
    op.create_index(op.f('ix_attachment_document_sha256'), 'attachment_document', ['sha256'], unique=False)
    op.create_table('document_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('photo_long_side', sa.Integer(), nullable=False),
    sa.Column('photo_quality', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_settings'))
    )


def downgrade() -> None:
    op.drop_table('document_settings')
    op.drop_index(op.f('ix_attachment_document_sha256'), table_name='attachment_document')
    op.drop_table('attachment_document')
    op.drop_index(op.f('ix_outgoing_document_outbox_item_id'), table_name='outgoing_document')
    op.drop_index(op.f('ix_outgoing_document_attachment_id'), table_name='outgoing_document')
    op.drop_table('outgoing_document')
