"""national scale: indexes for the review queue and the home page's latest work (issue 18 §3)

The review queue filters enrolments by stage and sorts them by ``stage_since`` (oldest first);
the home page lists the most recently moved enrolments (``stage_since`` descending, first 12).
At 5,000 enrolments both sorted every matching row; with these indexes they read rows in order.

Revision ID: 0017_national_scale
Revises: 0016_complaints_monitoring
Create Date: 2026-11-30 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017_national_scale"
down_revision: str | Sequence[str] | None = "0016_complaints_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_enrolments_stage_since", "enrolments", ["stage", "stage_since"])
    op.create_index("ix_enrolments_since", "enrolments", ["stage_since"])


def downgrade() -> None:
    op.drop_index("ix_enrolments_since", table_name="enrolments")
    op.drop_index("ix_enrolments_stage_since", table_name="enrolments")
