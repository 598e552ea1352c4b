"""the process's documents and their signed scans (issue 16 §5)

``process_documents``: one row per document of a step (LKE, LHE TPI, proposal letter, SPTJM,
LHE TPN) with the data frozen at the step and, once rendered, the PDF's SHA-256 and blob key.
``process_document_scans``: the signed copies uploaded back onto the step.

Revision ID: 0014_process_documents
Revises: 0013_carried_answers
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0014_process_documents"
down_revision: str | Sequence[str] | None = "0013_carried_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("lke", "lhe_tpi", "proposal", "sptjm", "lhe_tpn")
ACTIONS = (
    "start_building", "submit_preliminary", "submit_tpi", "preliminary_pass",
    "preliminary_return", "tpi_meets", "tpi_not_yet", "propose", "admin_pass",
    "admin_pass_with_notes", "admin_fail", "accept_corrections", "reject_corrections", "appeal",
    "appeal_accept", "appeal_reject", "close_selection", "desk_continue", "desk_stop",
    "designate", "coach", "report_monitoring", "revoke", "void",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "process_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="documentkind", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column(
            "step", sa.Enum(*ACTIONS, name="action", native_enum=False, length=40), nullable=False
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rendered_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_process_documents_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_process_documents_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name=op.f("fk_process_documents_snapshot_id_snapshots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_documents")),
        sa.UniqueConstraint(
            "snapshot_id", "kind", name=op.f("uq_process_documents_snapshot_id_kind")
        ),
    )
    with op.batch_alter_table("process_documents") as batch:
        batch.create_index(
            batch.f("ix_process_documents_enrolment_id"), ["enrolment_id"], unique=False
        )
        batch.create_index(batch.f("ix_process_documents_agency_id"), ["agency_id"], unique=False)
    op.create_table(
        "process_document_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["process_documents.id"],
            name=op.f("fk_process_document_scans_document_id_process_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_process_document_scans_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_document_scans")),
    )
    with op.batch_alter_table("process_document_scans") as batch:
        batch.create_index(
            batch.f("ix_process_document_scans_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("process_document_scans")
    op.drop_table("process_documents")
