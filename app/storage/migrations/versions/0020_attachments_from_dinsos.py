"""Attachments Dinsos sent back (the walikota's decree in a return file): marked by their source, read-only.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch copy: rebuilding `attachment` means dropping it, which the foreign keys of
# attachment_document (0016) refuse once an office has documents prepared for Dinsos.
def upgrade() -> None:
    op.add_column('attachment', sa.Column('source', sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column('attachment', 'source')
