"""clearance before designation, Ombudsman results, unit lineage (issue 17 §1, §4, §5)

TPN's clearance round with the overseers per proposed unit (``clearance_requests``, and
``clearance_overrides`` when TPN designates despite an open one), the overseers a cycle asks
(``cycles.overseers``, JSON; NULL: the default three), the Ombudsman's service-compliance
results of a unit (``ombudsman_results``) and the successor links of renamed, merged or split
units (``unit_successions``).

Revision ID: 0015_clearance_ombudsman_lineage
Revises: 0014_process_documents
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0015_clearance_ombudsman_lineage"
down_revision: str | Sequence[str] | None = "0014_process_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("overseers", sa.JSON(), nullable=True))
    op.create_table(
        "clearance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("overseer", sa.String(length=120), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column(
            "result",
            sa.Enum("clear", "findings", name="clearanceresult", native_enum=False, length=40),
            nullable=True,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("clearance_requests", "enrolment_id", "enrolments"),
        _fk("clearance_requests", "asked_by_id", "users"),
        _fk("clearance_requests", "document_id", "evidence_files"),
        _fk("clearance_requests", "answered_by_id", "users"),
        _fk("clearance_requests", "resolved_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_requests")),
    )
    _index("clearance_requests", "enrolment_id")
    op.create_table(
        "clearance_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("covers_up_to", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("clearance_overrides", "enrolment_id", "enrolments"),
        _fk("clearance_overrides", "by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_overrides")),
    )
    _index("clearance_overrides", "enrolment_id")
    op.create_table(
        "ombudsman_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "zone",
            sa.Enum("hijau", "kuning", "merah", name="ombudsmanzone", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("ombudsman_results", "unit_id", "units"),
        _fk("ombudsman_results", "agency_id", "agencies"),
        _fk("ombudsman_results", "certificate_id", "evidence_files"),
        _fk("ombudsman_results", "recorded_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ombudsman_results")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_ombudsman_results_unit_id_year")),
    )
    _index("ombudsman_results", "unit_id")
    op.create_table(
        "unit_successions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rename", "merge", "split", name="successionkind", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("decree_ref", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        _fk("unit_successions", "predecessor_id", "units"),
        _fk("unit_successions", "successor_id", "units"),
        _fk("unit_successions", "recorded_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_successions")),
        sa.UniqueConstraint(
            "predecessor_id",
            "successor_id",
            name=op.f("uq_unit_successions_predecessor_id_successor_id"),
        ),
    )
    _index("unit_successions", "predecessor_id", "successor_id")


def downgrade() -> None:
    op.drop_table("unit_successions")
    op.drop_table("ombudsman_results")
    op.drop_table("clearance_overrides")
    op.drop_table("clearance_requests")
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("overseers")
