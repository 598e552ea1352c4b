"""stage transitions: the PortalRB result a recorded TPN step cites

In an agency deployment (``TRACKER_DEPLOYMENT=agency``) TPN works in PortalRB and the agency's
administrator records each TPN step from PortalRB's published results (issue 12 §5). The
transition names the result it copies (``portalrb_reference``: an announcement number, a date,
a link); steps taken in the tracker itself keep it empty.

Revision ID: 0007_tpn_portalrb
Revises: 0006_portalrb
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_tpn_portalrb"
down_revision: str | Sequence[str] | None = "0006_portalrb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portalrb_reference", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.drop_column("portalrb_reference")
