"""D14 and D15: copied answers, designations recorded from before the tracker, revocation decrees

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:40:09.187218
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        # D8/D14: which tier's value a tier's copied answer still holds. Answers saved before
        # this revision are taken as their tier's own (NULL); for the TPN's survey indices the
        # D14 guard still asks for a report file of the TPN's own survey.
        batch_op.add_column(sa.Column('copied_from', sa.String(length=40), nullable=True))

    with op.batch_alter_table('designations', schema=None) as batch_op:
        # Every designation so far has a tracker certificate (the demo's history included).
        batch_op.add_column(sa.Column('origin', sa.Enum('tracker', 'recorded', name='designationorigin', native_enum=False, length=40), nullable=False,
                                      server_default='tracker'))
        batch_op.add_column(sa.Column('scan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revocation_decree_number', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('revocation_decree_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revoked_with_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_designations_scan_id_evidence_files'), 'evidence_files', ['scan_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_designations_revoked_with_id_designations'), 'designations', ['revoked_with_id'], ['id'])

    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        # A recorded designation's scanned certificate belongs to no enrolment.
        batch_op.alter_column('enrolment_id',
               existing_type=sa.INTEGER(),
               nullable=True)


def downgrade() -> None:
    # Fails while a recorded designation's scan exists (NOT NULL): remove those first.
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.alter_column('enrolment_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_designations_revoked_with_id_designations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_designations_scan_id_evidence_files'), type_='foreignkey')
        batch_op.drop_column('revoked_with_id')
        batch_op.drop_column('revocation_decree_date')
        batch_op.drop_column('revocation_decree_number')
        batch_op.drop_column('scan_id')
        batch_op.drop_column('origin')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('copied_from')
