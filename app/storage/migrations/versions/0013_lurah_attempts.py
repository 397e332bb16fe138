"""The throttle on the Lurah's authenticator codes (services/lurah.py asks for a code on every authority step).

Revision ID: 0013
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lurah_attempts',
    sa.Column('operator_id', sa.String(length=36), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], name=op.f('fk_lurah_attempts_operator_id_operator')),
    sa.PrimaryKeyConstraint('operator_id', name=op.f('pk_lurah_attempts'))
    )


def downgrade() -> None:
    op.drop_table('lurah_attempts')
