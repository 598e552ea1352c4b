"""notifications, notification preferences and the mail outbox (issue 15 §2)

Revision ID: 0011_notifications
Revises: 0010_evidence_series
Create Date: 2026-11-30 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db

revision: str = "0011_notifications"
down_revision: str | Sequence[str] | None = "0010_evidence_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_KINDS = (
    "item_sent_back",
    "item_resubmitted",
    "area_signed_off",
    "stage_changed",
    "proposal_decided",
    "designated",
    "revoked",
    "token_expiring",
    "deadline_reminder",
)
CHANNELS = ("in_app", "email", "digest")


def _enum(name: str, values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=40)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("eventkind", EVENT_KINDS), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("channel", _enum("channel", CHANNELS), nullable=False),
        sa.Column("created_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digested_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "recipient_id", "dedupe_key", name=op.f("uq_notifications_recipient_id_dedupe_key")
        ),
    )
    op.create_index(
        "ix_notifications_recipient_read", "notifications", ["recipient_id", "read_at"]
    )
    op.create_index(
        "ix_notifications_recipient_created", "notifications", ["recipient_id", "created_at"]
    )
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("eventkind", EVENT_KINDS), nullable=False),
        sa.Column("channel", _enum("channel", CHANNELS), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preferences_user_id_kind")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("mailkind", ("single", "digest", "test")), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column(
            "status", _enum("mailstatus", ("queued", "sending", "sent", "failed")), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", tracker.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_outbox_messages_notification_id_notifications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_outbox_messages_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    op.create_index(
        "ix_outbox_messages_status_due", "outbox_messages", ["status", "next_attempt_at"]
    )
    op.create_index(
        op.f("ix_outbox_messages_notification_id"), "outbox_messages", ["notification_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_messages_notification_id"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_status_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_recipient_created", table_name="notifications")
    op.drop_index("ix_notifications_recipient_read", table_name="notifications")
    op.drop_table("notifications")
