"""PortalRB: access tokens (stored as SHA-256 only) and the record of each pull

PortalRB pulls an agency's proposals and LKE answers with a bearer token of that agency
(``tracker.portalrb``); every request with a known token is kept in ``portalrb_pulls`` so the
agency sees when each unit was last pulled.

Revision ID: 0006_portalrb
Revises: 80372820f57a
Create Date: 2026-11-30 11:06:36.094347
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '0006_portalrb'
down_revision: str | Sequence[str] | None = '80372820f57a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('portalrb_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('revoked_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_portalrb_tokens_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_portalrb_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_portalrb_tokens_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portalrb_tokens')),
    sa.UniqueConstraint('hash', name=op.f('uq_portalrb_tokens_hash'))
    )
    with op.batch_alter_table('portalrb_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portalrb_tokens_agency_id'), ['agency_id'], unique=False)

    op.create_table('portalrb_pulls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_portalrb_pulls_agency_id_agencies')),
    sa.ForeignKeyConstraint(['token_id'], ['portalrb_tokens.id'], name=op.f('fk_portalrb_pulls_token_id_portalrb_tokens')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_portalrb_pulls_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portalrb_pulls'))
    )
    with op.batch_alter_table('portalrb_pulls', schema=None) as batch_op:
        batch_op.create_index('ix_portalrb_pulls_agency_unit', ['agency_id', 'unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_portalrb_pulls_token_id'), ['token_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('portalrb_pulls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portalrb_pulls_token_id'))
        batch_op.drop_index('ix_portalrb_pulls_agency_unit')

    op.drop_table('portalrb_pulls')
    with op.batch_alter_table('portalrb_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portalrb_tokens_agency_id'))

    op.drop_table('portalrb_tokens')
