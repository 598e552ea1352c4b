"""the standing decision of each item marked on its row (issue 18 §3)

``item_decisions.latest`` is true on the row with the highest ``seq`` of each (enrolment, tier,
item): the review lists count their units' standing decisions from a partial index of those
rows, not by ranking every item's history with a window. Existing rows are marked from their
``seq``; from now on ``reviews._append`` keeps the mark as it appends.

Revision ID: 0019_latest_decision
Revises: 0018_enrolment_unit_decree
Create Date: 2026-12-01 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_latest_decision"
down_revision: str | Sequence[str] | None = "0018_enrolment_unit_decree"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_item_decisions_latest"


def upgrade() -> None:
    with op.batch_alter_table("item_decisions") as batch:
        batch.add_column(
            sa.Column("latest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    decisions = sa.table(
        "item_decisions",
        sa.column("id", sa.Integer),
        sa.column("enrolment_id", sa.Integer),
        sa.column("tier", sa.String),
        sa.column("item_code", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("latest", sa.Boolean),
    )
    later = decisions.alias("later")
    newer_exists = (
        sa.select(later.c.id)
        .where(
            later.c.enrolment_id == decisions.c.enrolment_id,
            later.c.tier == decisions.c.tier,
            later.c.item_code == decisions.c.item_code,
            later.c.seq > decisions.c.seq,
        )
        .exists()
    )
    op.execute(sa.update(decisions).where(~newer_exists).values(latest=True))
    op.create_index(
        INDEX,
        "item_decisions",
        ["enrolment_id", "tier", "item_code"],
        unique=True,
        postgresql_where=sa.text("latest"),
        postgresql_include=["kind"],
        sqlite_where=sa.text("latest"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="item_decisions")
    with op.batch_alter_table("item_decisions") as batch:
        batch.drop_column("latest")
