"""reviewer assignments and the lead flag on role grants (issue 15 §4)

A lead of a reviewing role (``role_grants.lead``) assigns each unit waiting for their tier to
one reviewer (``reviewer_assignments``, one row per enrolment and tier; reassignments are kept
in the audit trail).

Revision ID: 0012_reviewer_assignments
Revises: 0011_notifications
Create Date: 2026-11-30 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0012_reviewer_assignments"
down_revision: str | Sequence[str] | None = "0011_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role_grants") as batch:
        batch.add_column(sa.Column("lead", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "reviewer_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_reviewer_assignments_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviewer_assignments_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_reviewer_assignments_assigned_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewer_assignments")),
        sa.UniqueConstraint(
            "enrolment_id", "tier", name=op.f("uq_reviewer_assignments_enrolment_id_tier")
        ),
    )
    with op.batch_alter_table("reviewer_assignments") as batch:
        batch.create_index(
            batch.f("ix_reviewer_assignments_enrolment_id"), ["enrolment_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_reviewer_assignments_reviewer_id"), ["reviewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reviewer_assignments") as batch:
        batch.drop_index(batch.f("ix_reviewer_assignments_reviewer_id"))
        batch.drop_index(batch.f("ix_reviewer_assignments_enrolment_id"))
    op.drop_table("reviewer_assignments")
    with op.batch_alter_table("role_grants") as batch:
        batch.drop_column("lead")
