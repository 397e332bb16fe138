"""Form drafts: an operator's unsaved typing, kept in the encrypted database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_form_draft_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_draft")),
        sa.UniqueConstraint("operator_id", "key", name=op.f("uq_form_draft_operator_id")),
    )


def downgrade() -> None:
    op.drop_table("form_draft")
