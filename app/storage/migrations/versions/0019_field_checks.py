"""Ground checks by field staff: household records with versions, assignments, results and merge decisions.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household_record",
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("head_name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kk_number", name=op.f("pk_household_record")),
    )
    op.create_table(
        "household_record_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("made_by", sa.String(36), nullable=True),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["kk_number"], ["household_record.kk_number"],
                                name=op.f("fk_household_record_version_kk_number_household_record")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_record_version")),
        sa.UniqueConstraint("kk_number", "version", name=op.f("uq_household_record_version_kk_number")),
    )
    op.create_index(op.f("ix_household_record_version_kk_number"), "household_record_version", ["kk_number"])
    op.create_table(
        "field_box_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["operator.id"], name=op.f("fk_field_box_key_person_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_box_key")),
    )
    op.create_index(op.f("ix_field_box_key_person_id"), "field_box_key", ["person_id"])
    op.create_table(
        "field_assignment",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("assigned_by", sa.String(36), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("households", sa.JSON(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("return_private", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assigned_by"], ["operator.id"], name=op.f("fk_field_assignment_assigned_by_operator")),
        sa.ForeignKeyConstraint(["person_id"], ["operator.id"], name=op.f("fk_field_assignment_person_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_assignment")),
    )
    op.create_index(op.f("ix_field_assignment_person_id"), "field_assignment", ["person_id"])
    op.create_table(
        "field_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("results_id", sa.String(36), nullable=False),
        sa.Column("assignment_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.String(20), nullable=True),
        sa.Column("longitude", sa.String(20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["field_assignment.id"],
                                name=op.f("fk_field_result_assignment_id_field_assignment")),
        sa.ForeignKeyConstraint(["person_id"], ["operator.id"], name=op.f("fk_field_result_person_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_result")),
        sa.UniqueConstraint("results_id", "kk_number", name=op.f("uq_field_result_results_id")),
    )
    op.create_index(op.f("ix_field_result_results_id"), "field_result", ["results_id"])
    op.create_index(op.f("ix_field_result_assignment_id"), "field_result", ["assignment_id"])
    op.create_index(op.f("ix_field_result_kk_number"), "field_result", ["kk_number"])
    op.create_table(
        "field_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["field_result.id"], name=op.f("fk_field_photo_result_id_field_result")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_photo")),
        sa.UniqueConstraint("result_id", "kind", name=op.f("uq_field_photo_result_id")),
    )
    op.create_index(op.f("ix_field_photo_result_id"), "field_photo", ["result_id"])
    op.create_table(
        "field_merge_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("variable", sa.String(40), nullable=False),
        sa.Column("office_value", sa.String(40), nullable=True),
        sa.Column("applied_value", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_merge_base")),
        sa.UniqueConstraint("kk_number", "variable", name=op.f("uq_field_merge_base_kk_number")),
    )
    op.create_index(op.f("ix_field_merge_base_kk_number"), "field_merge_base", ["kk_number"])
    op.create_table(
        "field_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("variable", sa.String(40), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("value", sa.String(40), nullable=True),
        sa.Column("decided_by", sa.String(36), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by"], ["operator.id"], name=op.f("fk_field_decision_decided_by_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_decision")),
    )
    op.create_index(op.f("ix_field_decision_kk_number"), "field_decision", ["kk_number"])
    op.create_table(
        "field_remark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(36), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("sent_in", sa.String(36), nullable=True),
        sa.ForeignKeyConstraint(["made_by"], ["operator.id"], name=op.f("fk_field_remark_made_by_operator")),
        sa.ForeignKeyConstraint(["person_id"], ["operator.id"], name=op.f("fk_field_remark_person_id_operator")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_remark")),
    )
    op.create_index(op.f("ix_field_remark_person_id"), "field_remark", ["person_id"])
    op.create_table(
        "field_inbox",
        sa.Column("assignment_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["operator.id"], name=op.f("fk_field_inbox_person_id_operator")),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_field_inbox")),
    )
    op.create_index(op.f("ix_field_inbox_person_id"), "field_inbox", ["person_id"])
    op.create_table(
        "field_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(36), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.String(20), nullable=True),
        sa.Column("longitude", sa.String(20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["field_inbox.assignment_id"],
                                name=op.f("fk_field_draft_assignment_id_field_inbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_draft")),
        sa.UniqueConstraint("assignment_id", "kk_number", name=op.f("uq_field_draft_assignment_id")),
    )
    op.create_index(op.f("ix_field_draft_assignment_id"), "field_draft", ["assignment_id"])


def downgrade() -> None:
    for table in ("field_draft", "field_inbox", "field_remark", "field_decision", "field_merge_base", "field_photo", "field_result",
                  "field_assignment", "field_box_key", "household_record_version", "household_record"):
        op.drop_table(table)
