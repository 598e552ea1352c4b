"""the SK penetapan unit kerja's number and date on the enrolment (issue 15 §5)

The declaration recorded them in its audit record and in the description of the decree's
evidence file. They become columns so pages, exports and checks read them without parsing
text. Enrolments declared before this revision get them back from their declaration's audit
record (the chain's data is not changed, only read).

Revision ID: 0018_enrolment_unit_decree
Revises: 0017_national_scale
Create Date: 2026-12-01 02:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0018_enrolment_unit_decree"
down_revision: str | Sequence[str] | None = "0017_national_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrolments") as batch:
        batch.add_column(sa.Column("unit_decree_number", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("unit_decree_date", sa.Date(), nullable=True))
    bind = op.get_bind()
    declared = bind.execute(
        sa.text(
            "SELECT subject_id, data FROM audit_events "
            "WHERE tag = 'accreditation:enrolment:declare' ORDER BY seq"
        )
    )
    enrolments = sa.table(
        "enrolments",
        sa.column("id", sa.Integer),
        sa.column("unit_decree_number", sa.String),
        sa.column("unit_decree_date", sa.Date),
    )
    for subject_id, data in declared:
        values = data if isinstance(data, dict) else json.loads(data or "{}")
        number, day = values.get("decree_number"), values.get("decree_date")
        if not number or not str(subject_id).isdigit():
            continue
        bind.execute(
            enrolments.update()
            .where(enrolments.c.id == int(subject_id))
            .values(
                unit_decree_number=str(number)[:120],
                unit_decree_date=date.fromisoformat(day) if day else None,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolments") as batch:
        batch.drop_column("unit_decree_date")
        batch.drop_column("unit_decree_number")
