"""Private keys leave the shared database: each is sealed (HPKE) to its owner's keyslot.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03

Every Ed25519 private key (operators', the Lurah's own, the Lurah's authority key) and the
Lurah's TOTP secret stood in clear in ``signing_key.private_key`` / ``lurah_totp.secret``, which
every operator who can open the office could read. This revision:

1. seals each key still in use to the public key of its owner's keyslot in vault.json (the
   authority key to the Lurah's slot and to the recovery slot, the TOTP secret to the Lurah's);
2. because older copies of the database (backups, the pre-migration copy) still hold the clear
   keys, issues new keys, certifies them and signs revocations / the authority hand-over for the
   old ones at the sequence boundary (see ``_reissue``);
3. drops the clear columns; the caller (app.services.office) then runs VACUUM with
   secure_delete on, so no freed page keeps the old bytes.

It needs the office's vault (``config.attributes["vault"]``) for the slots' public keys.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

AUTHORITY_OWNER = "lurah-authority"


def upgrade() -> None:
    op.create_table(
        'sealed_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('slot_id', sa.String(length=64), nullable=False),
        sa.Column('blob', sa.LargeBinary(), nullable=False),
        sa.Column('tag', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_key')),
    )
    with op.batch_alter_table('sealed_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_key_owner'), ['owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_sealed_key_slot_id'), ['slot_id'], unique=False)

    from app.storage.migrations import sealing  # the data step, kept beside the schema steps

    sealing.seal_clear_keys(op.get_bind(), op.get_context().config.attributes.get("vault"))

    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_column('private_key')
    with op.batch_alter_table('lurah_totp', schema=None) as batch_op:
        batch_op.drop_column('secret')


def downgrade() -> None:
    # The clear keys are gone for good (that is the point); an older release finds empty ones
    # and cannot sign, which is the honest outcome.
    with op.batch_alter_table('lurah_totp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.LargeBinary(), nullable=False, server_default=sa.text("X''")))
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_key', sa.LargeBinary(), nullable=False, server_default=sa.text("X''")))
    with op.batch_alter_table('sealed_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_key_slot_id'))
        batch_op.drop_index(batch_op.f('ix_sealed_key_owner'))
    op.drop_table('sealed_key')
