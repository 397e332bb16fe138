"""Revocations ride in batches, the sender's last contact, the Lurah's TOTP, signed handover reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pending_revocation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_pending_revocation_batch_id'), ['batch_id'], unique=False)
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_contact_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=64), nullable=True))
    op.create_table('lurah_totp',
    sa.Column('operator_id', sa.String(length=36), nullable=False),
    sa.Column('secret', sa.LargeBinary(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_lurah_totp_operator_id_operator')),
    sa.PrimaryKeyConstraint('operator_id', name=op.f('pk_lurah_totp'))
    )
    op.create_table('handover_record',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('from_operator', sa.String(length=36), nullable=False),
    sa.Column('successor', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('report_hash', sa.String(length=64), nullable=False),
    sa.Column('operator_public_key', sa.LargeBinary(), nullable=True),
    sa.Column('operator_signature', sa.LargeBinary(), nullable=True),
    sa.Column('lurah_signature', sa.LargeBinary(), nullable=True),
    sa.Column('lurah_signed_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=36), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['operator.id'], name=op.f('fk_handover_record_acknowledged_by_operator')),
    sa.ForeignKeyConstraint(['from_operator'], ['operator.id'], name=op.f('fk_handover_record_from_operator_operator')),
    sa.ForeignKeyConstraint(['successor'], ['operator.id'], name=op.f('fk_handover_record_successor_operator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_record'))
    )
    op.create_index(op.f('ix_handover_record_from_operator'), 'handover_record', ['from_operator'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handover_record_from_operator'), table_name='handover_record')
    op.drop_table('handover_record')
    op.drop_table('lurah_totp')
    with op.batch_alter_table('sync_link', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('last_contact_at')
        batch_op.drop_column('last_attempt_at')
    with op.batch_alter_table('pending_revocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_revocation_batch_id'))
        batch_op.drop_column('batch_id')
