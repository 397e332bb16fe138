"""Sync: signing keys, certificates, Dinsos keys, the outbox and received statuses.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dinsos_keys',
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('certificate', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('purpose', name=op.f('pk_dinsos_keys'))
    )
    op.create_table('outbox_batch',
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('batch_hash', sa.String(length=64), nullable=True),
    sa.Column('signed', sa.LargeBinary(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('receipt', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_outbox_batch')),
    sa.UniqueConstraint('sequence', name=op.f('uq_outbox_batch_sequence'))
    )
    op.create_index(op.f('ix_outbox_batch_state'), 'outbox_batch', ['state'], unique=False)
    op.create_table('signing_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('private_key', sa.LargeBinary(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key'))
    )
    op.create_index(op.f('ix_signing_key_owner'), 'signing_key', ['owner'], unique=False)
    op.create_table('status_record',
    sa.Column('feed_cursor', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('feed_cursor', name=op.f('pk_status_record'))
    )
    op.create_index(op.f('ix_status_record_item_id'), 'status_record', ['item_id'], unique=False)
    op.create_table('sync_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_office_id', sa.String(length=36), nullable=False),
    sa.Column('root_public_key', sa.LargeBinary(), nullable=False),
    sa.Column('enrolment_code', sa.String(length=64), nullable=True),
    sa.Column('feed_token', sa.String(length=100), nullable=True),
    sa.Column('bound_at', sa.DateTime(), nullable=True),
    sa.Column('status_cursor', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_link'))
    )
    op.create_table('certificate',
    sa.Column('cert_id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_certificate_operator_id_operator')),
    sa.PrimaryKeyConstraint('cert_id', name=op.f('pk_certificate'))
    )
    op.create_index(op.f('ix_certificate_operator_id'), 'certificate', ['operator_id'], unique=False)
    op.create_table('outbox_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.String(length=36), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('route', sa.String(length=10), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['outbox_batch.batch_id'], name=op.f('fk_outbox_item_batch_id_outbox_batch')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_outbox_item_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_item')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_outbox_item_proposal_id'))
    )
    op.create_index(op.f('ix_outbox_item_batch_id'), 'outbox_item', ['batch_id'], unique=False)
    op.create_index(op.f('ix_outbox_item_state'), 'outbox_item', ['state'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_item_state'), table_name='outbox_item')
    op.drop_index(op.f('ix_outbox_item_batch_id'), table_name='outbox_item')
    op.drop_table('outbox_item')
    op.drop_index(op.f('ix_certificate_operator_id'), table_name='certificate')
    op.drop_table('certificate')
    op.drop_table('sync_link')
    op.drop_index(op.f('ix_status_record_item_id'), table_name='status_record')
    op.drop_table('status_record')
    op.drop_index(op.f('ix_signing_key_owner'), table_name='signing_key')
    op.drop_table('signing_key')
    op.drop_index(op.f('ix_outbox_batch_state'), table_name='outbox_batch')
    op.drop_table('outbox_batch')
    op.drop_table('dinsos_keys')
