"""complaints register and monitoring that leads somewhere (issue 17 §2, §3)

The public complaints register per unit (``complaints``, its history ``complaint_events`` and
files ``complaint_files``), what a monitoring report is filed with (``monitoring_filings``: the
LKE score and the signed letter) and the verification tasks a "no longer meets" report or a
verified serious complaint opens (``verification_tasks``).

Revision ID: 0016_complaints_monitoring
Revises: 0015_clearance_ombudsman_lineage
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0016_complaints_monitoring"
down_revision: str | Sequence[str] | None = "0015_clearance_ombudsman_lineage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=40)


STATUS = ("received", "verified", "clarified", "resolved", "unfounded")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            _enum("maladministration", "extortion", "service_quality", "other"),
            nullable=False,
        ),
        sa.Column(
            "channel", _enum("public_form", "ombudsman", "lapor", "media", "other"), nullable=False
        ),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", _enum(*STATUS), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("complaints", "unit_id", "units"),
        _fk("complaints", "agency_id", "agencies"),
        _fk("complaints", "handler_id", "users"),
        _fk("complaints", "recorded_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    for column in ("unit_id", "agency_id", "status"):
        _index("complaints", column)
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("from_status", _enum(*STATUS), nullable=True),
        sa.Column("to_status", _enum(*STATUS), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("complaint_events", "complaint_id", "complaints"),
        _fk("complaint_events", "by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    _index("complaint_events", "complaint_id")
    op.create_table(
        "complaint_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        _fk("complaint_files", "complaint_id", "complaints"),
        _fk("complaint_files", "file_id", "evidence_files"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_files")),
    )
    _index("complaint_files", "complaint_id")
    op.create_table(
        "monitoring_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("lke_score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        _fk("monitoring_filings", "report_id", "monitoring_reports"),
        _fk("monitoring_filings", "letter_id", "evidence_files"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_filings")),
        sa.UniqueConstraint("report_id", name=op.f("uq_monitoring_filings_report_id")),
    )
    op.create_table(
        "verification_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("designation_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("reason", _enum("no_longer_meets", "serious_complaint"), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("outcome", _enum("still_meets", "coaching", "propose_revocation"), nullable=True),
        sa.Column("coaching_until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("verification_tasks", "designation_id", "designations"),
        _fk("verification_tasks", "unit_id", "units"),
        _fk("verification_tasks", "agency_id", "agencies"),
        _fk("verification_tasks", "report_id", "monitoring_reports"),
        _fk("verification_tasks", "complaint_id", "complaints"),
        _fk("verification_tasks", "decided_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_tasks")),
    )
    for column in ("designation_id", "unit_id", "agency_id"):
        _index("verification_tasks", column)


def downgrade() -> None:
    for table in (
        "verification_tasks",
        "monitoring_filings",
        "complaint_files",
        "complaint_events",
        "complaints",
    ):
        op.drop_table(table)
