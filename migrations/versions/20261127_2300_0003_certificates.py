"""Certificates: issued piagam, their images and signatories, print jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:47:49.860818
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('certificate_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_images')),
    sa.UniqueConstraint('sha256', name=op.f('uq_certificate_images_sha256'))
    )
    op.create_table('print_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('pdf', 'zip', name='printformat', native_enum=False, length=40), nullable=False),
    sa.Column('numbers', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='printstatus', native_enum=False, length=40), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('parts_total', sa.Integer(), nullable=False),
    sa.Column('parts_done', sa.Integer(), nullable=False),
    sa.Column('merge_claimed', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('failed_number', sa.String(length=32), nullable=True),
    sa.Column('result_key', sa.String(length=80), nullable=True),
    sa.Column('result_size', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_print_jobs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs')),
    sa.UniqueConstraint('public_id', name=op.f('uq_print_jobs_public_id'))
    )
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_jobs_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('signatories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('set_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_signatories_set_by_id_users')),
    sa.ForeignKeyConstraint(['signature_id'], ['certificate_images.id'], name=op.f('fk_signatories_signature_id_certificate_images')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatories'))
    )
    op.create_table('print_job_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['print_jobs.id'], name=op.f('fk_print_job_parts_job_id_print_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job_parts')),
    sa.UniqueConstraint('job_id', 'seq', name=op.f('uq_print_job_parts_job_id_seq'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('predicate', sa.Enum('WBK', 'WBBM', name='predicate', native_enum=False, length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decree_number', sa.String(length=120), nullable=False),
    sa.Column('decree_date', sa.Date(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('signatory_name', sa.String(length=120), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('emblem_id', sa.Integer(), nullable=True),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('reissue_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['designation_id'], ['designations.id'], name=op.f('fk_certificates_designation_id_designations')),
    sa.ForeignKeyConstraint(['emblem_id'], ['certificate_images.id'], name=op.f('fk_certificates_emblem_id_certificate_images')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], name=op.f('fk_certificates_replaces_id_certificates')),
    sa.ForeignKeyConstraint(['signature_id'], ['certificate_images.id'], name=op.f('fk_certificates_signature_id_certificate_images')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_certificates_replaces_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_designation_id'), ['designation_id'], unique=False)
        batch_op.create_index('ix_certificates_year_predicate', ['year', 'predicate'], unique=False)
        batch_op.create_index('uq_certificates_first_of_designation', ['designation_id'], unique=True, sqlite_where=sa.text('replaces_id IS NULL'), postgresql_where=sa.text('replaces_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_first_of_designation', sqlite_where=sa.text('replaces_id IS NULL'), postgresql_where=sa.text('replaces_id IS NULL'))
        batch_op.drop_index('ix_certificates_year_predicate')
        batch_op.drop_index(batch_op.f('ix_certificates_designation_id'))

    op.drop_table('certificates')
    op.drop_table('print_job_parts')
    op.drop_table('signatories')
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_jobs_requested_by_id'))

    op.drop_table('print_jobs')
    op.drop_table('certificate_images')
