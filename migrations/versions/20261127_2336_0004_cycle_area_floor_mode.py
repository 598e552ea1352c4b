"""Cycle: the D5 reading of the per-area floor (whole area or each half)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 23:36:22.540145
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        # Existing cycles keep the reading they were scored with: the framework default (D5).
        batch_op.add_column(sa.Column('area_floor_mode', sa.String(length=20), nullable=False,
                                      server_default='combined'))



def downgrade() -> None:
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('area_floor_mode')

