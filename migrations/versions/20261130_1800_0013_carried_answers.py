"""answers carried from a unit's last cycle (issue 16 §3)

One row per LKE item whose self-assessment answer an enrolment carried from the unit's previous
enrolment: the source (enrolment, deciding tier, answer row), the value as carried, last
cycle's files of the item (carried or left behind as out of date) and the coordinator's
confirmation.

Revision ID: 0013_carried_answers
Revises: 0012_reviewer_assignments
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0013_carried_answers"
down_revision: str | Sequence[str] | None = "0012_reviewer_assignments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carried_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("source_enrolment_id", sa.Integer(), nullable=False),
        sa.Column("source_tier", sa.String(length=40), nullable=False),
        sa.Column("source_answer_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("carried_by_id", sa.Integer(), nullable=False),
        sa.Column("carried_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_carried_items_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["source_enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_carried_items_source_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["source_answer_id"],
            ["answers.id"],
            name=op.f("fk_carried_items_source_answer_id_answers"),
        ),
        sa.ForeignKeyConstraint(
            ["carried_by_id"], ["users.id"], name=op.f("fk_carried_items_carried_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_carried_items_confirmed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carried_items")),
        sa.UniqueConstraint(
            "enrolment_id", "item_code", name=op.f("uq_carried_items_enrolment_id_item_code")
        ),
    )
    with op.batch_alter_table("carried_items") as batch:
        batch.create_index(batch.f("ix_carried_items_enrolment_id"), ["enrolment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("carried_items") as batch:
        batch.drop_index(batch.f("ix_carried_items_enrolment_id"))
    op.drop_table("carried_items")
