"""print jobs: heartbeat and attempt

A running print job records when its worker last showed life (``heartbeat_at``); a job whose
heartbeat stopped is retried once (``attempt``) or marked failed (issue 13 §7). Existing rows
start at attempt 0 with no heartbeat: a job still "running" from before this revision is judged
by its ``started_at``.

Revision ID: 0008_job_heartbeat
Revises: 0007_tpn_portalrb
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0008_job_heartbeat"
down_revision: str | Sequence[str] | None = "0007_tpn_portalrb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("heartbeat_at", tracker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_column("attempt")
        batch_op.drop_column("heartbeat_at")
