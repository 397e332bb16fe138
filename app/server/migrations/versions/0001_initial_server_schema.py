"""Initial server schema: offices, batches (held too), items, duplicates, staff, decisions, feed, audit.

Revision ID: 0001
Revises:
Create Date: 2026-03-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    op.create_table('offices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('authority_public_key', sa.LargeBinary(length=32), nullable=True),
    sa.Column('enrolment_code_hash', sa.String(length=64), nullable=True),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('bound_at', sa.DateTime(), nullable=True),
    sa.Column('last_sequence', sa.Integer(), nullable=False),
    sa.Column('last_batch_hash', sa.String(length=64), nullable=False),
    sa.Column('feed_cursor', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_offices_feed_token_hash'))
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_village_code'), ['village_code'], unique=False)

    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_users_username'))
    )
    op.create_table('batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('batch_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('receipt', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_batches_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('batch_id', name=op.f('uq_batches_batch_id')),
    sa.UniqueConstraint('office_id', 'sequence', name='uq_batches_office_sequence')
    )
    op.create_table('held_batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('batch_hash', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_held_batches_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_batches')),
    sa.UniqueConstraint('batch_id', name=op.f('uq_held_batches_batch_id')),
    sa.UniqueConstraint('office_id', 'sequence', name='uq_held_batches_office_sequence')
    )
    op.create_table('revocations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('cert_id', sa.String(length=36), nullable=False),
    sa.Column('effective_after_sequence', sa.Integer(), nullable=False),
    sa.Column('record', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_revocations_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revocations'))
    )
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocations_office_id'), ['office_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('items',
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('item_type', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('base_id', sa.String(length=36), nullable=True),
    sa.Column('route', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('tracking_code', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.batch_id'], name=op.f('fk_items_batch_id_batches')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_items_office_id_offices')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_base_id'), ['base_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_items_office_state', ['office_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_state'), ['state'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('feed_cursor', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_decisions_item_id_items')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_decisions_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_item_id'), ['item_id'], unique=False)

    op.create_table('duplicate_flags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('other_item_id', sa.String(length=36), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_duplicate_flags_item_id_items')),
    sa.ForeignKeyConstraint(['other_item_id'], ['items.item_id'], name=op.f('fk_duplicate_flags_other_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_flags')),
    sa.UniqueConstraint('item_id', 'other_item_id', 'nik', name='uq_duplicate_flags_pair')
    )
    with op.batch_alter_table('duplicate_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_flags_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_flags_other_item_id'), ['other_item_id'], unique=False)

    op.create_table('item_niks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_item_niks_item_id_items')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_item_niks_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_niks'))
    )
    with op.batch_alter_table('item_niks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_niks_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_niks_nik'), ['nik'], unique=False)

    op.create_table('status_feed',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('office_id', sa.String(length=36), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('record', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_status_feed_item_id_items')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_status_feed_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_feed')),
    sa.UniqueConstraint('office_id', 'cursor', name='uq_status_feed_office_cursor')
    )
    with op.batch_alter_table('status_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_feed_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_feed_item_id'))

    op.drop_table('status_feed')
    with op.batch_alter_table('item_niks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_niks_nik'))
        batch_op.drop_index(batch_op.f('ix_item_niks_item_id'))

    op.drop_table('item_niks')
    with op.batch_alter_table('duplicate_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_flags_other_item_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_flags_item_id'))

    op.drop_table('duplicate_flags')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_item_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_state'))
        batch_op.drop_index('ix_items_office_state')
        batch_op.drop_index(batch_op.f('ix_items_batch_id'))
        batch_op.drop_index(batch_op.f('ix_items_base_id'))

    op.drop_table('items')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocations_office_id'))

    op.drop_table('revocations')
    op.drop_table('held_batches')
    op.drop_table('batches')
    op.drop_table('staff_users')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_village_code'))

    op.drop_table('offices')
    op.drop_table('audit_log')
    op.drop_table('audit_head')
