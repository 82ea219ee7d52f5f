"""reviews and notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_message",
        sa.Column("consumer", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id"),
    )
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_account_sid"), ["account_sid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index("ix_delivery_attempt_subject", ["subject_sid", "id"], unique=False)

    op.create_table(
        "review",
        sa.Column("sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("account_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("escalation_reason", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("claim_expires_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_sid"],
            ["account.sid"],
        ),
        sa.PrimaryKeyConstraint("sid"),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_account_sid"), ["account_sid"], unique=False)
        batch_op.create_index("ix_review_queue", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_subject_sid"), ["subject_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_subject_sid"))
        batch_op.drop_index("ix_review_queue")
        batch_op.drop_index(batch_op.f("ix_review_account_sid"))

    op.drop_table("review")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_attempt_subject")
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_event_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_account_sid"))

    op.drop_table("delivery_attempt")
    op.drop_table("inbox_message")
