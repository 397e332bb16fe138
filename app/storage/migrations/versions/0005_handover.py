"""Handover: journal entries, the playbook and its revisions, revocations waiting for Dinsos.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('addressed_to', sa.String(length=36), nullable=True),
    sa.Column('operator_id', sa.String(length=36), nullable=True),
    sa.Column('item_key', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['addressed_to'], ['operator.id'], name=op.f('fk_journal_entry_addressed_to_operator')),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_journal_entry_operator_id_operator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry'))
    )
    op.create_index(op.f('ix_journal_entry_addressed_to'), 'journal_entry', ['addressed_to'], unique=False)
    op.create_index(op.f('ix_journal_entry_item_key'), 'journal_entry', ['item_key'], unique=False)
    op.create_index(op.f('ix_journal_entry_operator_id'), 'journal_entry', ['operator_id'], unique=False)
    op.create_index('ix_journal_entry_subject', 'journal_entry', ['subject_type', 'subject_id'], unique=False)
    op.create_table('pending_revocation',
    sa.Column('cert_id', sa.String(length=36), nullable=False),
    sa.Column('operator_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('effective_after_sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_pending_revocation_operator_id_operator')),
    sa.PrimaryKeyConstraint('cert_id', name=op.f('pk_pending_revocation'))
    )
    op.create_index(op.f('ix_pending_revocation_operator_id'), 'pending_revocation', ['operator_id'], unique=False)
    op.create_table('playbook_page',
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('return_reason_code', sa.String(length=64), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['operator.id'], name=op.f('fk_playbook_page_updated_by_operator')),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_playbook_page')),
    sa.UniqueConstraint('return_reason_code', name=op.f('uq_playbook_page_return_reason_code'))
    )
    op.create_table('playbook_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('return_reason_code', sa.String(length=64), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['slug'], ['playbook_page.slug'], name=op.f('fk_playbook_revision_slug_playbook_page')),
    sa.ForeignKeyConstraint(['updated_by'], ['operator.id'], name=op.f('fk_playbook_revision_updated_by_operator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_revision')),
    sa.UniqueConstraint('slug', 'version', name=op.f('uq_playbook_revision_slug'))
    )
    op.create_index(op.f('ix_playbook_revision_slug'), 'playbook_revision', ['slug'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_playbook_revision_slug'), table_name='playbook_revision')
    op.drop_table('playbook_revision')
    op.drop_table('playbook_page')
    op.drop_index(op.f('ix_pending_revocation_operator_id'), table_name='pending_revocation')
    op.drop_table('pending_revocation')
    op.drop_index('ix_journal_entry_subject', table_name='journal_entry')
    op.drop_index(op.f('ix_journal_entry_operator_id'), table_name='journal_entry')
    op.drop_index(op.f('ix_journal_entry_item_key'), table_name='journal_entry')
    op.drop_index(op.f('ix_journal_entry_addressed_to'), table_name='journal_entry')
    op.drop_table('journal_entry')
