"""dead letters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trusthub.models.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exchange", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("routing_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("message_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("first_error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("dead_at", UTCDateTime(), nullable=False),
        sa.Column("collected_at", UTCDateTime(), nullable=False),
        sa.Column("replayed_at", UTCDateTime(), nullable=True),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dead_letter_death", ["message_id", "queue", "dead_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dead_letter_queue"), ["queue"], unique=False)

    op.create_table(
        "consumer_failure",
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("delivery_count", sa.Integer(), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("queue", "message_id"),
    )


def downgrade() -> None:
    op.drop_table("consumer_failure")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letter_queue"))
        batch_op.drop_index("ix_dead_letter_death")

    op.drop_table("dead_letter")
