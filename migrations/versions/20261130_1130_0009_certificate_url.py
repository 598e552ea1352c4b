"""system settings; the public address each certificate was issued with

``system_settings`` keeps what the administrator sets in the app over the environment's defaults
(today the public address, ``public_base_url``). Each certificate records the public address in
force when it was issued, so its QR code and printed URL never change afterwards (issue 14 §3).
Certificates issued before this revision get the environment's address (``PUBLIC_BASE_URL``,
passed by ``flask db upgrade``), which is what they have been printed with so far.

Revision ID: 0009_certificate_url
Revises: 0008_job_heartbeat
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

import tracker.db
from config import Settings

revision: str = "0009_certificate_url"
down_revision: str | Sequence[str] | None = "0008_job_heartbeat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _env_public_base_url() -> str:
    # The app and the tests pass it (tracker.core.migrations); the bare `alembic` command reads
    # the environment as env.py does for the database URL.
    given = context.config.attributes.get("public_base_url")
    return str(given or Settings.from_env().public_base_url).rstrip("/")


def upgrade() -> None:
    op.create_table(
        "system_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_system_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_settings")),
        sa.UniqueConstraint("key", name=op.f("uq_system_settings_key")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_base_url", sa.String(length=200), nullable=True))
    certificates = sa.table("certificates", sa.column("public_base_url", sa.String(200)))
    op.execute(certificates.update().values(public_base_url=_env_public_base_url()))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column(
            "public_base_url", existing_type=sa.String(length=200), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("public_base_url")
    op.drop_table("system_settings")
