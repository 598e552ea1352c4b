"""Accreditation life cycle, LKE framework versions and evidence

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:31:15.622607
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lke_frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('loaded_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lke_frameworks')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_lke_frameworks_code_version')),
    sa.UniqueConstraint('sha256', name=op.f('uq_lke_frameworks_sha256'))
    )
    op.create_table('cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('self_assessment_start', sa.Date(), nullable=False),
    sa.Column('self_assessment_end', sa.Date(), nullable=False),
    sa.Column('tpi_evaluation_start', sa.Date(), nullable=False),
    sa.Column('tpi_evaluation_end', sa.Date(), nullable=False),
    sa.Column('proposal_deadline', sa.Date(), nullable=False),
    sa.Column('appeal_deadline', sa.Date(), nullable=True),
    sa.Column('desk_evaluation_start', sa.Date(), nullable=True),
    sa.Column('field_evaluation_start', sa.Date(), nullable=True),
    sa.Column('designation_date', sa.Date(), nullable=True),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cycles_created_by_id_users')),
    sa.ForeignKeyConstraint(['framework_id'], ['lke_frameworks.id'], name=op.f('fk_cycles_framework_id_lke_frameworks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycles')),
    sa.UniqueConstraint('year', name=op.f('uq_cycles_year'))
    )
    op.create_table('kkn_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_kkn_cases_agency_id_agencies')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_kkn_cases_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kkn_cases'))
    )
    with op.batch_alter_table('kkn_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kkn_cases_agency_id'), ['agency_id'], unique=False)

    op.create_table('agency_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('max_proposals', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_quotas_agency_id_agencies')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_agency_quotas_cycle_id_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_quotas')),
    sa.UniqueConstraint('cycle_id', 'agency_id', name=op.f('uq_agency_quotas_cycle_id_agency_id'))
    )
    op.create_table('deadline_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Enum('self_assessment_end', 'tpi_evaluation_end', 'proposal_deadline', 'appeal_deadline', name='deadline', native_enum=False, length=40), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('old_date', sa.Date(), nullable=True),
    sa.Column('new_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('extended_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_deadline_extensions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_deadline_extensions_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['extended_by_id'], ['users.id'], name=op.f('fk_deadline_extensions_extended_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_extensions'))
    )
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_extensions_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Enum('WBK', 'WBBM', name='predicate', native_enum=False, length=40), nullable=False),
    sa.Column('stage', sa.Enum('declared', 'building', 'preliminary', 'tpi_evaluation', 'tpi_recommended', 'proposed', 'admin_conditional', 'admin_rejected', 'appeal', 'desk_evaluation', 'field_evaluation', 'designated', 'monitoring', 'coaching', 'not_passed', 'revoked', 'void', name='stage', native_enum=False, length=40), nullable=False),
    sa.Column('stage_since', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('needs_preliminary', sa.Boolean(), nullable=False),
    sa.Column('appeal_used', sa.Boolean(), nullable=False),
    sa.Column('declared_on', sa.Date(), nullable=False),
    sa.Column('declaration_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_enrolments_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolments_created_by_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_enrolments_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_enrolments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('cycle_id', 'unit_id', name=op.f('uq_enrolments_cycle_id_unit_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_enrolments_cycle_stage', ['cycle_id', 'stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolments_unit_id'), ['unit_id'], unique=False)

    op.create_table('area_sign_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('area', sa.String(length=8), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_area_sign_offs_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_area_sign_offs_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_sign_offs')),
    sa.UniqueConstraint('enrolment_id', 'tier', 'area', name=op.f('uq_area_sign_offs_enrolment_id_tier_area'))
    )
    with op.batch_alter_table('area_sign_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_sign_offs_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('seeded_from', sa.String(length=40), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('score_total', sa.String(length=40), nullable=True),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('eligible_wbk', sa.Boolean(), nullable=False),
    sa.Column('eligible_wbbm', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_assessments_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('enrolment_id', 'tier', name=op.f('uq_assessments_enrolment_id_tier'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('document_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('document_key', sa.String(length=80), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('ok', 'missing', 'invalid', name='checkverdict', native_enum=False, length=40), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_document_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_document_checks_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_checks')),
    sa.UniqueConstraint('enrolment_id', 'tier', 'item_code', 'document_key', 'seq', name=op.f('uq_document_checks_enrolment_id_tier_item_code_document_key_seq'))
    )
    with op.batch_alter_table('document_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_checks_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('item', 'pakta', 'prerequisite', 'lhe', 'monitoring', 'survey', 'proposal', 'corrections', name='evidencepurpose', native_enum=False, length=40), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=True),
    sa.Column('document_key', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'superseded', 'withdrawn', name='evidencestatus', native_enum=False, length=40), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('content_type', sa.String(length=120), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('link_url', sa.String(length=1000), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_evidence_files_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('enrolment_id', 'purpose', 'item_code', 'document_key', 'version', name=op.f('uq_evidence_files_enrolment_id_purpose_item_code_document_key_version')),
    sa.UniqueConstraint('public_id', name=op.f('uq_evidence_files_public_id'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index('ix_evidence_files_item', ['enrolment_id', 'item_code', 'document_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_storage_key'), ['storage_key'], unique=False)

    op.create_table('item_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('approved', 'revision', 'revised', name='decisionkind', native_enum=False, length=40), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_item_decisions_actor_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_item_decisions_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_decisions')),
    sa.UniqueConstraint('enrolment_id', 'tier', 'item_code', 'seq', name=op.f('uq_item_decisions_enrolment_id_tier_item_code_seq'))
    )
    with op.batch_alter_table('item_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_decisions_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('start_building', 'submit_preliminary', 'submit_tpi', 'preliminary_pass', 'preliminary_return', 'tpi_meets', 'tpi_not_yet', 'propose', 'admin_pass', 'admin_pass_with_notes', 'admin_fail', 'accept_corrections', 'reject_corrections', 'appeal', 'appeal_accept', 'appeal_reject', 'close_selection', 'desk_continue', 'desk_stop', 'designate', 'coach', 'report_monitoring', 'revoke', 'void', name='action', native_enum=False, length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_snapshots_created_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_snapshots_enrolment_id_enrolments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshots')),
    sa.UniqueConstraint('sha256', name=op.f('uq_snapshots_sha256'))
    )
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshots_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_answers_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_answers_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('assessment_id', 'item_code', name=op.f('uq_answers_assessment_id_item_code'))
    )
    op.create_table('designations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('predicate', sa.Enum('WBK', 'WBBM', name='predicate', native_enum=False, length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decree_number', sa.String(length=120), nullable=False),
    sa.Column('decree_date', sa.Date(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('designated_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('designated_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_designations_agency_id_agencies')),
    sa.ForeignKeyConstraint(['designated_by_id'], ['users.id'], name=op.f('fk_designations_designated_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_designations_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_designations_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], name=op.f('fk_designations_snapshot_id_snapshots')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_designations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_designations')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_designations_enrolment_id'))
    )
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_designations_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_designations_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_designations_year'), ['year'], unique=False)

    op.create_table('prerequisites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_prerequisites_agency_id_agencies')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_prerequisites_cycle_id_cycles')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_files.id'], name=op.f('fk_prerequisites_evidence_id_evidence_files')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_prerequisites_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_prerequisites_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prerequisites')),
    sa.UniqueConstraint('cycle_id', 'agency_id', 'unit_id', 'code', name=op.f('uq_prerequisites_cycle_id_agency_id_unit_id_code'))
    )
    with op.batch_alter_table('prerequisites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prerequisites_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('stage_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('start_building', 'submit_preliminary', 'submit_tpi', 'preliminary_pass', 'preliminary_return', 'tpi_meets', 'tpi_not_yet', 'propose', 'admin_pass', 'admin_pass_with_notes', 'admin_fail', 'accept_corrections', 'reject_corrections', 'appeal', 'appeal_accept', 'appeal_reject', 'close_selection', 'desk_continue', 'desk_stop', 'designate', 'coach', 'report_monitoring', 'revoke', 'void', name='action', native_enum=False, length=40), nullable=False),
    sa.Column('from_stage', sa.Enum('declared', 'building', 'preliminary', 'tpi_evaluation', 'tpi_recommended', 'proposed', 'admin_conditional', 'admin_rejected', 'appeal', 'desk_evaluation', 'field_evaluation', 'designated', 'monitoring', 'coaching', 'not_passed', 'revoked', 'void', name='stage', native_enum=False, length=40), nullable=False),
    sa.Column('to_stage', sa.Enum('declared', 'building', 'preliminary', 'tpi_evaluation', 'tpi_recommended', 'proposed', 'admin_conditional', 'admin_rejected', 'appeal', 'desk_evaluation', 'field_evaluation', 'designated', 'monitoring', 'coaching', 'not_passed', 'revoked', 'void', name='stage', native_enum=False, length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stage_transitions_actor_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_stage_transitions_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['snapshots.id'], name=op.f('fk_stage_transitions_snapshot_id_snapshots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_transitions'))
    )
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_transitions_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('monitoring_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('designation_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('result', sa.Enum('still_meets', 'no_longer_meets', name='monitoringresult', native_enum=False, length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['designation_id'], ['designations.id'], name=op.f('fk_monitoring_reports_designation_id_designations')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_monitoring_reports_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reports'))
    )
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_reports_designation_id'), ['designation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_designation_id'))

    op.drop_table('monitoring_reports')
    with op.batch_alter_table('stage_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_transitions_enrolment_id'))

    op.drop_table('stage_transitions')
    with op.batch_alter_table('prerequisites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prerequisites_cycle_id'))

    op.drop_table('prerequisites')
    with op.batch_alter_table('designations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_designations_year'))
        batch_op.drop_index(batch_op.f('ix_designations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_designations_agency_id'))

    op.drop_table('designations')
    op.drop_table('answers')
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshots_enrolment_id'))

    op.drop_table('snapshots')
    with op.batch_alter_table('item_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_decisions_enrolment_id'))

    op.drop_table('item_decisions')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_storage_key'))
        batch_op.drop_index('ix_evidence_files_item')
        batch_op.drop_index(batch_op.f('ix_evidence_files_enrolment_id'))

    op.drop_table('evidence_files')
    with op.batch_alter_table('document_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_checks_enrolment_id'))

    op.drop_table('document_checks')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_enrolment_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('area_sign_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_sign_offs_enrolment_id'))

    op.drop_table('area_sign_offs')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_unit_id'))
        batch_op.drop_index('ix_enrolments_cycle_stage')
        batch_op.drop_index(batch_op.f('ix_enrolments_agency_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('deadline_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_extensions_cycle_id'))

    op.drop_table('deadline_extensions')
    op.drop_table('agency_quotas')
    with op.batch_alter_table('kkn_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kkn_cases_agency_id'))

    op.drop_table('kkn_cases')
    op.drop_table('cycles')
    op.drop_table('lke_frameworks')
