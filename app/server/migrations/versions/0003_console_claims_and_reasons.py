"""The console: claims on items a verifier has open, and Dinsos's reason catalogue (seeded).

The Kepala OPD role needs no schema change (``staff_users.role`` is a string); it is new in
app/server/auth.py's ROLES.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The catalogue Dinsos starts with; admins change it afterwards. Words as the kelurahan reads them.
SEED = [
    ("foto_rumah_buram", "Foto rumah buram; mohon foto ulang dari depan, siang hari.", "foto-rumah"),
    ("kk_tidak_sesuai", "No. KK tidak sesuai dengan data Dukcapil; periksa kartu keluarga.", "kartu-keluarga"),
    ("nik_tidak_valid", "NIK salah satu anggota tidak valid; cocokkan dengan KTP.", "nik-anggota"),
    ("dokumen_kurang", "Dokumen pendukung belum lengkap (KK/KTP, berita acara, SPTJM).", "dokumen-pendukung"),
    ("berita_acara_kurang", "Berita acara musyawarah kelurahan belum dilampirkan.", "musyawarah-kelurahan"),
    ("duplikat_kelurahan_lain", "Orang yang sama sudah diusulkan oleh kelurahan lain.", "usulan-ganda"),
]


def upgrade() -> None:
    op.create_table('item_claims',
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.item_id'], name=op.f('fk_item_claims_item_id_items')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_item_claims_user_id_staff_users')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_item_claims'))
    )
    reasons = op.create_table('reason_codes',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('playbook_page', sa.String(length=120), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_reason_codes'))
    )
    op.bulk_insert(reasons, [{"code": c, "text": t, "playbook_page": p, "active": True} for c, t, p in SEED])


def downgrade() -> None:
    op.drop_table('reason_codes')
    op.drop_table('item_claims')
